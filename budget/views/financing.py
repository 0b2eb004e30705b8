"""An operation's money tab ("Financement"): its financing plan, the legal checks where the manager decides,
the FCTVA estimate and the net cost; the plan's header and lines (create, edit, delete, status); the XLSX.

Readers of the operation (the programme's readers, the mayors of its communes) read; the programme's managers
(and staff) write: 403 for the other readers, 404 outside the scope (policy.get_for_user / policy.require).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from budget.exports.financing import plan_xlsx as build_plan_xlsx
from budget.forms.financing import DeleteForm, LineForm, LineStatusForm, PlanForm
from budget.models import FinancingLine, FinancingLineStatus
from budget.selectors import financing as selectors
from budget.selectors import subsidies as subsidy_selectors  # issue 5, subsidies
from budget.services import financing as services
from operations.models import Operation
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.xlsx import XLSX_CONTENT_TYPE

FORM_TEMPLATE = "budget/financing/form.html"


# --- Access ------------------------------------------------------------------------------------------------


def _operation(request: HttpRequest, pk: int, *, edit: bool = True) -> Operation:
    operation = selectors.operation_for_money(request.user, pk)
    if edit:
        policy.require(policy.can_edit_budget(request.user, operation.programme))
    return operation


def _line(request: HttpRequest, pk: int) -> FinancingLine:
    line = policy.get_for_user(
        FinancingLine.objects.select_related(
            "plan__operation__programme", "plan__operation__owner", "funder"
        ),
        request.user,
        pk=pk,
    )
    policy.require(policy.can_edit_budget(request.user, line.plan.operation.programme))
    return line


def money_url(operation: Operation, anchor: str = "") -> str:
    url = reverse("budget:operation_money", args=[operation.pk])
    return f"{url}#{anchor}" if anchor else url


def _form_page(request: HttpRequest, operation: Operation, form: forms.Form, **ctx: object) -> HttpResponse:
    back = str(ctx.pop("back", ""))
    return render(
        request,
        FORM_TEMPLATE,
        {
            "operation": operation,
            "programme": operation.programme,
            "can_read_programme": policy.can_read_programme(request.user, operation.programme),
            "form": form,
            "money_page": money_url(operation),
            "back_url": money_url(operation, back),
            **ctx,
        },
    )


# --- The money tab -------------------------------------------------------------------------------------------


@login_required
@require_GET
def operation_money(request: HttpRequest, pk: int) -> HttpResponse:
    operation = _operation(request, pk, edit=False)
    tab = selectors.money_tab(operation)
    can_edit = policy.can_edit_budget(request.user, operation.programme)
    ctx = {
        "operation": operation,
        "programme": operation.programme,
        "can_read_programme": policy.can_read_programme(request.user, operation.programme),
        "can_edit": can_edit,
        "tab": tab,
        "plan": tab.plan,
        "status_forms": {
            line.pk: LineStatusForm(line=line) for line in tab.lines if services.allowed_targets(line.status)
        }
        if can_edit
        else {},
        # --- subsidies of the operation (issue 5, subsidies) ---
        "subsidies": subsidy_selectors.operation_subsidies(request.user, operation, tab.day),
    }
    return render(request, "budget/financing/money.html", ctx)


@login_required
@require_GET
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    operation = _operation(request, pk, edit=False)
    tab = selectors.money_tab(operation)
    response = HttpResponse(build_plan_xlsx(tab), content_type=XLSX_CONTENT_TYPE)
    filename = f"plan-de-financement-{slugify(operation.code)}-{tab.day:%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The plan's header -------------------------------------------------------------------------------------


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    operation = _operation(request, pk)
    plan = selectors.plan_of(operation)
    initial = {}
    if plan is None:
        initial = {
            "eligible_cost_ht": operation.estimated_cost_ht,
            "eligible_cost_ttc": operation.estimated_cost_ttc,
            "fctva_excluded_ttc": 0,
        }
    form = PlanForm(request.POST or None, instance=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        saved = run_service(
            request,
            form,
            "Le plan de financement a été enregistré.",
            lambda: services.plan_save(
                operation=operation, data=form.service_values(), expected_version=version, by=request.user
            ),
        )
        if saved is not None:
            return redirect(money_url(operation))
    return _form_page(
        request,
        operation,
        form,
        title="Modifier le plan de financement" if plan else "Établir le plan de financement",
        submit="Enregistrer le plan",
    )


# --- Lines -----------------------------------------------------------------------------------------------------


@login_required
def line_create(request: HttpRequest, pk: int) -> HttpResponse:
    operation = _operation(request, pk)
    plan = selectors.plan_of(operation)
    if plan is None:
        messages.error(request, "Établissez d'abord le plan de financement (dépense éligible HT et TTC).")
        return redirect("budget:plan_edit", pk=operation.pk)
    form = LineForm(request.POST or None, user=request.user, operation=operation)
    if request.method == "POST" and form.is_valid():
        line = run_service(
            request,
            form,
            "La ligne a été ajoutée au plan de financement.",
            lambda: services.line_create(plan=plan, data=form.service_values(), by=request.user),
        )
        if line is not None:
            return redirect(money_url(operation, "lignes"))
    return _form_page(
        request, operation, form, title="Ajouter une ligne de financement", back="lignes", submit="Ajouter"
    )


@login_required
def line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    operation = line.plan.operation
    form = LineForm(request.POST or None, instance=line, user=request.user, operation=operation)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        saved = run_service(
            request,
            form,
            "La ligne de financement a été enregistrée.",
            lambda: services.line_update(
                line=line, data=form.service_values(), expected_version=version, by=request.user
            ),
        )
        if saved is not None:
            return redirect(money_url(operation, "lignes"))
    return _form_page(
        request,
        operation,
        form,
        title=f"Modifier la ligne « {line} »",
        back="lignes",
        submit="Enregistrer",
    )


@login_required
def line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    operation = line.plan.operation
    form = DeleteForm(request.POST or None, initial={"version": line.version})
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            f"La ligne « {line} » a été supprimée du plan.",
            lambda: services.line_delete(line=line, by=request.user) or True,
        )
        if done:
            return redirect(money_url(operation, "lignes"))
    return _form_page(
        request,
        operation,
        form,
        title=f"Supprimer la ligne « {line} »",
        intro=f"{line.funder.name} — {line.get_category_display()} — statut « {line.get_status_display()} ». "
        "La ligne disparaît du plan et des contrôles ; l'historique garde la trace de la suppression.",
        back="lignes",
        submit="Supprimer la ligne",
        danger=True,
    )


@login_required
@require_POST
def line_status(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    operation = line.plan.operation
    form = LineStatusForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(money_url(operation, "lignes"))
    data = form.cleaned_data
    run_service(
        request,
        form,
        f"Ligne « {line} » : statut « {FinancingLineStatus(data['status']).label} ».",
        lambda: services.line_set_status(
            line=line,
            status=data["status"],
            by=request.user,
            comment=data["comment"],
            expected_version=data["version"],
        ),
    )
    return redirect(money_url(operation, "lignes"))
