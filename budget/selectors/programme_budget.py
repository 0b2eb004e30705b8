"""Page-shaped reads of the programme budget: the budget of a year by owner and section (voted, DM,
committed, liquidated, ordered, paid, remaining; revenue lines with the titles issued), the AP/CP table, the
operations (PPI vs credits vs committed vs paid), the PPI grid, the restes à réaliser at 31/12 and the data
of the two charts.

Every figure is a subquery annotation, so each table is one query whatever the number of lines, expenses
and APs. Rows come through the access policy: a mayor reads their commune's budget and the lines, APs and
operations of their commune's operations.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from budget.charts import Series
from budget.models import (
    AuthorisationRevision,
    BudgetDirection,
    BudgetLine,
    Expense,
    ExpenseStatus,
    FinancingLine,
    FinancingLineStatus,
    FundingCategory,
    PaymentCredit,
    PlannedInvestment,
    ProgrammeAuthorisation,
    SubsidyPayment,
)
from operations.models import Operation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.models import StatusChange
from pvd.money import ZERO, round_cents

E = ExpenseStatus
MONEY = DecimalField(max_digits=16, decimal_places=2)
NOT_CANCELLED = ~Q(status=E.CANCELLED)
LIQUIDATED = Q(status__in=[E.LIQUIDATED, E.ORDERED, E.PAID])
ORDERED = Q(status__in=[E.ORDERED, E.PAID])
PAID = Q(status=E.PAID)


def _total(queryset: QuerySet, outer: str, column: str = "amount_ttc") -> Coalesce:
    """Subquery: the sum of `column` of `queryset` rows whose `outer` is the outer row (0 when none)."""
    summed = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(total=Sum(column))
        .values("total")[:1]
    )
    return Coalesce(Subquery(summed, output_field=MONEY), Value(ZERO), output_field=MONEY)


def programme_for_budget(user: User, pk: int) -> Programme:
    """The programme whose budget a page shows; 404 out of scope. The programme's readers and the mayors of
    its communes open it (mayors see only their commune's rows)."""
    queryset = Programme.objects.select_related("epci")
    try:
        return policy.strategy_programmes(queryset, user).get(pk=pk)
    except Programme.DoesNotExist as error:
        raise Http404("Aucun objet ne correspond à votre demande.") from error


def year_from(raw: str | None, default: int | None = None) -> int:
    """The `annee` parameter when it is a sensible year, else the current year."""
    fallback = default or policy.today().year
    try:
        year = int(raw or "")
    except ValueError:
        return fallback
    return year if 2000 <= year <= 2100 else fallback


# --- Budget lines ------------------------------------------------------------------------------------------


def lines_with_figures(queryset: QuerySet[BudgetLine]) -> QuerySet[BudgetLine]:
    """Annotate credits, committed, liquidated, ordered, paid, remaining (expense lines) and titles issued
    (revenue lines: subsidy payments received on the line)."""
    expenses = Expense.objects.all()
    return queryset.annotate(
        credits=ExpressionWrapper(F("voted_amount") + F("amendments_amount"), output_field=MONEY),
        committed=_total(expenses.filter(NOT_CANCELLED), "budget_line"),
        liquidated=_total(expenses.filter(LIQUIDATED), "budget_line"),
        ordered=_total(expenses.filter(ORDERED), "budget_line"),
        paid=_total(expenses.filter(PAID), "budget_line"),
        titles=_total(SubsidyPayment.objects.filter(received_on__isnull=False), "budget_line", "amount"),
    )


@dataclass
class LineGroup:
    """The lines of one owner's budget in one section and direction, with their totals."""

    organisation: object
    section: str
    direction: str
    lines: list = field(default_factory=list)

    @property
    def section_label(self) -> str:
        return BudgetLine.Section(self.section).label

    @property
    def is_expense(self) -> bool:
        return self.direction == BudgetDirection.EXPENSE

    def total(self, name: str) -> Decimal:
        return sum((getattr(line, name) for line in self.lines), ZERO)

    @property
    def totals(self) -> dict[str, Decimal]:
        names = ["voted_amount", "amendments_amount", "credits", "committed", "liquidated", "ordered", "paid"]
        totals = {name: self.total(name) for name in [*names, "titles"]}
        totals["remaining"] = totals["credits"] - totals["committed"]
        totals["to_collect"] = totals["credits"] - totals["titles"]
        return totals


def budget_lines(user: User, programme: Programme, year: int) -> list[BudgetLine]:
    lines = (
        BudgetLine.objects.visible_to(user)
        .filter(programme=programme, year=year)
        .select_related("organisation", "account", "operation", "authorisation")
    )
    rows = list(
        lines_with_figures(lines).order_by(
            "organisation__name", "section", "direction", "account__code", "pk"
        )
    )
    for line in rows:
        line.remaining = line.credits - line.committed
        line.to_collect = line.credits - line.titles
    return rows


def group_lines(lines: list[BudgetLine]) -> list[LineGroup]:
    groups: dict[tuple, LineGroup] = {}
    for line in lines:
        key = (line.organisation_id, line.section, line.direction)
        if key not in groups:
            groups[key] = LineGroup(line.organisation, line.section, line.direction)
        groups[key].lines.append(line)
    return list(groups.values())


# --- AP / CP ---------------------------------------------------------------------------------------------


def authorisations_with_figures(queryset: QuerySet[ProgrammeAuthorisation], year: int) -> QuerySet:
    expenses = Expense.objects.all()
    return queryset.annotate(
        revisions_total=_total(AuthorisationRevision.objects.all(), "authorisation", "delta"),
        credits_total=_total(PaymentCredit.objects.all(), "authorisation", "amount"),
        credit_year=_total(PaymentCredit.objects.filter(year=year), "authorisation", "amount"),
        consumed_year=_total(expenses.filter(ORDERED, ordered_on__year=year), "budget_line__authorisation"),
        committed_total=_total(expenses.filter(NOT_CANCELLED), "budget_line__authorisation"),
        paid_total=_total(expenses.filter(PAID), "budget_line__authorisation"),
    )


def _finish_authorisation(ap: ProgrammeAuthorisation) -> ProgrammeAuthorisation:
    ap.amount = ap.initial_amount + ap.revisions_total
    ap.remaining = ap.amount - ap.committed_total
    ap.credit_remaining = ap.credit_year - ap.consumed_year
    ap.unscheduled = ap.amount - ap.credits_total
    return ap


def authorisations(user: User, programme: Programme, year: int) -> list[ProgrammeAuthorisation]:
    queryset = (
        ProgrammeAuthorisation.objects.visible_to(user)
        .filter(programme=programme)
        .select_related("organisation")
        .order_by("organisation__name", "number", "pk")
    )
    return [_finish_authorisation(ap) for ap in authorisations_with_figures(queryset, year)]


# --- Operations ------------------------------------------------------------------------------------------


def operations_with_figures(user: User, programme: Programme, year: int) -> list[Operation]:
    """Per operation: PPI of the year, credits of the year's expense lines, committed and paid on them."""
    expenses = Expense.objects.filter(budget_line__year=year)
    lines = BudgetLine.objects.filter(year=year, direction=BudgetDirection.EXPENSE)
    rows = list(
        Operation.objects.visible_to(user)
        .filter(programme=programme)
        .annotate(
            ppi_year=_total(PlannedInvestment.objects.filter(year=year), "operation"),
            ppi_total=_total(PlannedInvestment.objects.all(), "operation"),
            voted_year=_total(lines, "operation", "voted_amount"),
            amendments_year=_total(lines, "operation", "amendments_amount"),
            committed_year=_total(expenses.filter(NOT_CANCELLED), "operation"),
            paid_year=_total(expenses.filter(PAID), "operation"),
        )
        .order_by("code", "pk")
    )
    for op in rows:
        op.credits_year = op.voted_year + op.amendments_year
    return rows


# --- Restes à réaliser -----------------------------------------------------------------------------------


@dataclass
class CarryForward:
    year: int
    expenses: list[Expense]

    @property
    def total(self) -> Decimal:
        return sum((e.amount_ttc for e in self.expenses), ZERO)

    def by_line(self) -> list[tuple[BudgetLine, Decimal, int]]:
        totals: dict[int, list] = {}
        for expense in self.expenses:
            entry = totals.setdefault(expense.budget_line_id, [expense.budget_line, ZERO, 0])
            entry[1] += expense.amount_ttc
            entry[2] += 1
        return [tuple(v) for v in totals.values()]

    def by_authorisation(self) -> list[tuple[ProgrammeAuthorisation, Decimal]]:
        totals: dict[int, list] = {}
        for expense in self.expenses:
            ap = expense.budget_line.authorisation
            if ap is not None:
                totals.setdefault(ap.pk, [ap, ZERO])[1] += expense.amount_ttc
        return [tuple(v) for v in totals.values()]


def carry_forward(programme: Programme, year: int, user: User | None = None) -> CarryForward:
    """The restes à réaliser at 31/12 of `year`: expenses committed by then (on budgets of that year or
    before), not cancelled, and not ordered (mandatées) by 31/12. With `user`, only the rows they may read."""
    end = datetime.date(year, 12, 31)
    queryset = Expense.objects.all() if user is None else Expense.objects.visible_to(user)
    expenses = (
        queryset.filter(budget_line__programme=programme, budget_line__year__lte=year, committed_on__lte=end)
        .exclude(status=E.CANCELLED)
        .filter(Q(ordered_on__isnull=True) | Q(ordered_on__gt=end))
        .select_related(
            "budget_line__organisation", "budget_line__account", "budget_line__authorisation", "operation"
        )
        .order_by(
            "budget_line__organisation__name",
            "budget_line__account__code",
            "budget_line_id",
            "committed_on",
            "pk",
        )
    )
    return CarryForward(year, list(expenses))


# --- Charts ------------------------------------------------------------------------------------------------


def _spread(amount: Decimal, weights: list[tuple[int, Decimal]]) -> list[tuple[int, Decimal]]:
    """Split `amount` over years in proportion to `weights`, to the cent; the last year takes the rest."""
    total = sum((w for _, w in weights), ZERO)
    if total <= 0:
        return []
    parts, given = [], ZERO
    for index, (year, weight) in enumerate(weights):
        part = amount - given if index == len(weights) - 1 else round_cents(amount * weight / total)
        given += part
        parts.append((year, part))
    return parts


@dataclass
class FundingByYear:
    years: list[int]
    series: list[Series]
    unplaced: Decimal  # lines of plans with neither a PPI nor an expense year


def funding_by_year(user: User, programme: Programme) -> FundingByYear:
    """Expected funding of the programme's operations by funding category and year: the amounts TTC of
    the financing lines not refused, spread over their operation's PPI years (or the plan's expense year)."""
    lines = list(
        FinancingLine.objects.visible_to(user)
        .filter(plan__operation__programme=programme)
        .exclude(status=FinancingLineStatus.REFUSED)
        .values_list("plan__operation_id", "plan__expense_year", "category", "amount_ttc")
    )
    ppi: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for operation_id, year, amount in (
        PlannedInvestment.objects.visible_to(user)
        .filter(operation__programme=programme, amount_ttc__gt=0)
        .order_by("operation_id", "year")
        .values_list("operation_id", "year", "amount_ttc")
    ):
        ppi[operation_id].append((year, amount))
    table: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    unplaced = ZERO
    for operation_id, expense_year, category, amount in lines:
        if ppi.get(operation_id):
            parts = _spread(amount, ppi[operation_id])
        elif expense_year:
            parts = [(expense_year, amount)]
        else:
            unplaced += amount
            continue
        for year, part in parts:
            table[category][year] += part
    years = sorted({year for by_year in table.values() for year in by_year})
    series = [
        Series(category.label, [table[category.value].get(year, ZERO) for year in years])
        for category in FundingCategory
        if category.value in table
    ]
    return FundingByYear(years, series, unplaced)


@dataclass
class PlannedVsActual:
    years: list[int]
    series: list[Series]


def planned_vs_actual(user: User, programme: Programme) -> PlannedVsActual:
    """Per year: the PPI, the CP voted on the programme's APs, and the expenses paid (by payment date)."""
    ppi = dict(
        PlannedInvestment.objects.visible_to(user)
        .filter(operation__programme=programme)
        .order_by()
        .values("year")
        .annotate(total=Sum("amount_ttc"))
        .values_list("year", "total")
    )
    credits = dict(
        PaymentCredit.objects.visible_to(user)
        .filter(authorisation__programme=programme)
        .exclude(authorisation__status="cancelled")
        .order_by()
        .values("year")
        .annotate(total=Sum("amount"))
        .values_list("year", "total")
    )
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for day, amount in (
        Expense.objects.visible_to(user)
        .filter(budget_line__programme=programme, status=E.PAID)
        .order_by()
        .values_list("paid_on", "amount_ttc")
    ):
        paid[day.year] += amount
    years = sorted(set(ppi) | set(credits) | set(paid))
    return PlannedVsActual(
        years,
        [
            Series("Prévu au PPI", [ppi.get(y, ZERO) for y in years]),
            Series("Crédits de paiement votés", [credits.get(y, ZERO) for y in years]),
            Series("Payé", [paid.get(y, ZERO) for y in years]),
        ],
    )


# --- Pages -------------------------------------------------------------------------------------------------


@dataclass
class ProgrammeBudgetPage:
    programme: Programme
    year: int
    groups: list[LineGroup]
    authorisations: list[ProgrammeAuthorisation]
    operations: list[Operation]
    carry_forward: CarryForward
    funding: FundingByYear
    planned: PlannedVsActual

    @property
    def expense_groups(self) -> list[LineGroup]:
        return [g for g in self.groups if g.is_expense]

    @property
    def revenue_groups(self) -> list[LineGroup]:
        return [g for g in self.groups if not g.is_expense]

    @property
    def authorisation_totals(self) -> dict[str, Decimal]:
        names = ["amount", "credit_year", "consumed_year", "committed_total", "paid_total", "remaining"]
        return {n: sum((getattr(ap, n) for ap in self.authorisations), ZERO) for n in names}

    @property
    def operation_totals(self) -> dict[str, Decimal]:
        names = ["ppi_year", "credits_year", "committed_year", "paid_year"]
        return {n: sum((getattr(op, n) for op in self.operations), ZERO) for n in names}


def programme_budget(user: User, programme: Programme, year: int) -> ProgrammeBudgetPage:
    """Everything the programme budget page (and its XLSX export) shows for `year`."""
    return ProgrammeBudgetPage(
        programme=programme,
        year=year,
        groups=group_lines(budget_lines(user, programme, year)),
        authorisations=authorisations(user, programme, year),
        operations=operations_with_figures(user, programme, year),
        carry_forward=carry_forward(programme, year, user),
        funding=funding_by_year(user, programme),
        planned=planned_vs_actual(user, programme),
    )


@dataclass
class PpiGrid:
    years: list[int]
    rows: list[tuple[Operation, list[Decimal], Decimal]]
    totals: list[Decimal]
    credits: list[Decimal]
    paid: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.totals, ZERO)


