"""Participation (issue 11): communication actions of a programme — the list (filters in the URL, figures per
channel), an action's page (links, financers credited, proof, transitions, history), its create and edit
(managers), its status change (planned → done or cancelled) and the download of its proof.

Readers: the programme's readers and the mayors of its communes (a mayor sees the actions that concern their
commune; another commune's action → 404). Writes: policy.can_manage_participation (403 for the other readers).
The financers' publicity obligations are a budget page (`budget:publicity`), linked by its URL name.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from operations.models import CommunicationAction
from operations.participation.forms.communication import CommunicationActionForm, CommunicationStatusForm
from operations.participation.selectors import communication as selectors
from operations.participation.selectors.programmes import page_header, programme_for_participation
from operations.participation.services import communication as services
from programmes.models import Programme
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.downloads import private_download

FORM_TEMPLATE = "operations/participation/communication/form.html"


def _header(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return page_header(request.user, programme)


def _action_for_write(request: HttpRequest, pk: int, action_pk: int) -> CommunicationAction:
    action = selectors.action_for_page(request.user, pk, action_pk)
    policy.require(policy.can_manage_participation(request.user, action.programme))
    return action


@login_required
@require_GET
def communication(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_participation(request.user, pk)
    data = selectors.action_list(request.user, programme, request.GET.dict(), request.GET.get("page"))
    return render(
        request,
        "operations/participation/communication/list.html",
        {**_header(request, programme), "data": data, "filter_form": data.filter.form},
    )


@login_required
def communication_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_participation(request.user, pk)
    policy.require(policy.can_manage_participation(request.user, programme))
    form = CommunicationActionForm(
        request.POST or None, request.FILES or None, programme=programme, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        args = form.service_arguments()
        created = run_service(
            request,
            form,
            "L'action de communication a été enregistrée.",
            lambda: services.action_create(
                programme=programme, by=request.user, proof=args["proof"], **args["links"], **args["fields"]
            ),
        )
        if created is not None:
            return redirect("operations:communication_action", pk=programme.pk, action_pk=created.pk)
    return render(
        request,
        FORM_TEMPLATE,
        {**_header(request, programme), "form": form, "title": "Nouvelle action de communication"},
    )


@login_required
@require_GET
def communication_action(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    action = selectors.action_for_page(request.user, pk, action_pk)
    header = _header(request, action.programme)
    return render(
        request,
        "operations/participation/communication/detail.html",
        {
            **header,
            "action": action,
            "changes": selectors.status_changes(action),
            "status_form": CommunicationStatusForm(action=action)
            if header["can_manage"] and services.allowed_targets(action.status)
            else None,
        },
    )


@login_required
def communication_edit(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    action = _action_for_write(request, pk, action_pk)
    form = CommunicationActionForm(
        request.POST or None,
        request.FILES or None,
        instance=action,
        programme=action.programme,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        args = form.service_arguments()
        original = CommunicationAction.objects.select_related("programme").get(pk=action.pk)
        saved = run_service(
            request,
            form,
            "L'action de communication a été enregistrée.",
            lambda: services.action_update(
                action=original,
                expected_version=args["version"],
                changes=args["fields"],
                by=request.user,
                proof=args["proof"],
                clear_proof=args["clear_proof"],
                **args["links"],
            ),
        )
        if saved is not None:
            return redirect("operations:communication_action", pk=action.programme_id, action_pk=action.pk)
    return render(
        request,
        FORM_TEMPLATE,
        {
            **_header(request, action.programme),
            "form": form,
            "action": action,
            "title": f"Modifier l'action « {action.title} »",
        },
    )


@login_required
@require_POST
def communication_status(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    action = _action_for_write(request, pk, action_pk)
    form = CommunicationStatusForm(request.POST, action=action)
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            form,
            "Le statut de l'action a été modifié.",
            lambda: services.change_status(
                action=action,
                to=data["status"],
                by=request.user,
                comment=data["comment"],
                expected_version=data["version"],
            ),
        )
    for name, errors in form.errors.items():
        for error in errors:
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label} : {error}" if label else error)
    return redirect("operations:communication_action", pk=action.programme_id, action_pk=action.pk)


@login_required
@require_GET
def communication_proof(request: HttpRequest, pk: int, action_pk: int) -> FileResponse:
    """The action's proof file, to whoever reads the action (404 otherwise and without a file)."""
    action = selectors.action_for_page(request.user, pk, action_pk)
    if not action.proof:
        raise Http404("Cette action n'a pas de justificatif en fichier.")
    return private_download(action.proof)
