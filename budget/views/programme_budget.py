"""The programme budget pages: the budget of a year (voted vs committed vs paid by owner, section and line;
AP/CP; operations; charts; restes à réaliser) and its XLSX exports, the PPI grid and its edit page, the AP
pages (create, detail, edit, CP, revision, status), budget lines and expenses with the expense chain.

Readers: the programme's readers and the mayors of its communes (who see their commune's rows only);
writers: policy.can_edit_budget (the programme's managers). Out of scope → 404, no right → 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from budget.charts import grouped_bars, stacked_bars
from budget.exports.programme_budget import carry_forward_xlsx, programme_budget_xlsx
from budget.forms.programme_budget import (
    AuthorisationForm,
    AuthorisationStatusForm,
    BudgetLineForm,
    ExpenseForm,
    ExpenseStepForm,
    RevisionForm,
    year_formset,
)
from budget.models import BudgetLine, Expense, PlannedInvestment, ProgrammeAuthorisation
from budget.selectors import programme_budget as selectors
from budget.services import programme_budget as services
from operations.models import Operation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.concurrency import StaleObjectError
from pvd.errors import DomainError
from pvd.money import format_euros
from pvd.xlsx import XLSX_CONTENT_TYPE

FORM = "budget/programme/form.html"


def _header(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_edit": policy.can_edit_budget(request.user, programme),
    }


def _year(request: HttpRequest) -> int:
    return selectors.year_from(request.GET.get("annee"))


def budget_url(programme: Programme, year: int | None = None, anchor: str = "") -> str:
    url = reverse("budget:programme_budget", args=[programme.pk])
    if year is not None:
        url += f"?annee={year}"
    return f"{url}#{anchor}" if anchor else url


def _form_page(request: HttpRequest, programme: Programme, **ctx: object) -> HttpResponse:
    return render(request, FORM, {**_header(request, programme), **ctx})


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The budget of a year --------------------------------------------------------------------------------


@login_required
@require_GET
def programme_budget(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_budget(request.user, pk)
    year = _year(request)
    page = selectors.programme_budget(request.user, programme, year)
    funding_chart = stacked_bars(
        uid="financements",
        title="Financements attendus par catégorie de financeur et par année",
        intro="Montants TTC des lignes des plans de financement non refusées, répartis selon le PPI.",
        years=page.funding.years,
        series=page.funding.series,
    )
    planned_chart = grouped_bars(
        uid="prevu-realise",
        title="Prévu et réalisé par année : PPI, crédits de paiement, payé",
        years=page.planned.years,
        series=page.planned.series,
    )
    ctx = {
        **_header(request, programme),
        "page": page,
        "year": year,
        "years": list(range(year - 3, year + 4)),
        "funding_chart": funding_chart,
        "planned_chart": planned_chart,
    }
    return render(request, "budget/programme/budget.html", ctx)


@login_required
@require_GET
def programme_budget_export(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_budget(request.user, pk)
    year = _year(request)
    page = selectors.programme_budget(request.user, programme, year)
    return _xlsx(programme_budget_xlsx(page), f"budget-{slugify(programme.name)}-{year}.xlsx")


@login_required
@require_GET
def carry_forward_export(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_budget(request.user, pk)
    year = _year(request)
    rows = selectors.carry_forward(programme, year, request.user)
    return _xlsx(
        carry_forward_xlsx(programme, rows), f"restes-a-realiser-{slugify(programme.name)}-{year}.xlsx"
    )


# --- PPI -----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def ppi(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_budget(request.user, pk)
    year = _year(request)
    grid = selectors.ppi_grid(request.user, programme, year)
    return render(
        request, "budget/programme/ppi.html", {**_header(request, programme), "grid": grid, "year": year}
    )


@login_required
def ppi_edit(request: HttpRequest, pk: int) -> HttpResponse:
    operation = policy.get_for_user(Operation.objects.select_related("programme__epci"), request.user, pk=pk)
    programme = operation.programme
    policy.require(policy.can_edit_budget(request.user, programme))
    existing = list(PlannedInvestment.objects.filter(operation=operation).order_by("year"))
    formset = year_formset(request.POST or None, existing, field="amount_ttc", first_year=policy.today().year)
    if request.method == "POST" and formset.is_valid():
        rows, versions = formset.rows()
        done = _run_grid(
            request,
            "Le PPI de l'opération a été enregistré.",
            lambda: services.ppi_set(
                operation=operation, rows=rows, by=request.user, expected_versions=versions
            ),
        )
        if done:
            return redirect(reverse("budget:ppi", args=[programme.pk]))
    return render(
        request,
        "budget/programme/years_form.html",
        {
            **_header(request, programme),
            "formset": formset,
            "title": f"PPI de l'opération {operation}",
            "intro": "Montant TTC prévu chaque année. Le PPI est un plan, pas un acte budgétaire : il prépare "
            "les AP/CP et les budgets. Videz un montant pour retirer l'année.",
            "back_url": reverse("budget:ppi", args=[programme.pk]),
            "section": "PPI",
            "section_url": reverse("budget:ppi", args=[programme.pk]),
        },
    )


def _run_grid(request: HttpRequest, success: str, action) -> bool:
    try:
        action()
    except (StaleObjectError, DomainError) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
        return True
    return False


# --- AP ------------------------------------------------------------------------------------------------------


def _authorisation(request: HttpRequest, pk: int, *, edit: bool) -> ProgrammeAuthorisation:
    ap = policy.get_for_user(
        ProgrammeAuthorisation.objects.select_related("programme__epci", "organisation"), request.user, pk=pk
    )
    if edit:
        policy.require(policy.can_edit_budget(request.user, ap.programme))
    return ap


@login_required
def authorisation_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_budget(request.user, pk)
    policy.require(policy.can_edit_budget(request.user, programme))
    form = AuthorisationForm(request.POST or None, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        ap = run_service(
            request,
            form,
            "L'autorisation de programme a été enregistrée.",
            lambda: services.authorisation_create(
                programme=programme, by=request.user, **form.service_values()
            ),
        )
        if ap is not None:
            return redirect("budget:authorisation_detail", pk=ap.pk)
    return _form_page(
        request,
        programme,
        form=form,
        title="Nouvelle autorisation de programme",
        back_url=budget_url(programme, anchor="ap"),
        submit="Enregistrer l'AP",
    )


@login_required
@require_GET
def authorisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    year = _year(request)
    ap = selectors.authorisation_for_page(request.user, pk, year)
    header = _header(request, ap.programme)
    lines = selectors.lines_with_figures(
        BudgetLine.objects.visible_to(request.user)
        .filter(authorisation=ap)
        .select_related("organisation", "account", "operation")
        .order_by("year", "account__code", "pk")
    )
    ctx = {
        **header,
        "ap": ap,
        "year": year,
        "revisions": list(ap.revisions.order_by("voted_on", "pk")),
        "credits": selectors.authorisation_credits(ap),
        "operations": list(ap.operations.visible_to(request.user).order_by("code", "pk")),
        "lines": list(lines),
        "changes": selectors.status_changes(ap, ProgrammeAuthorisation.Status),
        "status_form": AuthorisationStatusForm(authorisation=ap)
        if header["can_edit"] and services.AUTHORISATION_TRANSITIONS[ap.status]
        else None,
    }
    return render(request, "budget/programme/authorisation_detail.html", ctx)


@login_required
def authorisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ap = _authorisation(request, pk, edit=True)
    form = AuthorisationForm(request.POST or None, instance=ap, user=request.user, programme=ap.programme)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        saved = run_service(
            request,
            form,
            "L'autorisation de programme a été enregistrée.",
            lambda: services.authorisation_update(
                authorisation=ap, expected_version=version, by=request.user, **form.service_values()
            ),
        )
        if saved is not None:
            return redirect("budget:authorisation_detail", pk=ap.pk)
    return _form_page(
        request,
        ap.programme,
        form=form,
        title=f"Modifier l'AP {ap.number}",
        back_url=reverse("budget:authorisation_detail", args=[ap.pk]),
        submit="Enregistrer",
    )


@login_required
def authorisation_credits(request: HttpRequest, pk: int) -> HttpResponse:
    ap = _authorisation(request, pk, edit=True)
    existing = list(ap.payment_credits.order_by("year"))
    first = min([ap.voted_on.year, *(c.year for c in existing)])
    formset = year_formset(request.POST or None, existing, field="amount", first_year=first)
    if request.method == "POST" and formset.is_valid():
        rows, versions = formset.rows()
        done = _run_grid(
            request,
            "Les crédits de paiement ont été enregistrés.",
            lambda: services.credits_set(
                authorisation=ap, rows=rows, by=request.user, expected_versions=versions
            ),
        )
        if done:
            return redirect("budget:authorisation_detail", pk=ap.pk)
    return render(
        request,
        "budget/programme/years_form.html",
        {
            **_header(request, ap.programme),
            "formset": formset,
            "title": f"Crédits de paiement de l'AP {ap.number}",
            "intro": f"Montant de l'AP : {format_euros(services.authorisation_amount(ap))} ; la somme des CP ne peut pas le "
            "dépasser, et le CP d'une année ne peut pas descendre sous ce qui est déjà mandaté. Videz un montant "
            "pour retirer l'année.",
            "amount": services.authorisation_amount(ap),
            "back_url": reverse("budget:authorisation_detail", args=[ap.pk]),
            "section": f"AP {ap.number}",
            "section_url": reverse("budget:authorisation_detail", args=[ap.pk]),
        },
    )


@login_required
def authorisation_revise(request: HttpRequest, pk: int) -> HttpResponse:
    ap = _authorisation(request, pk, edit=True)
    form = RevisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        revision = run_service(
            request,
            form,
            "La révision de l'AP a été enregistrée.",
            lambda: services.authorisation_revise(authorisation=ap, by=request.user, **form.cleaned_data),
        )
        if revision is not None:
            return redirect("budget:authorisation_detail", pk=ap.pk)
    return _form_page(
        request,
        ap.programme,
        form=form,
        title=f"Réviser l'AP {ap.number}",
        intro=f"Montant actuel : {format_euros(services.authorisation_amount(ap))} ; déjà engagé : "
        f"{format_euros(services.committed_on_authorisation(ap))}.",
        back_url=reverse("budget:authorisation_detail", args=[ap.pk]),
        submit="Enregistrer la révision",
    )


@login_required
@require_POST
def authorisation_status(request: HttpRequest, pk: int) -> HttpResponse:
    ap = _authorisation(request, pk, edit=True)
    form = AuthorisationStatusForm(request.POST, authorisation=ap)
    if not form.is_valid():
        messages.error(
            request, f"L'AP est maintenant « {ap.get_status_display()} » : ce changement n'est plus possible."
        )
    else:
        data = form.cleaned_data
        try:
            services.authorisation_change_status(
                authorisation=ap,
                to=data["to"],
                by=request.user,
                comment=data["comment"],
                expected_version=data["version"],
            )
        except (StaleObjectError, DomainError) as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"Statut de l'AP : « {ProgrammeAuthorisation.Status(data['to']).label} »."
            )
    return redirect("budget:authorisation_detail", pk=ap.pk)


# --- Budget lines ----------------------------------------------------------------------------------------


def _line(request: HttpRequest, pk: int, *, edit: bool) -> BudgetLine:
    line = policy.get_for_user(
        BudgetLine.objects.select_related(
            "programme__epci", "organisation", "account", "operation", "authorisation"
        ),
        request.user,
        pk=pk,
    )
    if edit:
        policy.require(policy.can_edit_budget(request.user, line.programme))
    return line


@login_required
def budget_line_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_budget(request.user, pk)
    policy.require(policy.can_edit_budget(request.user, programme))
    form = BudgetLineForm(
        request.POST or None, user=request.user, programme=programme, initial={"year": _year(request)}
    )
    if request.method == "POST" and form.is_valid():
        line = run_service(
            request,
            form,
            "La ligne budgétaire a été ajoutée.",
            lambda: services.budget_line_create(
                programme=programme, by=request.user, **form.service_values()
            ),
        )
        if line is not None:
            return redirect("budget:budget_line_detail", pk=line.pk)
    return _form_page(
        request,
        programme,
        form=form,
        title="Ajouter une ligne budgétaire",
        back_url=budget_url(programme),
        submit="Enregistrer la ligne",
    )


@login_required
@require_GET
def budget_line_detail(request: HttpRequest, pk: int) -> HttpResponse:
    line = selectors.line_for_page(request.user, pk)
    header = _header(request, line.programme)
    expenses = list(
        Expense.objects.visible_to(request.user)
        .filter(budget_line=line)
        .select_related("operation", "contract", "invoice")
        .order_by("committed_on", "pk")
    )
    if header["can_edit"]:
        for expense in expenses:
            expense.step_form = (
                ExpenseStepForm(expense=expense, auto_id=f"id_etape_{expense.pk}_%s")
                if services.EXPENSE_TRANSITIONS[expense.status]
                else None
            )
    ctx = {
        **header,
        "line": line,
        "expenses": expenses,
        "payments": list(line.subsidy_payments.select_related("request").order_by("requested_on", "pk"))
        if line.direction == BudgetLine.Direction.REVENUE
        else [],
    }
    return render(request, "budget/programme/budget_line_detail.html", ctx)


@login_required
def budget_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk, edit=True)
    form = BudgetLineForm(request.POST or None, instance=line, user=request.user, programme=line.programme)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        saved = run_service(
            request,
            form,
            "La ligne budgétaire a été enregistrée.",
            lambda: services.budget_line_update(
                line=line, expected_version=version, by=request.user, **form.service_values()
            ),
        )
        if saved is not None:
            return redirect("budget:budget_line_detail", pk=line.pk)
    return _form_page(
        request,
        line.programme,
        form=form,
        title=f"Modifier la ligne « {line.account.code} — {line.label} »",
        back_url=reverse("budget:budget_line_detail", args=[line.pk]),
        submit="Enregistrer",
    )


# --- Expenses ------------------------------------------------------------------------------------------------


@login_required
def expense_create(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk, edit=True)
    form = ExpenseForm(request.POST or None, user=request.user, line=line)
    if request.method == "POST" and form.is_valid():
        expense = run_service(
            request,
            form,
            "L'engagement a été enregistré.",
            lambda: services.expense_create(budget_line=line, by=request.user, **form.service_values()),
        )
        if expense is not None:
            return redirect("budget:budget_line_detail", pk=line.pk)
    remaining = services.line_remaining(line)
    return _form_page(
        request,
        line.programme,
        form=form,
        title=f"Engager une dépense sur « {line.account.code} — {line.label} » ({line.year})",
        remaining=remaining,
        back_url=reverse("budget:budget_line_detail", args=[line.pk]),
        submit="Engager",
    )


@login_required
def expense_edit(request: HttpRequest, pk: int) -> HttpResponse:
    expense = selectors.expense_for_page(request.user, pk)
    line = expense.budget_line
    policy.require(policy.can_edit_budget(request.user, line.programme))
    form = ExpenseForm(request.POST or None, instance=expense, user=request.user, line=line)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        saved = run_service(
            request,
            form,
            "La dépense a été enregistrée.",
            lambda: services.expense_update(
                expense=expense, expected_version=version, by=request.user, **form.service_values()
            ),
        )
        if saved is not None:
            return redirect("budget:budget_line_detail", pk=line.pk)
    return _form_page(
        request,
        line.programme,
        form=form,
        title=f"Modifier la dépense « {expense.label} »",
        history_object=expense,
        back_url=reverse("budget:budget_line_detail", args=[line.pk]),
        submit="Enregistrer",
    )


@login_required
@require_POST
def expense_advance(request: HttpRequest, pk: int) -> HttpResponse:
    expense = selectors.expense_for_page(request.user, pk)
    policy.require(policy.can_edit_budget(request.user, expense.budget_line.programme))
    form = ExpenseStepForm(request.POST, expense=expense)
    if not form.is_valid():
        if "to" in form.errors:
            messages.error(
                request,
                f"La dépense est maintenant « {expense.get_status_display()} » : cette étape n'est plus possible.",
            )
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    else:
        data = form.cleaned_data
        try:
            saved = services.expense_advance(
                expense=expense,
                to=data["to"],
                date=data["date"],
                reference=data["reference"],
                comment=data["comment"],
                by=request.user,
                expected_version=data["version"],
            )
        except (StaleObjectError, DomainError) as error:
            messages.error(request, str(error))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"« {saved.label} » : {saved.get_status_display().lower()}.")
    return redirect(reverse("budget:budget_line_detail", args=[expense.budget_line_id]) + "#depenses")
