"""An operation's follow-up: phases (create, edit, delete, the standard sequence), manual progress, journal
entries (with an attachment, downloaded through the access control), risks (create, edit, close, escalate).

The operation page (views/operations.py) shows them through the partials operations/partials/_phases.html,
_journal.html and _risks.html with `tracking` (selectors.tracking.tracking_for_page). Readers of the
operation (mayors of its communes included) read; the programme's managers write (403 for the others,
404 outside the scope).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from operations.forms.tracking import (
    DeleteForm,
    ManualProgressForm,
    PhaseForm,
    ReportForm,
    RiskCloseForm,
    RiskEscalateForm,
    RiskForm,
    TemplateForm,
)
from operations.models import Operation, Phase, PhaseTemplate, ProgressReport, Risk
from operations.services import tracking as services
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.downloads import private_download

TEMPLATE = "operations/tracking/form.html"


# --- Access ------------------------------------------------------------------------------------------------


def _operation(request: HttpRequest, pk: int, *, edit: bool = True) -> Operation:
    operation = policy.get_for_user(Operation.objects.select_related("programme"), request.user, pk=pk)
    if edit:
        policy.require(policy.can_edit_operations(request.user, operation.programme))
    return operation


def _child[M: Phase | Risk | ProgressReport](
    request: HttpRequest, model: type[M], pk: int, *, edit: bool = True
) -> M:
    obj = policy.get_for_user(model.objects.select_related("operation__programme"), request.user, pk=pk)
    if edit:
        policy.require(policy.can_edit_operations(request.user, obj.operation.programme))
    return obj


def operation_url(operation: Operation, anchor: str = "") -> str:
    """The operation page (views/operations.py), at the section the action concerns."""
    try:
        url = reverse("operations:detail", args=[operation.pk])
    except NoReverseMatch:  # the operation page comes with its own part of issue 4
        return reverse("home")
    return f"{url}#{anchor}" if anchor else url


def _page(request: HttpRequest, operation: Operation, form: forms.Form, **ctx: object) -> HttpResponse:
    back = str(ctx.pop("back", ""))
    return render(
        request,
        TEMPLATE,
        {
            "operation": operation,
            "form": form,
            "operation_page": operation_url(operation),
            "back_url": operation_url(operation, back),
            **ctx,
        },
    )


# --- Phases ------------------------------------------------------------------------------------------------


@login_required
def phase_create(request: HttpRequest, pk: int) -> HttpResponse:
    operation = _operation(request, pk)
    next_order = (operation.phases.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    form = PhaseForm(request.POST or None, initial={"order": next_order, "progress_percent": 0})
    if request.method == "POST" and form.is_valid():
        phase = run_service(
            request,
            form,
            "La phase a été ajoutée.",
            lambda: services.phase_create(operation=operation, by=request.user, **form.service_values()),
        )
        if phase is not None:
            return redirect(operation_url(operation, "phases"))
    return _page(request, operation, form, title="Ajouter une phase", back="phases", submit="Enregistrer")


@login_required
def phase_edit(request: HttpRequest, pk: int) -> HttpResponse:
    phase = _child(request, Phase, pk)
    operation = phase.operation
    form = PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        saved = run_service(
            request,
            form,
            f"La phase « {form.cleaned_data['name']} » a été enregistrée.",
            lambda: services.phase_update(
                phase=phase, expected_version=version, by=request.user, **form.service_values()
            ),
        )
        if saved is not None:
            return redirect(operation_url(operation, "phases"))
    return _page(
        request,
        operation,
        form,
        title=f"Modifier la phase « {phase.name} »",
        back="phases",
        submit="Enregistrer",
    )


@login_required
def phase_delete(request: HttpRequest, pk: int) -> HttpResponse:
    phase = _child(request, Phase, pk)
    operation = phase.operation
    form = DeleteForm(request.POST or None, initial={"version": phase.version})
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            f"La phase « {phase.name} » a été supprimée.",
            lambda: (
                services.phase_delete(
                    phase=phase, expected_version=form.cleaned_data["version"], by=request.user
                )
                or True
            ),
        )
        if done:
            return redirect(operation_url(operation, "phases"))
    return _page(
        request,
        operation,
        form,
        title=f"Supprimer la phase « {phase.name} »",
        intro="La phase et ses dates disparaîtront du calendrier de l'opération ; l'historique garde la trace "
        "de la suppression.",
        back="phases",
        submit="Supprimer la phase",
        danger=True,
    )


@login_required
def phases_from_template(request: HttpRequest, pk: int) -> HttpResponse:
    operation = _operation(request, pk)
    form = TemplateForm(request.POST or None, initial={"start": policy.today()})
    if request.method == "POST" and form.is_valid():
        phases = run_service(
            request,
            form,
            "Les phases de la séquence type ont été créées.",
            lambda: services.phases_from_template(
                operation=operation, by=request.user, start=form.cleaned_data["start"]
            ),
        )
        if phases is not None:
            return redirect(operation_url(operation, "phases"))
    return _page(
        request,
        operation,
        form,
        title="Créer les phases de la séquence type",
        intro="La séquence type d'une opération de travaux publics ; vous pourrez ensuite modifier chaque phase.",
        templates=PhaseTemplate.objects.order_by("order", "pk"),
        back="phases",
        submit="Créer les phases",
    )


@login_required
def manual_progress(request: HttpRequest, pk: int) -> HttpResponse:
    operation = _operation(request, pk)
    current = operation.manual_progress
    form = ManualProgressForm(
        request.POST or None,
        initial={
            "version": operation.version,
            "progress_percent": None if current is None else current * 100,
        },
    )
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "L'avancement de l'opération a été enregistré.",
            lambda: services.operation_set_manual_progress(
                operation=operation,
                expected_version=form.cleaned_data["version"],
                by=request.user,
                progress=form.progress(),
            ),
        )
        if saved is not None:
            return redirect(operation_url(operation, "phases"))
    return _page(
        request,
        operation,
        form,
        title="Saisir l'avancement technique",
        intro="Sans phases, l'avancement se saisit à la main ; dès que l'opération a des phases, il est "
        "calculé à partir de leur avancement pondéré.",
        back="phases",
        submit="Enregistrer",
    )


# --- Journal -----------------------------------------------------------------------------------------------


@login_required
def report_create(request: HttpRequest, pk: int) -> HttpResponse:
    operation = _operation(request, pk)
    form = ReportForm(request.POST or None, request.FILES or None, initial={"reported_on": policy.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = run_service(
            request,
            form,
            "Le point d'avancement a été publié dans le journal.",
            lambda: services.report_create(
                operation=operation,
                by=request.user,
                on=data["reported_on"],
                weather=data["weather"],
                text=data["text"],
                attachment=data.get("attachment") or None,
            ),
        )
        if report is not None:
            return redirect(operation_url(operation, "journal"))
    return _page(
        request,
        operation,
        form,
        title="Publier un point d'avancement",
        back="journal",
        submit="Publier",
        upload=True,
    )


@login_required
@require_GET
def report_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """The journal entry's attachment, to whoever reads the operation (404 otherwise and without a file)."""
    report = _child(request, ProgressReport, pk, edit=False)
    if not report.attachment:
        raise Http404("Ce point d'avancement n'a pas de pièce jointe.")
    return private_download(report.attachment)


