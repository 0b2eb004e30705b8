"""The action plan's figures for computed indicators (issue 10), and the indicators shown on an operation's page.

Providers (named by dotted path in `programmes.indicators.computations.PROVIDERS`, called as
`provider(programme_id, commune_id, day) -> Decimal | None`), one aggregate query each whatever the number of
operations:

- `delivered_count`: the operations of the programme delivered or closed (« livrées » or « soldées ») on `day`;
- `delivered_rate`: those ÷ the operations not abandoned, in % (None without any such operation);
- `committed_rate`: the operations committed, in works, delivered or closed ÷ the operations not abandoned, in %.

For a commune: the operations whose communes include it (an operation of two communes counts in both). A
suspended operation counts in the denominator, never in the numerator.

Status « on `day` »: today or later, the current status; for a past day, the status of the operation's latest
historical record (django-simple-history) dated on or before the end of that day (Paris time), in the same single
query. An operation with no record by then did not exist yet and is not counted. Its communes are the current ones.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from operations.models import COMMITTED_OR_FURTHER, DELIVERED_STATUSES, Operation, OperationStatus
from programmes.indicators.models import Indicator, Measurement
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.money import round_cents

S = OperationStatus


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first instant after `day`, in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def status_counts(programme_id: int, commune_id: int | None, day: datetime.date) -> dict[str, int]:
    """{status: number of operations} of the programme (or of one of its communes) on `day`. One query."""
    operations = Operation.objects.filter(programme_id=programme_id).order_by()
    if commune_id is not None:
        operations = operations.filter(communes=commune_id)
    if day >= timezone.localdate():
        rows = operations.values("status").annotate(n=Count("pk")).values_list("status", "n")
    else:
        records = Operation.history.model.objects.filter(id=OuterRef("pk"), history_date__lt=_end_of(day))
        then = Subquery(records.order_by("-history_date", "-history_id").values("status")[:1])
        rows = (
            operations.annotate(status_then=then)
            .filter(status_then__isnull=False)
            .values("status_then")
            .annotate(n=Count("pk"))
            .values_list("status_then", "n")
        )
    return dict(rows)


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return round_cents(Decimal(part) * 100 / Decimal(whole))


def _count(counts: dict[str, int], statuses: frozenset[str]) -> int:
    return sum(counts.get(status, 0) for status in statuses)


def delivered_count(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """Operations delivered or closed on `day` (a number)."""
    return Decimal(_count(status_counts(programme_id, commune_id, day), DELIVERED_STATUSES))


def delivered_rate(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """Delivered or closed ÷ not abandoned, in %; None when no operation counts."""
    counts = status_counts(programme_id, commune_id, day)
    alive = sum(counts.values()) - counts.get(S.ABANDONED, 0)
    return _rate(_count(counts, DELIVERED_STATUSES), alive)


def committed_rate(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None:
    """Committed, works, delivered or closed ÷ not abandoned, in %; None when no operation counts."""
    counts = status_counts(programme_id, commune_id, day)
    alive = sum(counts.values()) - counts.get(S.ABANDONED, 0)
    return _rate(_count(counts, COMMITTED_OR_FURTHER), alive)


# --- The operation's page ------------------------------------------------------------------------------------


def operation_indicators(user: User, operation: Operation) -> QuerySet[Indicator]:
    """The indicators the operation moves that the user sees, each with its latest measurement (`latest_value`,
    `latest_on`) — one query, whatever the number of indicators and measurements."""
    latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-measured_on", "-pk")
    return (
        policy.visible_to(operation.indicators.all(), user)
        .select_related("commune")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("measured_on")[:1]),
        )
        .order_by(
            F("commune__name").asc(nulls_first=True), "name", "pk"
        )  # programme-wide first, as everywhere
    )
