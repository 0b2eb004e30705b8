"""Page-shaped reads of an operation's follow-up (phases, progress, lateness, journal, risks) and of the
operations of a commune, for the mayor's commune page (read by pvd.views through operations.selectors).

Query counts do not grow with the data: the operation page's block costs three queries (phases, reports
with their authors, risks with who escalated them); the commune page's list costs one.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from operations.models import (
    ACTIVE_STATUSES,
    DELIVERED_STATUSES,
    PREPARATION_STATUSES,
    Operation,
    OperationStatus,
    Phase,
    ProgressReport,
    Risk,
    RiskStatus,
)
from operations.services.tracking import can_escalate
from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User

ZERO = Decimal(0)


def phase_progress(phases: list[Phase]) -> Decimal | None:
    """The weighted mean of the phases' progress (fraction), None without weighted phases: the Python twin
    of OperationQuerySet.with_progress() for phases already loaded."""
    total = sum((p.weight for p in phases), start=ZERO)
    if total <= 0:
        return None
    return sum((p.weight * p.progress for p in phases), start=ZERO) / total


@dataclass
class Tracking:
    """What the operation page shows of the follow-up. Each phase carries `is_late` (against its baseline,
    today); risks carry `can_escalate`."""

    operation: Operation
    day: datetime.date
    phases: list[Phase]
    progress: Decimal
    progress_is_computed: bool
    is_late: bool
    reports: list[ProgressReport]
    risks: list[Risk]
    can_edit: bool = False
    escalations: list[Risk] = field(default_factory=list)

    @property
    def latest_report(self) -> ProgressReport | None:
        return self.reports[0] if self.reports else None

    @property
    def late_phases(self) -> list[Phase]:
        return [p for p in self.phases if p.is_late]  # type: ignore[attr-defined]

    @property
    def open_risks(self) -> list[Risk]:
        return [r for r in self.risks if r.status != RiskStatus.CLOSED]


def tracking_for_page(user: User, operation: Operation, day: datetime.date | None = None) -> Tracking:
    """The follow-up of an operation the user already reaches (fetched through visible_to). 3 queries."""
    day = day or policy.today()
    phases = list(operation.phases.order_by("order", "pk"))  # 1
    for phase in phases:
        phase.is_late = phase.is_late_on(day)  # type: ignore[attr-defined]
    reports = list(operation.reports.select_related("author").order_by("-reported_on", "-pk"))  # 2
    risks = list(operation.risks.select_related("escalated_by").order_by("status", "-level", "pk"))  # 3
    for risk in risks:
        risk.can_escalate = can_escalate(risk)  # type: ignore[attr-defined]
    computed = phase_progress(phases)
    progress = computed if computed is not None else (operation.manual_progress or ZERO)
    return Tracking(
        operation=operation,
        day=day,
        phases=phases,
        progress=progress,
        progress_is_computed=computed is not None,
        is_late=operation.status in ACTIVE_STATUSES and any(p.is_late for p in phases),  # type: ignore[attr-defined]
        reports=reports,
        risks=risks,
        can_edit=policy.can_edit_operations(user, operation.programme),
        escalations=[r for r in risks if r.status == RiskStatus.ESCALATED],
    )


def escalated_difficulties(user: User, programme: Programme) -> QuerySet[Risk]:
    """The programme's difficulties awaiting an arbitration, oldest escalation first: what the governance
    issue's committee agenda reads (and what `operations.signals.difficulty_escalated` announced)."""
    return (
        policy.visible_to(Risk.objects.all(), user)
        .filter(operation__programme=programme, status=RiskStatus.ESCALATED)
        .select_related("operation", "escalated_by")
        .order_by("escalated_on", "pk")
    )


# --- The mayor's commune page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OperationGroup:
    key: str
    label: str
    operations: list[Operation]


S = OperationStatus
# The commune page's groups, in reading order: what is done, what is being built, what is decided, what is
# being prepared, then the suspended and abandoned ones.
COMMUNE_GROUPS: list[tuple[str, str, frozenset[str]]] = [
    ("delivered", "Livrées", DELIVERED_STATUSES),
    ("works", "En travaux", frozenset({S.WORKS})),
    ("committed", "Engagées", frozenset({S.COMMITTED})),
    ("preparation", "En préparation", PREPARATION_STATUSES),
    ("other", "Suspendues ou abandonnées", frozenset({S.SUSPENDED, S.ABANDONED})),
]


def commune_operations(
    user: User, commune: Organisation, day: datetime.date | None = None
) -> list[OperationGroup]:
    """The commune's operations the user reaches, grouped by status (empty groups left out), each annotated
    with `progress` (fraction), `is_late`, and the date and weather of its latest journal entry
    (`latest_report_on`, `latest_weather`, with `latest_weather_label`). One query."""
    day = day or policy.today()
    latest = ProgressReport.objects.filter(operation=OuterRef("pk")).order_by("-reported_on", "-pk")
    operations = list(
        Operation.objects.visible_to(user)
        .filter(communes=commune)
        .with_progress()
        .with_lateness(day)
        .annotate(
            latest_report_on=Subquery(latest.values("reported_on")[:1]),
            latest_weather=Subquery(latest.values("weather")[:1]),
        )
        .order_by("code", "pk")
    )
    weather_labels = dict(ProgressReport.Weather.choices)
    for operation in operations:
        operation.latest_weather_label = weather_labels.get(operation.latest_weather or "", "")  # type: ignore[attr-defined]
    groups = []
    for key, label, statuses in COMMUNE_GROUPS:
        members = [o for o in operations if o.status in statuses]
        if members:
            groups.append(OperationGroup(key, label, members))
    return groups