# --- Risks and difficulties --------------------------------------------------------------------------------


def _risk_values(form: forms.Form) -> dict[str, object]:
    return {name: value for name, value in form.cleaned_data.items() if name != "version"}


@login_required
def risk_create(request: HttpRequest, pk: int) -> HttpResponse:
    operation = _operation(request, pk)
    form = RiskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        risk = run_service(
            request,
            form,
            "Le risque a été enregistré.",
            lambda: services.risk_create(operation=operation, by=request.user, **_risk_values(form)),
        )
        if risk is not None:
            return redirect(operation_url(operation, "risques"))
    return _page(
        request,
        operation,
        form,
        title="Signaler un risque ou une difficulté",
        back="risques",
        submit="Enregistrer",
    )


@login_required
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _child(request, Risk, pk)
    form = RiskForm(request.POST or None, instance=risk)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Le risque a été enregistré.",
            lambda: services.risk_update(
                risk=risk,
                expected_version=form.cleaned_data["version"],
                by=request.user,
                **_risk_values(form),
            ),
        )
        if saved is not None:
            return redirect(operation_url(risk.operation, "risques"))
    return _page(
        request,
        risk.operation,
        form,
        title="Modifier le risque",
        risk=risk,
        back="risques",
        submit="Enregistrer",
    )


@login_required
def risk_close(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _child(request, Risk, pk)
    form = RiskCloseForm(request.POST or None, initial={"version": risk.version})
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "Le risque a été clos.",
            lambda: services.risk_close(
                risk=risk,
                expected_version=form.cleaned_data["version"],
                by=request.user,
                comment=form.cleaned_data["comment"],
            ),
        )
        if saved is not None:
            return redirect(operation_url(risk.operation, "risques"))
    return _page(
        request,
        risk.operation,
        form,
        title="Clore le risque",
        risk=risk,
        back="risques",
        submit="Clore le risque",
    )


@login_required
def risk_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _child(request, Risk, pk)
    form = RiskEscalateForm(request.POST or None, initial={"version": risk.version, "on": policy.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            request,
            form,
            "La difficulté a été remontée pour arbitrage.",
            lambda: services.risk_escalate(
                risk=risk, expected_version=data["version"], by=request.user, note=data["note"], on=data["on"]
            ),
        )
        if saved is not None:
            return redirect(operation_url(risk.operation, "risques"))
    return _page(
        request,
        risk.operation,
        form,
        title="Remonter la difficulté pour arbitrage",
        intro="L'instance de décision (comité de projet, COPIL) sera saisie : la difficulté passe au statut "
        "« Remonté pour arbitrage ».",
        risk=risk,
        back="risques",
        submit="Remonter pour arbitrage",
    )
