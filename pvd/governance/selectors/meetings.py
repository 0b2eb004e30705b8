"""Reads of bodies and meetings (issue 8, H1): the programme's committees and meetings lists, a committee's page, the
upcoming meetings of a user (my week, the feed, the commune page) and the **suggested agenda** of a meeting.

Every read goes through the access policy; the query counts do not depend on the amount of data.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from budget.deadlines import OVERDUE
from budget.selectors.commune_page import subsidy_deadlines
from operations.models import Operation, Risk, RiskLevel, RiskStatus
from operations.selectors.tracking import escalated_difficulties
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.deadlines import add_months
from pvd.governance.models import (
    FREQUENCY_MONTHS,
    AgendaItem,
    AgendaItemSource,
    Alert,
    AlertLevel,
    Arbitration,
    Committee,
    CommitteeKind,
    CommitteeMember,
    DecisionLevel,
    Meeting,
    MeetingStatus,
)
from pvd.governance.models.alerts import ACTIVE_STATUSES as ALERT_ACTIVE_STATUSES


def governed_programme(user: User, pk: int) -> Programme:
    """A programme whose governance the user reads (its readers and the mayors of its communes), or 404."""
    try:
        return policy.strategy_programmes(Programme.objects.all(), user).get(pk=pk)
    except Programme.DoesNotExist as error:
        raise Http404("Aucun programme ne correspond à votre demande.") from error


def _current_members(day: datetime.date) -> Q:
    return Q(members__valid_from__lte=day) & (
        Q(members__valid_until__isnull=True) | Q(members__valid_until__gte=day)
    )


def committees_for_list(user: User, programme: Programme) -> list[Committee]:
    """The programme's committees by kind, each with its current member count, next and last meetings. One query."""
    now = timezone.now()
    day = timezone.localdate()
    return list(
        policy.visible_to(Committee.objects.filter(programme=programme), user)
        .select_related("housing_programme", "organisation")
        .annotate(
            member_count=Count("members", filter=_current_members(day), distinct=True),
            next_meeting_at=Min(
                "meetings__starts_at",
                filter=Q(meetings__starts_at__gte=now) & ~Q(meetings__status=MeetingStatus.CANCELLED),
            ),
            last_meeting_at=Max(
                "meetings__starts_at",
                filter=Q(meetings__starts_at__lt=now) & ~Q(meetings__status=MeetingStatus.CANCELLED),
            ),
        )
        .order_by("kind", "name", "pk")
    )


def next_expected(committee: Committee, last_held: datetime.datetime | None) -> datetime.date | None:
    """« Prochaine réunion attendue avant le … »: the last held meeting + the frequency (none when as needed)."""
    months = FREQUENCY_MONTHS.get(committee.frequency)
    if not months or last_held is None:
        return None
    return add_months(timezone.localtime(last_held).date(), months)


@dataclass
class CommitteePage:
    committee: Committee
    current_members: list[CommitteeMember]
    past_members: list[CommitteeMember]
    upcoming: list[Meeting]
    past: list[Meeting]
    expected_before: datetime.date | None


def committee_page(user: User, pk: int) -> CommitteePage:
    committee = policy.get_for_user(
        Committee.objects.select_related("programme", "housing_programme", "organisation"), user, pk=pk
    )
    day = timezone.localdate()
    now = timezone.now()
    members = list(committee.members.select_related("person", "organisation").order_by("valid_from", "pk"))
    current = [m for m in members if m.valid_from <= day and (m.valid_until is None or m.valid_until >= day)]
    past = [m for m in members if m not in current]
    meetings = list(committee.meetings.order_by("starts_at", "pk"))
    upcoming = [m for m in meetings if m.starts_at >= now]
    held = [m for m in meetings if m.starts_at < now and m.status != MeetingStatus.CANCELLED]
    last_held = held[-1].starts_at if held else None
    return CommitteePage(
        committee,
        current,
        past,
        upcoming,
        list(reversed([m for m in meetings if m.starts_at < now])),
        next_expected(committee, last_held),
    )


