"""Page-shaped reads of the action plan: the list of a programme's operations, one operation's page, the
status log.

The list is one query for its rows (owner, axis joined; progress and lateness annotated by subqueries) plus
one per many-to-many it shows (communes, themes: prefetched), whatever the number of rows. Rows come
through the access policy: a mayor reads the operations of their commune only (an operation of two
communes is read by both mayors).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, DateField, Max, Min, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from operations.models import Operation, OperationStatus, Phase
from partners.models import Organisation, Theme
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.models import StatusChange


def _ordered_communes() -> Prefetch:
    return Prefetch("communes", queryset=Organisation.objects.order_by("name", "pk"))


def _ordered_themes() -> Prefetch:
    return Prefetch("themes", queryset=Theme.objects.order_by("order", "pk"))


def programme_for_operations(user: User, pk: int) -> Programme:
    """The programme whose action plan a page shows; 404 out of scope. Read by the programme's readers and
    the mayors of its communes (who see only their commune's operations in it)."""
    queryset = Programme.objects.select_related("epci").prefetch_related(_ordered_communes())
    try:
        return policy.strategy_programmes(queryset, user).get(pk=pk)
    except Programme.DoesNotExist as error:
        raise Http404("Aucun objet ne correspond à votre demande.") from error


def action_plan(user: User, programme: Programme, day: datetime.date | None = None) -> QuerySet[Operation]:
    """The programme's operations the user may read, with progress and lateness on `day` (today)."""
    return (
        policy.visible_to(Operation.objects.all(), user)
        .filter(programme=programme)
        .select_related("owner", "axis", "objective", "elected_in_charge", "technician_in_charge")
        .prefetch_related(_ordered_communes(), _ordered_themes())
        .with_progress()
        .with_lateness(day or policy.today())
        .order_by("code", "pk")
    )


def with_calendar(operations: QuerySet[Operation]) -> QuerySet[Operation]:
    """Annotate `planned_start`, `planned_end` (baseline of the phases) and `forecast_end` (forecast end of
    the phases, else their baseline end): three subqueries, no join, for the exports."""
    phases = Phase.objects.filter(operation=OuterRef("pk")).order_by().values("operation")

    def first(expression: Min | Max) -> Subquery:
        return Subquery(phases.annotate(v=expression).values("v")[:1], output_field=DateField())

    return operations.annotate(
        planned_start=first(Min("baseline_start")),
        planned_end=first(Max("baseline_end")),
        forecast_end=first(Max(Coalesce("forecast_end", "baseline_end"))),
    )


@dataclass(frozen=True)
class Totals:
    count: int
    cost_ht: Decimal
    cost_ttc: Decimal


def action_plan_totals(operations: QuerySet[Operation]) -> Totals:
    """Count and estimated costs of the (filtered) list, in one aggregate query (unknown costs count 0)."""
    row = operations.order_by().aggregate(
        n=Count("pk"), ht=Sum("estimated_cost_ht"), ttc=Sum("estimated_cost_ttc")
    )
    return Totals(row["n"], row["ht"] or Decimal("0.00"), row["ttc"] or Decimal("0.00"))


def _operation_page_queryset(day: datetime.date) -> QuerySet[Operation]:
    return (
        Operation.objects.select_related(
            "programme", "owner", "axis", "objective", "elected_in_charge", "technician_in_charge"
        )
        .prefetch_related(_ordered_communes(), _ordered_themes(), "partners")
        .with_progress()
        .with_lateness(day)
    )


def operation_for_page(user: User, pk: int, day: datetime.date | None = None) -> Operation:
    """One operation with what its page shows; 404 out of the user's scope."""
    return policy.get_for_user(_operation_page_queryset(day or policy.today()), user, pk=pk)


# --- Documents shared by an object's readers (pvd.reports) --------------------------------------------------
# A document is rendered in Celery, for every reader of its object: these reads take no user. The caller
# checked that the document's reader sees the whole object (an operation's readers see all of it; a
# programme's readers see all its operations).


def operation_for_document(pk: int, day: datetime.date) -> Operation:
    """One operation with what its page shows (the fiche-action PDF). Four queries."""
    return _operation_page_queryset(day).get(pk=pk)


def programme_operations(programme: Programme, day: datetime.date) -> list[Operation]:
    """Every operation of the programme with its owner and axis, `progress`, `is_late` on `day`, and
    `planned_end` / `forecast_end` (the committee report). One query whatever the number of operations."""
    return list(
        with_calendar(
            Operation.objects.filter(programme=programme)
            .select_related("owner", "axis")
            .with_progress()
            .with_lateness(day)
        ).order_by("code", "pk")
    )


def action_plan_counts(programme: Programme) -> list[dict[str, object]]:
    """The programme's operations counted by axis and status: rows of `axis_id`, `axis__title`,
    `axis__order`, `status`, `n` (the project summary). One query."""
    return list(
        Operation.objects.filter(programme=programme)
        .values("axis_id", "axis__title", "axis__order", "status")
        .annotate(n=Count("pk"))
        .order_by("axis__order", "axis__title", "axis_id", "status")
    )


def status_changes(operation: Operation) -> list[StatusChange]:
    """The operation's transitions, newest first, with their authors and French labels (one query)."""
    changes = list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Operation), object_id=operation.pk
        )
        .select_related("by")
        .order_by("-at", "-pk")
    )
    for change in changes:
        change.source_label = OperationStatus(change.source).label if change.source else ""  # type: ignore[attr-defined]
        change.target_label = OperationStatus(change.target).label  # type: ignore[attr-defined]
        by = change.by
        change.by_label = (by.get_full_name() or by.email) if by else "Système (reprise de données)"  # type: ignore[attr-defined]
    return changes
