"""Page-shaped reads of an operation's money tab: its plan and lines, the checks, the FCTVA, the net cost.

A fixed number of queries whatever the number of lines or PPI rows: the operation (+ programme, owner), the
plan, its lines (+ funder, scheme), the PPI rows, every dated parameter (one table), the owner's FCTVA timings.
The operation comes through the access policy (404 outside the user's scope).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from budget import fctva, rules
from budget.models import (
    FctvaTiming,
    FinancingLine,
    FinancingLineStatus,
    FinancingPlan,
    PlannedInvestment,
)
from operations.models import Operation
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.money import ZERO


def operation_for_money(user: User, pk: int) -> Operation:
    """The operation whose money tab is asked for; 404 out of the user's scope (a mayor: their communes)."""
    return policy.get_for_user(Operation.objects.select_related("programme", "owner"), user, pk=pk)


def plan_of(operation: Operation) -> FinancingPlan | None:
    return FinancingPlan.objects.filter(operation=operation).first()


def lines_of(plan: FinancingPlan) -> list[FinancingLine]:
    lines = list(plan.lines.select_related("funder", "scheme").order_by("position", "pk"))
    for line in lines:
        line.plan = plan  # no query to come back to the plan
        # The base the line's rate is computed on: its own, else the plan's eligible expense HT.
        line.effective_base = line.base_ht if line.base_ht is not None else plan.eligible_cost_ht  # type: ignore[attr-defined]
        line.effective_rate = line.amount_ht / line.effective_base if line.effective_base else None  # type: ignore[attr-defined]
    return lines


@dataclass(frozen=True)
class StatusTotal:
    status: str
    label: str
    amount_ht: Decimal
    amount_ttc: Decimal


@dataclass
class MoneyTab:
    """Everything the money tab (and its XLSX export) shows about one operation, on `day`."""

    operation: Operation
    day: datetime.date
    plan: FinancingPlan | None = None
    lines: list[FinancingLine] = field(default_factory=list)
    planned: list[PlannedInvestment] = field(default_factory=list)
    checks: list[rules.Check] = field(default_factory=list)
    estimate: fctva.FctvaEstimate | None = None
    net: rules.NetCost | None = None

    @property
    def counted_lines(self) -> list[FinancingLine]:
        return rules.counted(self.lines)

    @property
    def total_ht(self) -> Decimal:
        """Total of the lines that count (refused lines excluded)."""
        return sum((line.amount_ht for line in self.counted_lines), ZERO)

    @property
    def total_ttc(self) -> Decimal:
        return sum((line.amount_ttc for line in self.counted_lines), ZERO)

    @property
    def own_total_ht(self) -> Decimal:
        """The owner's own share (own funds and borrowing) among the lines that count."""
        return sum(
            (line.amount_ht for line in self.counted_lines if line.category in rules.OWN_CATEGORIES), ZERO
        )

    @property
    def gap_ht(self) -> Decimal | None:
        return None if self.plan is None else self.total_ht - self.plan.eligible_cost_ht

    @property
    def gap_ttc(self) -> Decimal | None:
        return None if self.plan is None else self.total_ttc - self.plan.eligible_cost_ttc

    @property
    def by_status(self) -> list[StatusTotal]:
        totals = []
        for status in FinancingLineStatus:
            lines = [line for line in self.lines if line.status == status]
            if lines:
                totals.append(
                    StatusTotal(
                        status.value,
                        status.label,
                        sum((line.amount_ht for line in lines), ZERO),
                        sum((line.amount_ttc for line in lines), ZERO),
                    )
                )
        return totals

    @property
    def planned_total(self) -> Decimal:
        return sum((row.amount_ttc for row in self.planned), ZERO)

    @property
    def failing_checks(self) -> list[rules.Check]:
        return [check for check in self.checks if check.state == "failed"]

    @property
    def unknown_checks(self) -> list[rules.Check]:
        return [check for check in self.checks if check.state == "unknown"]


def money_tab(operation: Operation, day: datetime.date | None = None) -> MoneyTab:
    """The money tab of `operation` (already fetched through the policy) judged on `day` (today)."""
    day = day or policy.today()
    planned = list(PlannedInvestment.objects.filter(operation=operation).order_by("year", "pk"))
    tab = MoneyTab(operation=operation, day=day, planned=planned)
    plan = plan_of(operation)
    if plan is None:
        return tab
    plan.operation = operation
    tab.plan = plan
    tab.lines = lines_of(plan)
    table = rules.ParameterTable.load()
    tab.checks = rules.check_plan(plan, tab.lines, day=day, parameters=table)
    tab.estimate = fctva.estimate(
        plan,
        owner=operation.owner,
        planned=planned,
        day=day,
        parameters=table,
        timings=FctvaTiming.objects.filter(organisation=operation.owner),
    )
    tab.net = rules.net_cost(plan, tab.lines, fctva=tab.estimate.total, fctva_complete=tab.estimate.complete)
    return tab


# --- A programme's financing plans by funder (pvd.reports: the committee report) ------------------------------


@dataclass(frozen=True)
class FunderPlan:
    funder_id: int
    name: str
    amount_ht: Decimal
    lines: int


def plan_by_funder(programme_id: int) -> list[FunderPlan]:
    """What the financing plans of the programme's operations expect from each funder (lines not refused, € HT),
    the largest first. For a document read by the programme's readers, who see every plan (the caller checked
    the access). One query whatever the number of operations and lines."""
    rows = (
        FinancingLine.objects.filter(
            plan__operation__programme_id=programme_id, status__in=sorted(rules.COUNTED_STATUSES)
        )
        .values("funder_id", "funder__name")
        .annotate(total=Sum("amount_ht"), n=Count("pk"))
        .order_by()
    )
    found = [FunderPlan(r["funder_id"], r["funder__name"], r["total"] or ZERO, r["n"]) for r in rows]
    return sorted(found, key=lambda f: (-f.amount_ht, f.name, f.funder_id))
