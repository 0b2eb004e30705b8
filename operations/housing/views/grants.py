"""A household file's grants and payments: record and edit a grant, commit or cancel it, apply the computed
proposals (Anah aid and local top-ups), record a payment. The panel itself is the partial
`operations/housing/partials/grants.html`, shown on the file page.

Named files: only the programme's operator and managers (and staff) reach them, others get 404
(`HousingFile.objects.visible_to`); writers: `policy.can_edit_household_files` (403 otherwise). Each write is
logged as an edit of the file (GDPR accountability).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from operations.housing.forms.grants import GrantCancelForm, GrantCommitForm, GrantForm, PaymentForm
from operations.housing.models import AccessAction, GrantStatus
from operations.housing.services import grants as services
from operations.housing.services.privacy import log_access
from operations.models import HousingFile, HousingGrant
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.errors import DomainError
from pvd.money import format_euros

TEMPLATE = "operations/housing/grants/form.html"


def file_url(file_id: int) -> str:
    return reverse("operations:housing_file_detail", kwargs={"pk": file_id})


def _file_for_write(request: HttpRequest, pk: int) -> HousingFile:
    file = policy.get_for_user(
        HousingFile.objects.select_related("housing_programme", "commune"), request.user, pk=pk
    )
    policy.require(policy.can_edit_household_files(request.user, file.housing_programme))
    return file


def _grant_for_write(request: HttpRequest, pk: int) -> HousingGrant:
    grant = policy.get_for_user(
        HousingGrant.objects.select_related("file__housing_programme", "file__commune", "funder", "scheme"),
        request.user,
        pk=pk,
    )
    policy.require(policy.can_edit_household_files(request.user, grant.file.housing_programme))
    return grant


def _page(request: HttpRequest, file: HousingFile, form: object, title: str, **extra: object) -> HttpResponse:
    return render(
        request,
        TEMPLATE,
        {"file": file, "housing_programme": file.housing_programme, "form": form, "title": title, **extra},
    )


@login_required
@require_http_methods(["GET", "POST"])
def grant_create(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file_for_write(request, pk)
    form = GrantForm(request.POST or None, file=file)
    if request.method == "POST" and form.is_valid():
        grant = run_service(
            request,
            form,
            "Aide enregistrée.",
            lambda: services.record_grant(file=file, by=request.user, **form.cleaned_data),
        )
        if grant is not None:
            log_access(file=file, user=request.user, action=AccessAction.EDIT)
            return redirect(file_url(file.pk))
    return _page(request, file, form, f"Ajouter une aide au dossier {file.reference}")


@login_required
@require_http_methods(["GET", "POST"])
def grant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant_for_write(request, pk)
    file = grant.file
    form = GrantForm(request.POST or None, instance=grant, file=file)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Aide modifiée.",
            lambda: services.update_grant(grant=grant, by=request.user, **form.cleaned_data),
        )
        if saved is not None:
            log_access(file=file, user=request.user, action=AccessAction.EDIT)
            return redirect(file_url(file.pk))
    if grant.status != GrantStatus.PLANNED and request.method == "GET":
        messages.warning(
            request, f"Cette aide est « {grant.get_status_display()} » : elle ne se modifie plus."
        )
    return _page(request, file, form, f"Modifier l'aide « {grant.label} »", grant=grant)


@login_required
@require_POST
def grant_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Commit (`action=commit`, with the date) or cancel (`action=cancel`, with the reason) a grant."""
    grant = _grant_for_write(request, pk)
    action = request.POST.get("action")
    form: GrantCommitForm | GrantCancelForm
    done = None
    if action == "commit":
        form = GrantCommitForm(request.POST)
        if form.is_valid():
            done = run_service(
                request,
                form,
                f"Aide « {grant.label} » engagée.",
                lambda: services.commit_grant(
                    grant=grant,
                    committed_on=form.cleaned_data["committed_on"],
                    comment=form.cleaned_data["comment"],
                    by=request.user,
                ),
            )
    elif action == "cancel":
        form = GrantCancelForm(request.POST)
        if form.is_valid():
            done = run_service(
                request,
                form,
                f"Aide « {grant.label} » annulée.",
                lambda: services.cancel_grant(
                    grant=grant, comment=form.cleaned_data["comment"], by=request.user
                ),
            )
    else:
        messages.error(request, "Action inconnue : engager ou annuler l'aide.")
        return redirect(file_url(grant.file_id))
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label} : {' '.join(errors)}" if label else " ".join(errors))
    if done is not None:
        log_access(file=grant.file, user=request.user, action=AccessAction.EDIT)
    return redirect(file_url(grant.file_id))


@login_required
@require_POST
def grant_proposals(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply the computed proposals: the Anah grant and the local top-ups, as planned grants."""
    file = _file_for_write(request, pk)
    try:
        result = services.apply_proposals(file=file, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        (messages.success if not result.skipped else messages.warning)(request, result.message)
        log_access(file=file, user=request.user, action=AccessAction.EDIT)
    return redirect(file_url(file.pk))


@login_required
@require_http_methods(["GET", "POST"])
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant_for_write(request, pk)
    file = grant.file
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        payment = run_service(
            request,
            form,
            f"Versement de {format_euros(data['amount'])} enregistré.",
            lambda: services.record_payment(
                grant=grant,
                kind=data["kind"],
                amount=data["amount"],
                paid_on=data["paid_on"],
                by=request.user,
            ),
        )
        if payment is not None:
            log_access(file=file, user=request.user, action=AccessAction.EDIT)
            return redirect(file_url(file.pk))
    paid = sum((p.amount for p in grant.payments.all()), start=grant.amount * 0)
    return _page(
        request,
        file,
        form,
        f"Enregistrer un versement de l'aide « {grant.label} »",
        grant=grant,
        paid=paid,
        remaining=grant.amount - paid,
    )
