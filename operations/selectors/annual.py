"""Reads of one year of a programme's operations for its annual report (issue 10, H5): the action plan as it
stood at the end of the year, the operations delivered during the year, the conventions and avenants signed in it.

Each read costs a fixed number of queries whatever the number of operations: the status at a date comes from the
operations' history table (the latest historical record on or before the date, one query with a subquery), not
from a walk over each operation's history.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min, OuterRef, Prefetch, Q, Subquery

from operations.conventions.models import Convention
from operations.models import DELIVERED_STATUSES, Operation, OperationStatus
from partners.models import Organisation

S = OperationStatus


@dataclass(frozen=True)
class OperationAt:
    """An operation as its historical record stood at a date."""

    pk: int
    code: str
    title: str
    status: str
    estimated_cost_ht: Decimal | None

    @property
    def status_label(self) -> str:
        return str(S(self.status).label)


def operations_as_of(programme_id: int, before: datetime.datetime) -> list[OperationAt]:
    """The programme's operations as they stood just before `before` (an aware datetime: the start of the next
    year): the latest historical record of each one dated before it. Operations created later are absent, and so
    are those deleted by then. One query."""
    history = Operation.history.model
    latest = (
        history.objects.filter(id=OuterRef("id"), history_date__lt=before)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    rows = (
        history.objects.filter(programme_id=programme_id, history_date__lt=before)
        .filter(history_id=Subquery(latest))
        .exclude(history_type="-")
        .order_by("code", "id")
        .values_list("id", "code", "title", "status", "estimated_cost_ht")
    )
    return [OperationAt(*row) for row in rows]


def operations_delivered_between(
    programme_id: int, start: datetime.datetime, end: datetime.datetime
) -> list[Operation]:
    """The programme's operations that became delivered (or closed) for the first time in [start, end), per their
    history, with `delivered_at` (that moment) and their communes. Two queries (the operations, their communes)."""
    history = Operation.history.model
    first_delivered = (
        history.objects.filter(id=OuterRef("pk"), status__in=DELIVERED_STATUSES)
        .order_by()
        .values("id")
        .annotate(first=Min("history_date"))
        .values("first")
    )
    return list(
        Operation.objects.filter(programme_id=programme_id)
        .annotate(delivered_at=Subquery(first_delivered))
        .filter(delivered_at__gte=start, delivered_at__lt=end)
        .prefetch_related(Prefetch("communes", queryset=Organisation.objects.order_by("name", "pk")))
        .order_by("delivered_at", "code", "pk")
    )


def conventions_signed_between(
    programme_id: int, start: datetime.date, end: datetime.date
) -> list[Convention]:
    """Conventions and avenants of the programme (or of its housing programmes) signed in [start, end]. One
    query."""
    of_programme = (
        Q(programme_id=programme_id)
        | Q(housing_programme__programme_id=programme_id)
        | Q(parent__programme_id=programme_id)
        | Q(parent__housing_programme__programme_id=programme_id)
    )
    return list(
        Convention.objects.filter(of_programme, signed_on__gte=start, signed_on__lte=end)
        .select_related("parent")
        .order_by("signed_on", "title", "pk")
    )
