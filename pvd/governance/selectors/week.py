"""« Ma semaine » (issue 8, H6): what each user has on their plate, by role, read through the access policy.

- the chargé(e) de mission (`manager`): the active alerts of their programmes by level, their tasks (draft
  arbitrations, decided ones awaiting implementation, held meetings without minutes, escalated difficulties without
  an arbitration), the deadlines of the next 14 days (alerts' due dates), the meetings of this week and next;
- the élu(e) référent(e): the arbitrations awaiting their decision, the escalated alerts, the meetings;
- a mayor: the meetings of their programme(s), a link to their commune page;
- a partner: the meetings and the latest decisions.

Every list is one query whatever the data size (the escalated difficulties: one per managed programme). The weekly
digest (`services/digest.py`) reuses these reads over its own windows.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, QuerySet
from django.utils import timezone

from operations.selectors.tracking import escalated_difficulties
from partners.models import Organisation
from partners.selectors import mayor_communes
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import Role, User
from pvd.governance.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertLevel,
    AlertStatus,
    Arbitration,
    ArbitrationOutcome,
    ArbitrationStatus,
    Decision,
    DecisionLevel,
    Meeting,
    MeetingStatus,
)

DEADLINE_DAYS = 14
LATEST_DECISIONS = 10


@dataclass(frozen=True)
class AlertGroup:
    level: int
    label: str
    alerts: list[Alert]


@dataclass
class Tasks:
    """The chargé(e) de mission's work to do."""

    drafts: list[Arbitration] = field(default_factory=list)
    to_implement: list[Arbitration] = field(default_factory=list)
    minutes_missing: list[Meeting] = field(default_factory=list)
    difficulties: list = field(default_factory=list)  # escalated operations.Risk without an arbitration

    @property
    def count(self) -> int:
        return len(self.drafts) + len(self.to_implement) + len(self.minutes_missing) + len(self.difficulties)


@dataclass
class Week:
    day: datetime.date
    starts_on: datetime.date  # Monday of this week
    ends_on: datetime.date  # Sunday of next week
    is_manager: bool = False
    is_referent: bool = False
    is_mayor: bool = False
    is_partner: bool = False
    meetings: list[Meeting] = field(default_factory=list)
    alert_groups: list[AlertGroup] = field(default_factory=list)
    tasks: Tasks = field(default_factory=Tasks)
    deadlines: list[Alert] = field(default_factory=list)
    awaiting: list[Arbitration] = field(default_factory=list)
    escalated: list[Alert] = field(default_factory=list)
    communes: list[Organisation] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    @property
    def has_role(self) -> bool:
        return self.is_manager or self.is_referent or self.is_mayor or self.is_partner

    @property
    def alerts_count(self) -> int:
        return sum(len(group.alerts) for group in self.alert_groups)


def week_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday of `day`'s week and Sunday of the next one."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=13)


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in Paris, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def meetings_between(user: User, starts: datetime.datetime, ends: datetime.datetime) -> list[Meeting]:
    """The meetings the user sees starting in [starts, ends), cancelled ones included (they say so), soonest
    first. One query."""
    return list(
        Meeting.objects.visible_to(user)
        .filter(starts_at__gte=starts, starts_at__lt=ends)
        .select_related("committee__programme")
        .order_by("starts_at", "pk")
    )


def active_alerts(user: User, programmes: frozenset[int]) -> QuerySet[Alert]:
    """The active alerts of `programmes` the user reads, the most serious first."""
    return (
        Alert.objects.visible_to(user)
        .filter(programme_id__in=programmes, status__in=ACTIVE_STATUSES)
        .select_related("programme", "commune")
        .order_by("-level", F("due_on").asc(nulls_last=True), "-raised_at", "pk")
    )


def by_level(alerts: list[Alert]) -> list[AlertGroup]:
    """The alerts grouped by level, the most serious first; levels without any alert are left out."""
    return [
        AlertGroup(level, label, group)
        for level, label in sorted(AlertLevel.choices, reverse=True)
        if (group := [a for a in alerts if a.level == level])
    ]


