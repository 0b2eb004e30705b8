"""The money of one year of a programme for its annual report (issue 10, H5): the expenses paid during the year
(TTC), the subsidies awarded (decision dated in the year) and received (payments cashed in the year). One query
each, whatever the number of rows; grouping (by operation, by funder) is the caller's.
"""

import datetime

from budget.models import Expense, ExpenseStatus, SubsidyPayment, SubsidyRequest, SubsidyStatus


def expenses_paid_between(programme_id: int, start: datetime.date, end: datetime.date) -> list[Expense]:
    """Expenses of the programme's budget lines paid (`paid_on`, the comptable's payment) in [start, end], with
    their operation; cancelled ones left out."""
    return list(
        Expense.objects.filter(budget_line__programme_id=programme_id, paid_on__gte=start, paid_on__lte=end)
        .exclude(status=ExpenseStatus.CANCELLED)
        .select_related("operation")
        .order_by("paid_on", "pk")
    )


def subsidies_awarded_between(
    programme_id: int, start: datetime.date, end: datetime.date
) -> list[SubsidyRequest]:
    """Requests of the programme whose award was decided (`decided_on`) in [start, end], with their funder."""
    return list(
        SubsidyRequest.objects.filter(
            programme_id=programme_id,
            decided_on__gte=start,
            decided_on__lte=end,
            awarded_amount__isnull=False,
        )
        .exclude(status=SubsidyStatus.REJECTED)
        .select_related("funder")
        .order_by("decided_on", "title", "pk")
    )


def subsidy_payments_received_between(
    programme_id: int, start: datetime.date, end: datetime.date
) -> list[SubsidyPayment]:
    """Payments of the programme's subsidies cashed (`received_on`) in [start, end], with request and funder."""
    return list(
        SubsidyPayment.objects.filter(
            request__programme_id=programme_id, received_on__gte=start, received_on__lte=end
        )
        .select_related("request", "request__funder")
        .order_by("received_on", "pk")
    )
