"""The money of a programme for its dashboard (issue 10): the plan (estimated and eligible cost of the
operations), what the financing plans expect from each funder, what was requested, awarded and received (total
and by funder), the subsidy pipeline by status with its deadlines, budget execution by year and the AP/CP.

The conventions are those of the commune page and of the pipeline (docs/decisions/0009-money.md): *awarded* is
the decision minus reductions, for requests not rejected, lapsed or withdrawn; *received* is what came in minus
repayments; *remaining to receive* = awarded − received, never below zero. *Planned* is the amount HT of the
financing-plan lines that count (envisaged, requested, granted; `rules.COUNTED_STATUSES`).

A fixed number of queries whatever the data size: plan totals (1), plan by funder (1), the pipeline (3),
budget execution by year (3), AP/CP (1). Rows come through the access policy.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from budget import rules
from budget.models import FinancingLine, ProgrammeAuthorisation
from budget.selectors.programme_budget import PlannedVsActual, authorisations, planned_vs_actual
from budget.selectors.subsidies import Filters, Pipeline, pipeline
from operations.models import Operation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.money import ZERO

AUTHORISATION_FIGURES = (
    "amount",
    "credit_year",
    "consumed_year",
    "committed_total",
    "paid_total",
    "remaining",
)


@dataclass
class PlanTotals:
    """What the operations cost: the action plan's estimate, and the eligible cost of their financing plans."""

    estimated_ht: Decimal = ZERO
    estimated_ttc: Decimal = ZERO
    eligible_ht: Decimal = ZERO
    eligible_ttc: Decimal = ZERO
    plans: int = 0


@dataclass
class FunderMoney:
    """One funder's money across the programme (€): planned HT in the plans, requested, awarded, received."""

    funder_id: int | None
    name: str
    planned: Decimal = ZERO
    requested: Decimal = ZERO
    awarded: Decimal = ZERO
    received: Decimal = ZERO
    remaining: Decimal = ZERO
    requests: int = 0

    def add(self, other: "FunderMoney") -> None:
        for name in ("planned", "requested", "awarded", "received", "remaining", "requests"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ProgrammeMoney:
    day: datetime.date
    year: int
    plan: PlanTotals
    totals: FunderMoney
    funders: list[FunderMoney]
    pipeline: Pipeline
    execution: PlannedVsActual
    authorisations: list[ProgrammeAuthorisation]
    authorisation_totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def awarded_rate(self) -> Decimal | None:
        """Awarded ÷ eligible cost HT of the plans (None without plans)."""
        if self.plan.eligible_ht <= 0:
            return None
        return self.totals.awarded / self.plan.eligible_ht

    @property
    def received_rate(self) -> Decimal | None:
        """Received ÷ awarded (None without award)."""
        if self.totals.awarded <= 0:
            return None
        return self.totals.received / self.totals.awarded


def plan_totals(user: User, programme: Programme) -> PlanTotals:
    """Estimated cost of the operations and eligible cost of their financing plans, HT and TTC. One query."""
    row = (
        policy.visible_to(Operation.objects.all(), user)
        .filter(programme=programme)
        .order_by()
        .aggregate(
            estimated_ht=Sum("estimated_cost_ht"),
            estimated_ttc=Sum("estimated_cost_ttc"),
            eligible_ht=Sum("financing_plan__eligible_cost_ht"),
            eligible_ttc=Sum("financing_plan__eligible_cost_ttc"),
            plans=Count("financing_plan"),
        )
    )
    return PlanTotals(**{key: value or (0 if key == "plans" else ZERO) for key, value in row.items()})


def planned_by_funder(user: User, programme: Programme) -> dict[int, tuple[str, Decimal]]:
    """{funder id: (name, amount HT)} of the financing-plan lines that count. One query."""
    rows = (
        FinancingLine.objects.visible_to(user)
        .filter(plan__operation__programme=programme, status__in=sorted(rules.COUNTED_STATUSES))
        .values("funder_id", "funder__name")
        .annotate(total=Sum("amount_ht"))
        .order_by()
    )
    return {row["funder_id"]: (row["funder__name"], row["total"] or ZERO) for row in rows}


def programme_money(user: User, programme: Programme, *, day: datetime.date) -> ProgrammeMoney:
    """Everything the dashboard's money and subsidy sections show, on `day` (AP/CP of `day`'s year)."""
    planned = planned_by_funder(user, programme)
    pipe = pipeline(user, programme, Filters(), day)
    funders: dict[int, FunderMoney] = {
        pk: FunderMoney(pk, name, planned=amount) for pk, (name, amount) in planned.items()
    }
    for request in pipe.requests:
        funder = funders.setdefault(request.funder_id, FunderMoney(request.funder_id, request.funder.name))
        funder.requested += request.requested_amount
        funder.awarded += request.counted_award  # type: ignore[attr-defined]
        funder.received += request.net_received  # type: ignore[attr-defined]
        funder.remaining += request.remaining  # type: ignore[attr-defined]
        funder.requests += 1
    totals = FunderMoney(None, "Total")
    for funder in funders.values():
        totals.add(funder)
    aps = authorisations(user, programme, day.year)
    return ProgrammeMoney(
        day=day,
        year=day.year,
        plan=plan_totals(user, programme),
        totals=totals,
        funders=sorted(funders.values(), key=lambda f: (-f.planned, -f.requested, f.name)),
        pipeline=pipe,
        execution=planned_vs_actual(user, programme),
        authorisations=aps,
        authorisation_totals={n: sum((getattr(ap, n) for ap in aps), ZERO) for n in AUTHORISATION_FIGURES},
    )