def manager_tasks(user: User, programmes: frozenset[int]) -> Tasks:
    """Drafts to finish and submit, decisions to implement, minutes to write, difficulties to turn into notes."""
    arbitrations = list(
        Arbitration.objects.visible_to(user)
        .filter(programme_id__in=programmes, status__in=[ArbitrationStatus.DRAFT, ArbitrationStatus.DECIDED])
        .select_related("programme")
        .order_by(F("due_on").asc(nulls_last=True), "requested_on", "pk")
    )
    minutes_missing = list(
        Meeting.objects.visible_to(user)
        .filter(committee__programme_id__in=programmes, status=MeetingStatus.HELD, minutes="")
        .select_related("committee__programme")
        .order_by("starts_at", "pk")
    )
    difficulties = []
    for programme in Programme.objects.filter(pk__in=programmes).order_by("pk"):
        difficulties += list(escalated_difficulties(user, programme).filter(arbitration__isnull=True))
    return Tasks(
        drafts=[a for a in arbitrations if a.status == ArbitrationStatus.DRAFT],
        to_implement=[
            a
            for a in arbitrations
            if a.status == ArbitrationStatus.DECIDED and a.outcome == ArbitrationOutcome.APPROVED
        ],
        minutes_missing=minutes_missing,
        difficulties=difficulties,
    )


def awaiting_referent(user: User, programmes: frozenset[int]) -> list[Arbitration]:
    """The submitted arbitrations put to the élu référent of `programmes`, the most urgent first."""
    return list(
        Arbitration.objects.visible_to(user)
        .filter(
            programme_id__in=programmes,
            status=ArbitrationStatus.SUBMITTED,
            decision_level=DecisionLevel.REFERENT,
        )
        .select_related("programme")
        .order_by(F("due_on").asc(nulls_last=True), "submitted_at", "pk")
    )


def decisions_since(
    user: User, since: datetime.date | None, *, limit: int = LATEST_DECISIONS
) -> list[Decision]:
    """The latest decisions of the register the user reads (taken on or after `since` when given)."""
    decisions = Decision.objects.visible_to(user).select_related("programme")
    if since is not None:
        decisions = decisions.filter(decided_on__gte=since)
    return list(decisions.order_by("-decided_on", "-pk")[:limit])


def roles_of(user: User) -> dict[str, bool]:
    scope = policy.scope_for(user)
    return {
        "is_manager": bool(scope.managed_programmes),
        "is_referent": bool(scope.referent_programmes),
        "is_mayor": bool(scope.mayor_communes),
        "is_partner": Role.PARTNER in scope.roles,
    }


def week_for_user(user: User, day: datetime.date | None = None) -> Week:
    """The « Ma semaine » page of `user` on `day` (today by default)."""
    day = day or policy.today()
    scope = policy.scope_for(user)
    starts_on, ends_on = week_bounds(day)
    week = Week(day=day, starts_on=starts_on, ends_on=ends_on, **roles_of(user))
    if not week.has_role:
        return week
    week.meetings = meetings_between(
        user, day_start(starts_on), day_start(ends_on + datetime.timedelta(days=1))
    )
    if week.is_manager:
        alerts = list(active_alerts(user, scope.managed_programmes))
        week.alert_groups = by_level(alerts)
        week.tasks = manager_tasks(user, scope.managed_programmes)
        horizon = day + datetime.timedelta(days=DEADLINE_DAYS)
        week.deadlines = sorted(
            (a for a in alerts if a.due_on is not None and day <= a.due_on <= horizon), key=lambda a: a.due_on
        )
    if week.is_referent:
        week.awaiting = awaiting_referent(user, scope.referent_programmes)
        week.escalated = list(
            active_alerts(user, scope.referent_programmes).filter(status=AlertStatus.ESCALATED)
        )
    if week.is_mayor:
        week.communes = list(mayor_communes(user).only("name", "insee_code"))
    if week.is_partner:
        week.decisions = decisions_since(user, None)
    return week
