"""The money figures of computed indicators (issue 10), one aggregate query each whatever the data size.

Providers (named by dotted path in `programmes.indicators.computations.PROVIDERS`, called as
`provider(programme_id, commune_id, day) -> Decimal | None`). They follow the conventions of the commune page
(`budget.selectors.commune`, docs/decisions/0009-money.md):

- `subsidies_obtained_rate`: awarded ÷ requested, in %, over the programme's subsidy requests filed on or before
  `day` and not withdrawn. *Requested*: the requests' amounts. *Awarded*: the decision's amount minus the
  reductions decided by `day`, for the requests decided by `day` (or whose award has no decision date) and not
  rejected, lapsed or withdrawn — a rejected or lapsed request counts as requested and brings nothing. None when
  nothing was requested.
- `subsidies_received`: € received on or before `day` (payments with a receipt date) minus the repayments
  decided by then, whatever the request's status.
- `expenses_paid`: € TTC of the programme's expenses ordered (mandatées) or paid whose mandate is dated on or
  before `day` (a payment always follows its mandate: `expense_paid_after_order`).

For a commune, only what finances or pays the operations whose communes include it: a request's amounts are
shared between its operations pro rata to their allocated amounts (as on the commune page); an expense counts
when its operation is in the commune. Statuses are the current ones, dates say « by `day` ».
"""

import datetime
from decimal import Decimal

from django.db.models import ExpressionWrapper, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf

from budget.models import (
    AdjustmentKind,
    Expense,
    ExpenseStatus,
    SubsidyAdjustment,
    SubsidyAllocation,
    SubsidyPayment,
    SubsidyRequest,
    SubsidyStatus,
)
from budget.selectors.commune import AMOUNT, CLOSED_WITHOUT_MONEY, _sum_of
from pvd.money import ZERO, round_cents


def _request_sums(request: OuterRef, day: datetime.date) -> dict[str, object]:
    """Per-request subqueries: allocated, received, reduced and repaid by `day` (0 when none)."""
    adjustments = SubsidyAdjustment.objects.filter(request=request, decided_on__lte=day)
    return {
        "allocated": _sum_of(SubsidyAllocation.objects.filter(request=request), "amount"),
        "received": _sum_of(
            SubsidyPayment.objects.filter(request=request, received_on__isnull=False, received_on__lte=day),
            "amount",
        ),
        "reduced": _sum_of(adjustments.filter(kind=AdjustmentKind.REDUCTION), "amount"),
        "repaid": _sum_of(adjustments.filter(kind=AdjustmentKind.REPAYMENT), "amount"),
    }


def _counted_award(prefix: str, day: datetime.date) -> Q:
    """The request's award counts on `day`: decided by then (or undated), not rejected, lapsed or withdrawn."""
    return (
        ~Q(**{f"{prefix}status__in": CLOSED_WITHOUT_MONEY})
        & Q(**{f"{prefix}awarded_amount__isnull": False})
        & (Q(**{f"{prefix}decided_on__lte": day}) | Q(**{f"{prefix}decided_on__isnull": True}))
    )


def _filed(prefix: str, day: datetime.date) -> Q:
    return Q(**{f"{prefix}filed_on__lte": day}) & ~Q(**{f"{prefix}status": SubsidyStatus.WITHDRAWN})


def _share(total: object, allocated: object) -> ExpressionWrapper:
    """An allocation's part of a request-wide amount, pro rata to the allocated amounts."""
    return ExpressionWrapper(total * F("amount") / NullIf(allocated, Value(ZERO)), output_field=AMOUNT)


def _zero(expression: object) -> Coalesce:
    return Coalesce(expression, Value(ZERO), output_field=AMOUNT)


def _money(programme_id: int, commune_id: int | None, day: datetime.date) -> dict[str, Decimal]:
    """requested, awarded (by `day`, for the requests filed by then) and received (net, by `day`). One query."""
    if commune_id is None:
        sums = _request_sums(OuterRef("pk"), day)
        awarded = Coalesce(F("awarded_amount"), Value(ZERO), output_field=AMOUNT) - sums["reduced"]
        totals = SubsidyRequest.objects.filter(programme_id=programme_id).aggregate(
            requested=_zero(Sum("requested_amount", filter=_filed("", day))),
            awarded=_zero(Sum(awarded, filter=_filed("", day) & _counted_award("", day))),
            received=_zero(Sum(sums["received"] - sums["repaid"])),
        )
    else:
        sums = _request_sums(OuterRef("request"), day)
        awarded = Coalesce(F("request__awarded_amount"), Value(ZERO), output_field=AMOUNT) - sums["reduced"]
        filed = _filed("request__", day)
        totals = SubsidyAllocation.objects.filter(
            request__programme_id=programme_id, operation__communes=commune_id
        ).aggregate(
            requested=_zero(Sum(_share(F("request__requested_amount"), sums["allocated"]), filter=filed)),
            awarded=_zero(
                Sum(_share(awarded, sums["allocated"]), filter=filed & _counted_award("request__", day))
            ),
            received=_zero(Sum(_share(sums["received"] - sums["repaid"], sums["allocated"]))),
        )
    return {key: Decimal(value) for key, value in totals.items()}


def subsidies_obtained_rate(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """Awarded ÷ requested (%), for the requests filed by `day`, not withdrawn; None when nothing was requested."""
    money = _money(programme_id, commune_id, day)
    if money["requested"] <= 0:
        return None
    return round_cents(money["awarded"] * 100 / money["requested"])


def subsidies_received(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """€ received by `day`, net of the repayments decided by then."""
    return round_cents(_money(programme_id, commune_id, day)["received"])


def expenses_paid(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """€ TTC of the expenses ordered or paid, mandated by `day`."""
    expenses = Expense.objects.filter(
        ordered_on__lte=day,
        budget_line__programme_id=programme_id,
        status__in=[ExpenseStatus.ORDERED, ExpenseStatus.PAID],
    )
    if commune_id is not None:
        expenses = expenses.filter(operation__communes=commune_id)
    total = expenses.aggregate(total=_zero(Sum("amount_ttc")))["total"]
    return round_cents(Decimal(total))