def ppi_grid(user: User, programme: Programme, year: int) -> PpiGrid:
    """The PPI as operations × years (from the earliest PPI year, or `year`, to the latest, at least
    `year` + 4), with the CP voted and the amounts paid per year next to it."""
    operations = list(Operation.objects.visible_to(user).filter(programme=programme).order_by("code", "pk"))
    amounts: dict[tuple[int, int], Decimal] = {}
    for operation_id, y, amount in (
        PlannedInvestment.objects.visible_to(user)
        .filter(operation__programme=programme)
        .values_list("operation_id", "year", "amount_ttc")
    ):
        amounts[(operation_id, y)] = amount
    planned = planned_vs_actual(user, programme)
    known = {y for _, y in amounts} | set(planned.years)
    first = min(known | {year})
    last = max(known | {year + 4})
    years = list(range(first, last + 1))
    rows = []
    for op in operations:
        values = [amounts.get((op.pk, y), ZERO) for y in years]
        rows.append((op, values, sum(values, ZERO)))
    by_year = dict(zip(planned.years, zip(*(s.values for s in planned.series), strict=True), strict=True))
    return PpiGrid(
        years=years,
        rows=rows,
        totals=[sum((r[1][i] for r in rows), ZERO) for i in range(len(years))],
        credits=[by_year.get(y, (ZERO, ZERO, ZERO))[1] for y in years],
        paid=[by_year.get(y, (ZERO, ZERO, ZERO))[2] for y in years],
    )


