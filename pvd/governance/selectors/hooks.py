"""What the other pages read from governance (issue 8, H7): the commune page's next meeting, the programme
dashboard's active alerts and arbitrations awaiting a decision, the annual report's decisions and arbitrations of
the year, the committee report's governance section, and the convention's « Instances de gouvernance » block.

Each function reads the governance models directly in a fixed number of queries (noted on each), none per row.
The convention block is named by dotted path in `operations.conventions.blocks.PROVIDERS`: operations never
imports governance.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from pvd.accounts import policy
from pvd.governance.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertLevel,
    Arbitration,
    ArbitrationStatus,
    Committee,
    CommitteeKind,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingStatus,
)
from pvd.tables import Table, table

# --- The commune page: the next meeting -------------------------------------------------------------------------


def next_meeting_of_commune(commune: Any, *, now: datetime.datetime | None = None) -> Meeting | None:
    """The next planned meeting of an active body of a programme the commune belongs to (one query)."""
    return (
        Meeting.objects.filter(
            committee__programme__communes=commune,
            committee__active=True,
            status=MeetingStatus.PLANNED,
            starts_at__gte=now or timezone.now(),
        )
        .select_related("committee")
        .order_by("starts_at", "pk")
        .first()
    )


def can_read_meeting(user: object, meeting: Meeting) -> bool:
    """Whether `user` may open the meeting's page (one query)."""
    return policy.visible_to(Meeting.objects.filter(pk=meeting.pk), user).exists()


# --- The programme dashboard: alerts and arbitrations awaiting a decision ---------------------------------------


@dataclass(frozen=True)
class AlertCount:
    level: int
    label: str
    count: int


@dataclass
class ActiveAlerts:
    by_level: list[AlertCount] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.count for line in self.by_level)


def active_alerts(programme: Any) -> ActiveAlerts:
    """The programme's active alerts (open, acknowledged, escalated) counted by level, the most serious first —
    every level listed, zero included (one query)."""
    counts = dict(
        Alert.objects.filter(programme=programme, status__in=ACTIVE_STATUSES)
        .order_by()
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    return ActiveAlerts(
        [AlertCount(level.value, level.label, counts.get(level.value, 0)) for level in reversed(AlertLevel)]
    )


def arbitrations_awaiting(user: object, programme: Any) -> list[Arbitration]:
    """The submitted arbitrations of the programme the user may read, the nearest expected decision first
    (one query)."""
    return list(
        policy.visible_to(
            Arbitration.objects.filter(programme=programme, status=ArbitrationStatus.SUBMITTED), user
        )
        .select_related("committee")
        .order_by("due_on", "requested_on", "pk")
    )


# --- The annual report: decisions and arbitrations of the year -------------------------------------------------


def decisions_between(programme_id: int, first: datetime.date, last: datetime.date) -> list[Decision]:
    """The decision register between two days, in date order (one query)."""
    return list(
        Decision.objects.filter(programme_id=programme_id, decided_on__range=(first, last))
        .select_related("operation", "arbitration", "deliberation")
        .order_by("decided_on", "pk")
    )


def arbitrations_decided_between(
    programme_id: int, begins: datetime.datetime, ends: datetime.datetime
) -> list[Arbitration]:
    """The arbitrations decided in [begins, ends[ (still decided or since implemented), with their outcome and the
    option retained (one query)."""
    return list(
        Arbitration.objects.filter(
            programme_id=programme_id,
            status__in=[ArbitrationStatus.DECIDED, ArbitrationStatus.IMPLEMENTED],
            decided_at__gte=begins,
            decided_at__lt=ends,
        )
        .select_related("chosen_option", "committee")
        .order_by("decided_at", "pk")
    )


# --- The committee report --------------------------------------------------------------------------------------


@dataclass
class CommitteeReportGovernance:
    last_meeting: Meeting | None
    decisions: list[Decision]
    awaiting: list[Arbitration]
    upcoming: list[Meeting]


UPCOMING_LIMIT = 10


def committee_report_governance(
    programme: Any, *, now: datetime.datetime | None = None
) -> CommitteeReportGovernance:
    """For the report to the comité de projet: the decisions recorded since its last meeting held (every decision
    when it never met), the arbitrations awaiting a decision (reference, subject, level, due date — never the note
    itself) and the next meetings of the programme's bodies. Four queries."""
    now = now or timezone.now()
    last = (
        Meeting.objects.filter(
            committee__programme=programme,
            committee__kind=CommitteeKind.PROJECT_COMMITTEE,
            starts_at__lt=now,
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("committee")
        .order_by("-starts_at", "-pk")
        .first()
    )
    decisions = Decision.objects.filter(programme=programme)
    if last is not None:
        decisions = decisions.filter(decided_on__gte=timezone.localtime(last.starts_at).date())
    awaiting = (
        Arbitration.objects.filter(programme=programme, status=ArbitrationStatus.SUBMITTED)
        .select_related("committee")
        .order_by("due_on", "requested_on", "pk")
    )
    upcoming = (
        Meeting.objects.filter(
            committee__programme=programme, status=MeetingStatus.PLANNED, starts_at__gte=now
        )
        .select_related("committee")
        .order_by("starts_at", "pk")[:UPCOMING_LIMIT]
    )
    return CommitteeReportGovernance(
        last_meeting=last,
        decisions=list(decisions.select_related("operation").order_by("decided_on", "pk")),
        awaiting=list(awaiting),
        upcoming=list(upcoming),
    )


# --- The convention's block « Instances de gouvernance » --------------------------------------------------------

NO_PROGRAMME = "La convention ne relève d'aucun programme Petites Villes de Demain."


def current_members(day: datetime.date) -> QuerySet[CommitteeMember]:
    return (
        CommitteeMember.objects.filter(valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .select_related("person", "organisation")
        .order_by("pk")
    )


def _member_label(member: CommitteeMember) -> str:
    label = str(member)
    return f"{label} ({member.role})" if member.role else label


def governance_block(convention: Any) -> Table:
    """The programme's active bodies: nature, name, frequency and members in office today (two queries)."""
    columns = [("Instance", False), ("Nature", False), ("Fréquence", False), ("Membres", False)]
    programme_id = getattr(convention, "programme_id", None)
    if programme_id is None:
        return table("gouvernance", columns, [], empty=NO_PROGRAMME)
    day = timezone.localdate()
    committees = (
        Committee.objects.filter(programme_id=programme_id, active=True)
        .prefetch_related(Prefetch("members", queryset=current_members(day), to_attr="current"))
        .order_by("kind", "name", "pk")
    )
    rows = [
        (
            f"committee-{committee.pk}",
            [
                committee.name,
                committee.get_kind_display(),
                committee.get_frequency_display(),
                " ; ".join(_member_label(m) for m in committee.current) or "—",
            ],
        )
        for committee in committees
    ]
    return table(
        "gouvernance",
        columns,
        rows,
        empty="Aucune instance de gouvernance n'est enregistrée pour le programme.",
        note=f"Membres en fonction au {day:%d/%m/%Y}.",
    )
