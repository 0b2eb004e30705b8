"""Reads of a commune's operations for the mayor's commune page and its one-page summary (issue 10, H4).

Every function takes the operations to read as a queryset — the caller scopes it (`visible_to(user)` for the
page, every operation of the commune for the summary shared by all its readers) — so nothing here depends on
who asks. Each costs a fixed number of queries whatever the number of operations:
- `operations_by_status`: one query (progress, lateness and latest journal entry as subqueries);
- `operation_changes`: two queries (status changes, journal entries), each capped at `limit` rows;
- `procurement_deadlines`: one query (the consultations with their contracts' dates).
"""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from operations.models import Operation, OperationStatus, ProgressReport
from operations.procurement import timeline
from operations.procurement.models import Consultation
from operations.procurement.selectors.consultations import deadlines_of, with_contract_dates
from operations.selectors.tracking import COMMUNE_GROUPS
from pvd.models import StatusChange


@dataclass(frozen=True)
class StatusGroup:
    """One status group of the commune page (livrées, en travaux, engagées, en préparation, suspendues ou
    abandonnées), with its operations (possibly none: the count 0 is shown too, honestly)."""

    key: str
    label: str
    operations: list[Operation]

    @property
    def count(self) -> int:
        return len(self.operations)


def operations_by_status(operations: QuerySet[Operation], day: datetime.date) -> list[StatusGroup]:
    """The operations in the five groups of the commune page (every group, even empty), each operation
    annotated with `progress` (fraction), `is_late`, its latest journal entry (`latest_report_on`,
    `latest_weather`, `latest_weather_label`) and its owner. One query."""
    latest = ProgressReport.objects.filter(operation=OuterRef("pk")).order_by("-reported_on", "-pk")
    rows = list(
        operations.select_related("owner")
        .with_progress()
        .with_lateness(day)
        .annotate(
            latest_report_on=Subquery(latest.values("reported_on")[:1]),
            latest_weather=Subquery(latest.values("weather")[:1]),
        )
        .order_by("code", "pk")
    )
    weather_labels = dict(ProgressReport.Weather.choices)
    for operation in rows:
        operation.latest_weather_label = weather_labels.get(operation.latest_weather or "", "")  # type: ignore[attr-defined]
    return [
        StatusGroup(key, label, [o for o in rows if o.status in statuses])
        for key, label, statuses in COMMUNE_GROUPS
    ]


@dataclass(frozen=True)
class Change:
    """Something that happened on the commune's operations (or their subsidies), to tell the mayor."""

    at: datetime.datetime
    kind: str  # status / report / decision / payment
    kind_label: str
    subject: str  # the operation (« W-03 — Requalification… ») or the subsidy request
    text: str


STATUS_LABELS = dict(OperationStatus.choices)


def _status(value: str) -> str:
    return STATUS_LABELS.get(value, value)


def operation_changes(
    operations: QuerySet[Operation], since: datetime.datetime, *, limit: int = 10
) -> list[Change]:
    """The status changes and journal entries of `operations` recorded after `since`, newest first (at most
    `limit` of each kind: the page keeps the `limit` newest of all kinds). Two queries."""
    operation = Operation.objects.filter(pk=OuterRef("object_id"))
    status_rows = list(
        StatusChange.objects.filter(
            content_type__app_label="operations",  # a join, not ContentType's cache: a fixed query count
            content_type__model="operation",
            object_id__in=operations.values("pk"),
            at__gt=since,
        )
        .exclude(source="")  # the creation of the operation is not a change of status
        .annotate(code=Subquery(operation.values("code")[:1]), title=Subquery(operation.values("title")[:1]))
        .order_by("-at", "-pk")
        .values("at", "code", "title", "source", "target")[:limit]
    )
    changes = [
        Change(
            at=row["at"],
            kind="status",
            kind_label="Changement de statut",
            subject=f"{row['code']} — {row['title']}",
            text=f"{_status(row['source'])} → {_status(row['target'])}",
        )
        for row in status_rows
    ]
    weather_labels = dict(ProgressReport.Weather.choices)
    reports = (
        ProgressReport.objects.filter(operation__in=operations.values("pk"), created_at__gt=since)
        .select_related("operation")
        .order_by("-created_at", "-pk")[:limit]
    )
    changes += [
        Change(
            at=report.created_at,
            kind="report",
            kind_label="Point d'avancement",
            subject=f"{report.operation.code} — {report.operation.title}",
            text=f"{report.reported_on:%d/%m/%Y} — {weather_labels.get(report.weather, report.weather)}",
        )
        for report in reports
    ]
    return changes


def procurement_deadlines(operations: QuerySet[Operation], day: datetime.date) -> list[timeline.TimelineItem]:
    """The open deadlines (upcoming, warning, overdue) of the consultations of `operations` that are still
    running: offers, questions, standstill, award notice, transmission to the préfet. One query."""
    through = Consultation.operations.through
    consultations = with_contract_dates(
        Consultation.objects.filter(
            pk__in=through.objects.filter(operation_id__in=operations.values("pk")).values("consultation_id")
        ).exclude(status__in=timeline.CLOSED)
    ).order_by("pk")
    return [item for c in consultations for item in deadlines_of(c, day) if item.is_open and item.due_on]
