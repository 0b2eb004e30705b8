"""The money of a commune's operations, for the mayor's commune page: what the operations cost, what the
subsidies bring (expected, awarded, received) and what remains to receive — in total, by funder and by
operation.

Two queries whatever the data size: the operations (with their financing plan's eligible cost), and the
subsidy allocations grouped by operation and funder (the request's totals as subqueries). Only the rows the
user sees (`visible_to`) count: a mayor never sees another commune's money.

Conventions (docs/decisions/0009-money.md):
- *expected*: the amounts allocated to the operations by requests that are not rejected, lapsed or withdrawn;
- *awarded*: the decision's amount minus the reductions recorded since, for those requests;
- *received*: payments with a receipt date on or before `day`, minus repayments made by then;
- a request that finances several operations is shared between them pro rata to their allocated amounts;
- *remaining to receive* = awarded − received, never below zero.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf

from budget.models import (
    AdjustmentKind,
    SubsidyAdjustment,
    SubsidyAllocation,
    SubsidyPayment,
    SubsidyStatus,
)
from operations.models import Operation
from partners.models import Organisation
from pvd.accounts import policy
from pvd.money import ZERO, round_cents

# A request in these statuses brings nothing (anymore): it is not expected, its award does not count.
CLOSED_WITHOUT_MONEY = (SubsidyStatus.REJECTED, SubsidyStatus.LAPSED, SubsidyStatus.WITHDRAWN)

AMOUNT = DecimalField(max_digits=20, decimal_places=2)


@dataclass
class MoneyFigures:
    """Expected, awarded and received amounts (€), and what follows from them."""

    expected: Decimal = ZERO
    awarded: Decimal = ZERO
    received: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        """Still to receive on the awards (never negative)."""
        return max(self.awarded - self.received, ZERO)

    @property
    def received_rate(self) -> Decimal | None:
        """Received / awarded as a fraction (capped at 1), None without an award."""
        if self.awarded <= 0:
            return None
        return min(self.received / self.awarded, Decimal(1))

    def add(self, other: "MoneyFigures") -> None:
        self.expected += other.expected
        self.awarded += other.awarded
        self.received += other.received


@dataclass
class FunderMoney(MoneyFigures):
    funder_id: int = 0
    name: str = ""


@dataclass
class OperationMoney(MoneyFigures):
    operation: Operation | None = None
    eligible_cost_ht: Decimal | None = None
    eligible_cost_ttc: Decimal | None = None


@dataclass
class CommuneMoney:
    """What the commune page shows: totals, one row per funder, one row per operation with money."""

    day: datetime.date
    eligible_cost_ht: Decimal = ZERO
    eligible_cost_ttc: Decimal = ZERO
    totals: MoneyFigures = field(default_factory=MoneyFigures)
    funders: list[FunderMoney] = field(default_factory=list)
    operations: list[OperationMoney] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.operations


def _sum_of(queryset: QuerySet, column: str) -> Subquery:
    """Subquery: the sum of `column` over `queryset` (already filtered on OuterRef), 0 when empty."""
    summed = queryset.order_by().values("request").annotate(total=Sum(column)).values("total")
    return Coalesce(Subquery(summed, output_field=AMOUNT), Value(ZERO), output_field=AMOUNT)


def _allocation_figures(operations: QuerySet, allocations: QuerySet, day: datetime.date) -> list[dict]:
    """One row per (operation, funder): expected, awarded and received, apportioned to each allocation, over the
    `allocations` the caller scoped (`visible_to(user)`, or all of them for a user-less summary)."""
    request = OuterRef("request")
    allocated = _sum_of(SubsidyAllocation.objects.filter(request=request), "amount")
    received = _sum_of(
        SubsidyPayment.objects.filter(request=request, received_on__isnull=False, received_on__lte=day),
        "amount",
    )
    adjustments = SubsidyAdjustment.objects.filter(request=request, decided_on__lte=day)
    reduced = _sum_of(adjustments.filter(kind=AdjustmentKind.REDUCTION), "amount")
    repaid = _sum_of(adjustments.filter(kind=AdjustmentKind.REPAYMENT), "amount")
    counts = ~Q(request__status__in=CLOSED_WITHOUT_MONEY)
    awarded = Coalesce(F("request__awarded_amount"), Value(ZERO), output_field=AMOUNT) - reduced

    def share(total: object) -> ExpressionWrapper:
        """The allocation's part of a request-wide amount (pro rata to the allocated amounts)."""
        return ExpressionWrapper(total * F("amount") / NullIf(allocated, Value(ZERO)), output_field=AMOUNT)

    return list(
        allocations.filter(operation__in=operations.values("pk"))
        .values("operation_id", "request__funder_id", "request__funder__name")
        .annotate(
            expected=Coalesce(Sum("amount", filter=counts), Value(ZERO), output_field=AMOUNT),
            awarded=Coalesce(
                Sum(share(awarded), filter=counts & Q(request__awarded_amount__isnull=False)),
                Value(ZERO),
                output_field=AMOUNT,
            ),
            received=Coalesce(Sum(share(received - repaid)), Value(ZERO), output_field=AMOUNT),
        )
        .order_by("operation_id", "request__funder__name", "request__funder_id")
    )


def commune_money(user: object, commune: Organisation, *, day: datetime.date | None = None) -> CommuneMoney:
    """The money of the commune's operations the user sees, on `day` (today by default). Two queries."""
    operations = Operation.objects.visible_to(user).filter(communes=commune)
    money, _ = money_of_operations(
        operations, SubsidyAllocation.objects.visible_to(user), day=day or policy.today()
    )
    return money


def money_of_operations(
    operations_qs: QuerySet[Operation], allocations: QuerySet[SubsidyAllocation], *, day: datetime.date
) -> tuple[CommuneMoney, dict[int, OperationMoney]]:
    """The money of `operations_qs` (scoped by the caller) on `day`: the totals, by funder and by operation, and
    every operation's figures by pk (funded or not). Two queries."""
    operations = list(
        operations_qs.annotate(
            plan_cost_ht=F("financing_plan__eligible_cost_ht"),
            plan_cost_ttc=F("financing_plan__eligible_cost_ttc"),
        ).order_by("code", "pk")
    )
    rows = _allocation_figures(operations_qs, allocations, day) if operations else []

    result = CommuneMoney(day=day)
    by_operation = {
        operation.pk: OperationMoney(
            operation=operation,
            eligible_cost_ht=operation.plan_cost_ht,  # type: ignore[attr-defined]
            eligible_cost_ttc=operation.plan_cost_ttc,  # type: ignore[attr-defined]
        )
        for operation in operations
    }
    funders: dict[int, FunderMoney] = {}
    for row in rows:
        figures = MoneyFigures(
            expected=round_cents(row["expected"]),
            awarded=round_cents(row["awarded"]),
            received=round_cents(row["received"]),
        )
        by_operation[row["operation_id"]].add(figures)
        funder = funders.setdefault(
            row["request__funder_id"],
            FunderMoney(funder_id=row["request__funder_id"], name=row["request__funder__name"]),
        )
        funder.add(figures)
        result.totals.add(figures)
    funded = {row["operation_id"] for row in rows}
    result.operations = [
        money for pk, money in by_operation.items() if pk in funded or money.eligible_cost_ht is not None
    ]
    for money in result.operations:
        result.eligible_cost_ht += money.eligible_cost_ht or ZERO
        result.eligible_cost_ttc += money.eligible_cost_ttc or ZERO
    result.funders = sorted(funders.values(), key=lambda f: (-f.awarded, -f.expected, f.name))
    return result, by_operation