# --- Object pages ----------------------------------------------------------------------------------------


def authorisation_for_page(user: User, pk: int, year: int | None = None) -> ProgrammeAuthorisation:
    queryset = ProgrammeAuthorisation.objects.select_related("programme", "organisation")
    ap = policy.get_for_user(queryset, user, pk=pk)
    figures = authorisations_with_figures(
        ProgrammeAuthorisation.objects.filter(pk=ap.pk), year or policy.today().year
    ).get()
    for name in (
        "revisions_total",
        "credits_total",
        "credit_year",
        "consumed_year",
        "committed_total",
        "paid_total",
    ):
        setattr(ap, name, getattr(figures, name))
    return _finish_authorisation(ap)


def authorisation_credits(ap: ProgrammeAuthorisation) -> list[PaymentCredit]:
    """The AP's CP by year, each with what was committed on the year's lines and mandated that year."""
    credits = list(ap.payment_credits.order_by("year"))
    committed = dict(
        Expense.objects.filter(budget_line__authorisation=ap)
        .filter(NOT_CANCELLED)
        .order_by()
        .values("budget_line__year")
        .annotate(total=Sum("amount_ttc"))
        .values_list("budget_line__year", "total")
    )
    mandated: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for day, amount in (
        Expense.objects.filter(budget_line__authorisation=ap)
        .filter(ORDERED)
        .values_list("ordered_on", "amount_ttc")
    ):
        mandated[day.year] += amount
    for credit in credits:
        credit.committed = committed.get(credit.year, ZERO)
        credit.mandated = mandated.get(credit.year, ZERO)
        credit.available = credit.amount - credit.mandated
    return credits


def line_for_page(user: User, pk: int) -> BudgetLine:
    queryset = BudgetLine.objects.select_related(
        "programme", "organisation", "account", "operation", "authorisation"
    )
    line = policy.get_for_user(queryset, user, pk=pk)
    figures = lines_with_figures(BudgetLine.objects.filter(pk=line.pk)).get()
    for name in ("credits", "committed", "liquidated", "ordered", "paid", "titles"):
        setattr(line, name, getattr(figures, name))
    line.remaining = line.credits - line.committed
    return line


def expense_for_page(user: User, pk: int) -> Expense:
    return policy.get_for_user(
        Expense.objects.select_related("budget_line__programme", "budget_line__account", "operation"),
        user,
        pk=pk,
    )


def status_changes(obj: object, labels: type) -> list[StatusChange]:
    """The object's status changes, oldest first, with the French labels of `labels` (a TextChoices)."""
    changes = list(
        StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .select_related("by")
        .order_by("at", "pk")
    )
    names = dict(labels.choices)
    for change in changes:
        change.source_label = names.get(change.source, change.source)
        change.target_label = names.get(change.target, change.target)
        change.by_label = (change.by.get_full_name() or change.by.email) if change.by else "—"
    return changes