def meetings_for_list(
    user: User, programme: Programme, *, committee_id: int | None = None, year: int | None = None
) -> tuple[list[Meeting], list[Meeting]]:
    """The programme's meetings: upcoming (soonest first) then past (latest first). One query."""
    meetings = (
        policy.visible_to(Meeting.objects.filter(committee__programme=programme), user)
        .select_related("committee")
        .annotate(item_count=Count("items", distinct=True))
    )
    if committee_id:
        meetings = meetings.filter(committee_id=committee_id)
    if year:
        meetings = meetings.filter(starts_at__year=year)
    rows = list(meetings.order_by("starts_at", "pk"))
    now = timezone.now()
    return [m for m in rows if m.starts_at >= now], list(reversed([m for m in rows if m.starts_at < now]))


def upcoming_meetings(user: User, *, start: datetime.datetime, end: datetime.datetime) -> QuerySet[Meeting]:
    """Meetings between `start` and `end` of the programmes whose governance the user reads (mayors: of their
    communes' programmes), not cancelled, soonest first; their committee and programme come with them."""
    return (
        policy.visible_to(Meeting.objects.all(), user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("committee__programme")
        .prefetch_related(Prefetch("items", queryset=AgendaItem.objects.order_by("order", "pk")))
        .order_by("starts_at", "pk")
    )


def meeting_for_page(user: User, pk: int) -> Meeting:
    return policy.get_for_user(
        Meeting.objects.select_related("committee__programme", "committee__housing_programme"), user, pk=pk
    )


# --- Suggested agenda ---------------------------------------------------------------------------------------------

# Which arbitrations a body decides.
LEVEL_OF_KIND = {
    CommitteeKind.COTECH: DecisionLevel.COTECH,
    CommitteeKind.PROJECT_COMMITTEE: DecisionLevel.PROJECT_COMMITTEE,
    CommitteeKind.COPIL: DecisionLevel.PROJECT_COMMITTEE,
    CommitteeKind.BUREAU: DecisionLevel.BUREAU,
    CommitteeKind.COMMUNITY_COUNCIL: DecisionLevel.COUNCIL,
    CommitteeKind.MUNICIPAL_COUNCIL: DecisionLevel.COUNCIL,
}
DUE_WITHIN_MONTHS = 2


@dataclass(frozen=True)
class Suggestion:
    key: str  # stable: « late-12 », « risk-4 », « arbitration-3 », « deadline-7-start », « alert-9 »
    source: str  # AgendaItemSource
    title: str
    reason: str
    url: str
    links: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def source_label(self) -> str:
        return AgendaItemSource(self.source).label


def _already(meeting: Meeting) -> dict[str, set[int]]:
    rows = list(
        AgendaItem.objects.filter(meeting=meeting).values_list(
            "source", "operation_id", "arbitration_id", "subsidy_request_id", "description"
        )
    )
    taken: dict[str, set] = {"operation": set(), "arbitration": set(), "subsidy": set(), "source_op": set()}
    for source, operation_id, arbitration_id, subsidy_id, _ in rows:
        if operation_id:
            taken["operation"].add(operation_id)
            taken["source_op"].add((source, operation_id))
        if arbitration_id:
            taken["arbitration"].add(arbitration_id)
        if subsidy_id:
            taken["subsidy"].add(subsidy_id)
    return taken


def agenda_suggestions(user: User, meeting: Meeting, *, day: datetime.date | None = None) -> list[Suggestion]:
    """What the meeting should look at, each with why and a link: late operations, high or critical open risks,
    difficulties escalated for an arbitration, arbitrations awaiting this body's decision, subsidy deadlines overdue
    or within two months, open alerts (attention or critical). Nothing already on the agenda. Constant queries."""
    day = day or timezone.localdate()
    programme = meeting.committee.programme
    taken = _already(meeting)
    operations = policy.visible_to(Operation.objects.all(), user).filter(programme=programme)
    suggestions: list[Suggestion] = []

    for operation in operations.with_lateness(day).filter(is_late=True).order_by("pk"):
        if (AgendaItemSource.LATE, operation.pk) in taken["source_op"]:
            continue
        suggestions.append(
            Suggestion(
                f"late-{operation.pk}",
                AgendaItemSource.LATE,
                f"Retard : {operation.title}",
                "Au moins une phase de l'opération est en retard sur son planning de référence.",
                reverse("operations:detail", args=[operation.pk]),
                {"operation_id": operation.pk},
            )
        )

    escalated = list(escalated_difficulties(user, programme))
    risks = (
        policy.visible_to(Risk.objects.all(), user)
        .filter(operation__programme=programme, status=RiskStatus.OPEN, level__gte=RiskLevel.HIGH)
        .select_related("operation")
        .order_by("-level", "pk")
    )
    for risk, source, why in [
        *[(r, AgendaItemSource.ESCALATED, "Difficulté remontée pour arbitrage") for r in escalated],
        *[(r, AgendaItemSource.RISK, f"Risque {r.get_level_display().lower()} ouvert") for r in risks],
    ]:
        if (source, risk.operation_id) in taken["source_op"]:
            continue
        suggestions.append(
            Suggestion(
                f"{source}-{risk.pk}",
                source,
                f"{risk.operation.title} : {risk.description[:150]}",
                why + ".",
                reverse("operations:detail", args=[risk.operation_id]),
                {"operation_id": risk.operation_id},
            )
        )

    level = LEVEL_OF_KIND.get(meeting.committee.kind)
    if level:
        arbitrations = (
            policy.visible_to(Arbitration.objects.all(), user)
            .filter(programme=programme, status="submitted", decision_level=level)
            .exclude(pk__in=taken["arbitration"])
            .order_by("pk")
        )
        for arbitration in arbitrations:
            suggestions.append(
                Suggestion(
                    f"arbitration-{arbitration.pk}",
                    AgendaItemSource.ARBITRATION,
                    f"Arbitrage {arbitration.reference} : {arbitration.title}",
                    f"Soumis, en attente de la décision de l'instance ({arbitration.get_decision_level_display()}).",
                    reverse("governance:arbitration", args=[arbitration.pk]),
                    {"arbitration_id": arbitration.pk},
                )
            )

    horizon = add_months(day, DUE_WITHIN_MONTHS)
    for deadline in subsidy_deadlines(operations, day):
        if deadline.request_id in taken["subsidy"] or not (
            deadline.status == OVERDUE or deadline.due_on <= horizon
        ):
            continue
        when = "dépassée depuis le" if deadline.status == OVERDUE else "au"
        suggestions.append(
            Suggestion(
                f"deadline-{deadline.request_id}-{deadline.code}",
                AgendaItemSource.DEADLINE,
                f"{deadline.label} : {deadline.request_title}"[:250],
                f"Échéance {when} {deadline.due_on:%d/%m/%Y}.",
                "",
                {"subsidy_request_id": deadline.request_id},
            )
        )

    if policy.can_read_alerts(user, programme):
        alerts = Alert.objects.filter(
            programme=programme, status__in=ALERT_ACTIVE_STATUSES, level__gte=AlertLevel.WARNING
        ).order_by("-level", "due_on", "pk")
        taken_titles = set(
            AgendaItem.objects.filter(meeting=meeting, source=AgendaItemSource.ALERT).values_list(
                "title", flat=True
            )
        )
        for alert in alerts:
            if alert.title[:250] in taken_titles:
                continue
            due = f" Échéance : {alert.due_on:%d/%m/%Y}." if alert.due_on else ""
            suggestions.append(
                Suggestion(
                    f"alert-{alert.pk}",
                    AgendaItemSource.ALERT,
                    alert.title[:250],
                    f"Alerte {alert.get_level_display().lower()}.{due}",
                    alert.url,
                )
            )
    # One suggestion per key (a risk and an escalation of the same operation stay distinct).
    seen: set[str] = set()
    unique = []
    for suggestion in suggestions:
        if suggestion.key not in seen:
            seen.add(suggestion.key)
            unique.append(suggestion)
    return unique
