"""Reads of concertation (issue 11): the participation hub's key figures, the concertation plan with its follow-up,
the events list (filters, page, statistics of the filtered set), an event's page, the operation page's
« Concertation » section and the XLSX export's rows.

Every read goes through `policy.visible_to` / `get_for_user`: a mayor sees only the events and plan lines that
concern their commune, and figures are computed on those alone. Figures are aggregate queries over the set of
visible events, never a query per row: each page costs the same number of queries whatever the data size.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils.http import urlencode

from operations.models import (
    AttendanceProfile,
    ConcertationEvent,
    ConcertationPlanItem,
    Contribution,
    Operation,
)
from operations.participation.models import (
    EFFECT_OUTCOMES,
    AttendeeProfile,
    ContributionOutcome,
    EventStatus,
    LegalFrame,
)
from operations.participation.selectors import programmes
from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.models import StatusChange

S = EventStatus
PAGE_SIZE = 25
NEXT_EVENTS = 5


# --- The programme and its commune filter ---------------------------------------------------------------------


def _ordered_communes() -> Prefetch:
    return Prefetch("communes", queryset=Organisation.objects.order_by("name", "pk"))


def programme_for_participation(user: User, pk: int) -> Programme:
    """The programme with its communes prefetched (the commune filter reads them without a query)."""
    queryset = Programme.objects.select_related("epci").prefetch_related(_ordered_communes())
    return programmes.programme_for_participation(user, pk, queryset)


def commune_of(programme: Programme, insee_code: str | None) -> Organisation | None:
    """The programme's commune with this INSEE code (from the prefetched communes: no query), or None."""
    if not insee_code:
        return None
    return next((c for c in programme.communes.all() if c.insee_code == insee_code), None)


def visible_events(user: User, programme: Programme, commune: Organisation | None = None) -> QuerySet:
    events = policy.visible_to(ConcertationEvent.objects.all(), user).filter(programme=programme)
    if commune is not None:
        events = events.filter(
            pk__in=ConcertationEvent.communes.through.objects.filter(organisation_id=commune.pk).values(
                "concertationevent_id"
            )
        )
    return events


# --- L103-2 state ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BilanState:
    done: bool
    missing: bool  # held, bilan not adopted yet: flagged
    label: str


def bilan_state(event: ConcertationEvent) -> BilanState | None:
    """For an L103-2 concertation: « terminée » only once its bilan is adopted by deliberation; a held one without
    its bilan is flagged. None for the other legal frames."""
    if event.legal_frame != LegalFrame.URBANISM:
        return None
    if event.status == S.CANCELLED:
        return BilanState(False, False, "Concertation annulée")
    if event.status == S.PLANNED:
        return BilanState(False, False, "Concertation en cours : le bilan sera adopté par délibération")
    if event.bilan_deliberation_on and event.bilan_deliberation_reference:
        return BilanState(
            True,
            False,
            f"Concertation terminée : bilan adopté le {event.bilan_deliberation_on:%d/%m/%Y} "
            f"({event.bilan_deliberation_reference})",
        )
    return BilanState(False, True, "Bilan de la concertation à faire adopter par délibération")


# --- Figures of a set of events -------------------------------------------------------------------------------


@dataclass
class Figures:
    events: int = 0
    held: int = 0
    held_this_year: int = 0
    planned: int = 0
    cancelled: int = 0
    participants: int = 0
    bilan_missing: int = 0
    year: int = 0
    by_profile: list[tuple[str, int]] = field(default_factory=list)  # label, participants
    by_theme: list[tuple[str, int]] = field(default_factory=list)  # theme (or « Sans thème »), contributions
    by_outcome: list[tuple[str, str, int]] = field(default_factory=list)  # value, label, contributions
    contributions: int = 0
    adopted: int = 0  # retained, wholly or partly

    @property
    def adopted_share(self) -> Decimal | None:
        """Share of the contributions retained (wholly or partly), as a fraction."""
        if not self.contributions:
            return None
        return Decimal(self.adopted) / Decimal(self.contributions)

    @property
    def profiled(self) -> int:
        return sum(n for _, n in self.by_profile)


def figures(events: QuerySet, day: datetime.date) -> Figures:
    """Key figures of `events` (a visible, possibly filtered queryset): four aggregate queries."""
    ids = events.order_by().values("pk")
    held = Q(status=S.HELD)
    totals = ConcertationEvent.objects.filter(pk__in=ids).aggregate(
        events=Count("pk"),
        held=Count("pk", filter=held),
        held_this_year=Count("pk", filter=held & Q(starts_on__year=day.year)),
        planned=Count("pk", filter=Q(status=S.PLANNED)),
        cancelled=Count("pk", filter=Q(status=S.CANCELLED)),
        participants=Coalesce(Sum("attendance_count", filter=held), 0),
        bilan_missing=Count(
            "pk",
            filter=held
            & Q(legal_frame=LegalFrame.URBANISM)
            & (Q(bilan_deliberation_on__isnull=True) | Q(bilan_deliberation_reference="")),
        ),
    )
    profiles = dict(
        AttendanceProfile.objects.filter(event_id__in=ids)
        .order_by()
        .values("profile")
        .annotate(n=Sum("count"))
        .values_list("profile", "n")
    )
    by_profile = [
        (str(label), profiles[value]) for value, label in AttendeeProfile.choices if profiles.get(value)
    ]
    themes = sorted(
        Contribution.objects.filter(event_id__in=ids)
        .order_by()
        .values("theme__name", "theme__order")
        .annotate(n=Sum("count")),
        key=lambda row: (row["theme__name"] is None, row["theme__order"] or 0, row["theme__name"] or ""),
    )  # the contributions without a theme last, on every database
    by_theme = [(row["theme__name"] or "Sans thème", row["n"]) for row in themes]
    outcomes = dict(
        Contribution.objects.filter(event_id__in=ids)
        .order_by()
        .values("outcome")
        .annotate(n=Sum("count"))
        .values_list("outcome", "n")
    )
    by_outcome = [
        (value, str(label), outcomes[value])
        for value, label in ContributionOutcome.choices
        if outcomes.get(value)
    ]
    return Figures(
        **totals,
        year=day.year,
        by_profile=by_profile,
        by_theme=by_theme,
        by_outcome=by_outcome,
        contributions=sum(outcomes.values()),
        adopted=sum(outcomes.get(value, 0) for value in EFFECT_OUTCOMES),
    )


# --- The concertation plan ------------------------------------------------------------------------------------


@dataclass
class PlanSummary:
    items: int
    late: int
    completed: int
    in_progress: int


def plan_items(
    user: User, programme: Programme, day: datetime.date, commune: Organisation | None = None
) -> QuerySet[ConcertationPlanItem]:
    """The plan's lines the user sees, with their follow-up computed from the events the user sees: sessions
    held, the next planned event (date, title, id). `is_late(item, day)` reads them."""
    visible = policy.visible_to(ConcertationEvent.objects.all(), user)
    held = (
        visible.filter(plan_item=OuterRef("pk"), status=S.HELD)
        .order_by()
        .values("plan_item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    upcoming = visible.filter(plan_item=OuterRef("pk"), status=S.PLANNED, starts_on__gte=day).order_by(
        "starts_on", "pk"
    )
    items = (
        policy.visible_to(ConcertationPlanItem.objects.all(), user)
        .filter(programme=programme)
        .annotate(
            held=Coalesce(Subquery(held, output_field=IntegerField()), 0),
            next_on=Subquery(upcoming.values("starts_on")[:1]),
            next_title=Subquery(upcoming.values("title")[:1]),
            next_pk=Subquery(upcoming.values("pk")[:1]),
        )
        .order_by("planned_from", "pk")
    )
    if commune is not None:
        items = items.filter(
            pk__in=ConcertationPlanItem.communes.through.objects.filter(organisation_id=commune.pk).values(
                "concertationplanitem_id"
            )
        )
    return items


def is_late(item: ConcertationPlanItem, day: datetime.date) -> bool:
    """Late: the planned period is over and fewer sessions were held than expected."""
    return item.planned_until < day and item.held < item.expected_sessions  # type: ignore[attr-defined]


def plan_rows(
    user: User, programme: Programme, day: datetime.date, commune: Organisation | None = None
) -> list[ConcertationPlanItem]:
    """The plan page's rows: follow-up, lateness, and the linked operations the user sees (three queries)."""
    rows = list(
        plan_items(user, programme, day, commune).prefetch_related(
            Prefetch(
                "operations",
                queryset=policy.visible_to(Operation.objects.all(), user).order_by("code", "pk"),
            ),
            _ordered_communes(),
        )
    )
    for item in rows:
        item.late = is_late(item, day)  # type: ignore[attr-defined]
        item.completed = item.held >= item.expected_sessions  # type: ignore[attr-defined]
    return rows


def plan_summary(items: list[ConcertationPlanItem] | QuerySet, day: datetime.date) -> PlanSummary:
    rows = list(items)
    late = sum(1 for item in rows if is_late(item, day))
    completed = sum(1 for item in rows if item.held >= item.expected_sessions)  # type: ignore[attr-defined]
    return PlanSummary(
        items=len(rows), late=late, completed=completed, in_progress=len(rows) - late - completed
    )


# --- The hub --------------------------------------------------------------------------------------------------


@dataclass
class Hub:
    figures: Figures
    next_events: list[ConcertationEvent]
    plan: PlanSummary
    late_items: list[ConcertationPlanItem]


def hub(user: User, programme: Programme, day: datetime.date, commune: Organisation | None = None) -> Hub:
    """The hub's key figures (four aggregates), the next events (with their communes) and the plan's follow-up
    summary (one query)."""
    events = visible_events(user, programme, commune)
    upcoming = list(
        events.filter(status=S.PLANNED, starts_on__gte=day)
        .prefetch_related(_ordered_communes())
        .order_by("starts_on", "start_time", "pk")[:NEXT_EVENTS]
    )
    items = list(plan_items(user, programme, day, commune))
    return Hub(
        figures=figures(events, day),
        next_events=upcoming,
        plan=plan_summary(items, day),
        late_items=[item for item in items if is_late(item, day)],
    )


# --- The events list ------------------------------------------------------------------------------------------


def with_counts(events: QuerySet) -> QuerySet:
    """Annotate `contributions_total` and `contributions_adopted` (subqueries: no join, no duplicate row)."""
    base = Contribution.objects.filter(event=OuterRef("pk")).order_by().values("event")
    total = base.annotate(n=Sum("count")).values("n")
    adopted = base.filter(outcome__in=EFFECT_OUTCOMES).annotate(n=Sum("count")).values("n")
    return events.annotate(
        contributions_total=Coalesce(Subquery(total, output_field=IntegerField()), 0),
        contributions_adopted=Coalesce(Subquery(adopted, output_field=IntegerField()), 0),
    )


@dataclass
class EventList:
    page: Page
    figures: Figures
    query: str  # the filters as a query string, without the page

    @property
    def filtered(self) -> bool:
        return bool(self.query)


def filter_events(events: QuerySet, criteria: dict[str, object]) -> QuerySet:
    """Apply the cleaned filters of `EventFilterForm` (empty values ignored)."""
    for name in ("status", "format", "legal_frame"):
        if criteria.get(name):
            events = events.filter(**{name: criteria[name]})
    commune = criteria.get("commune")
    if commune:
        events = events.filter(
            pk__in=ConcertationEvent.communes.through.objects.filter(organisation_id=commune.pk).values(  # type: ignore[attr-defined]
                "concertationevent_id"
            )
        )
    operation = criteria.get("operation")
    if operation:
        events = events.filter(
            pk__in=ConcertationEvent.operations.through.objects.filter(operation_id=operation.pk).values(  # type: ignore[attr-defined]
                "concertationevent_id"
            )
        )
    if criteria.get("year"):
        events = events.filter(starts_on__year=int(criteria["year"]))  # type: ignore[arg-type]
    return events


def event_years(user: User, programme: Programme) -> list[int]:
    return [d.year for d in visible_events(user, programme).dates("starts_on", "year", order="DESC")]


def event_list(
    user: User,
    programme: Programme,
    criteria: dict[str, object],
    params: dict[str, str],
    page: str | None,
    day: datetime.date,
) -> EventList:
    """The filtered events, paginated, and the figures of the whole filtered set."""
    events = filter_events(visible_events(user, programme), criteria)
    rows = (
        with_counts(events)
        .select_related("plan_item")
        .prefetch_related(_ordered_communes())
        .order_by("-starts_on", "-pk")
    )
    clean = {k: v for k, v in params.items() if k != "page" and v}
    return EventList(
        page=Paginator(rows, PAGE_SIZE).get_page(page),
        figures=figures(events, day),
        query=urlencode(clean),
    )


def export_events(user: User, programme: Programme, criteria: dict[str, object]) -> list[ConcertationEvent]:
    """The export's rows: every visible (filtered) event with its figures, communes and operations."""
    events = filter_events(visible_events(user, programme), criteria)
    profiles = AttendanceProfile.objects.order_by("profile")
    return list(
        with_counts(events)
        .select_related("plan_item", "organiser")
        .prefetch_related(
            _ordered_communes(),
            Prefetch(
                "operations", queryset=policy.visible_to(Operation.objects.all(), user).order_by("code")
            ),
            Prefetch("attendance_profiles", queryset=profiles),
        )
        .order_by("starts_on", "pk")
    )


# --- An event's page ------------------------------------------------------------------------------------------


def event_for_page(user: User, pk: int) -> ConcertationEvent:
    """An event the user sees (404 otherwise), with its programme, plan line and organiser."""
    return policy.get_for_user(
        ConcertationEvent.objects.select_related("programme", "plan_item", "organiser"), user, pk=pk
    )


def contribution_for_page(user: User, pk: int) -> Contribution:
    return policy.get_for_user(
        Contribution.objects.select_related("event__programme", "theme", "effect_operation"), user, pk=pk
    )


@dataclass
class EventPage:
    communes: list[Organisation]
    operations: list[Operation]
    themes: list
    profiles: list[AttendanceProfile]
    profiled: int
    contributions: list[Contribution]
    changes: list[StatusChange]
    bilan: BilanState | None


def status_changes(event: ConcertationEvent) -> list[StatusChange]:
    changes = list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(ConcertationEvent), object_id=event.pk
        )
        .select_related("by")
        .order_by("-at", "-pk")
    )
    for change in changes:
        change.source_label = S(change.source).label if change.source else ""  # type: ignore[attr-defined]
        change.target_label = S(change.target).label  # type: ignore[attr-defined]
        by = change.by
        change.by_label = (by.get_full_name() or by.email) if by else "Système"  # type: ignore[attr-defined]
    return changes


def event_page(user: User, event: ConcertationEvent) -> EventPage:
    """Everything recorded on the event: communes, operations (those the user sees), themes, attendance by
    profile, contributions with their outcome and effect (the operation is a link only when the user sees it),
    its transitions and the L103-2 state."""
    visible_operations = policy.visible_to(Operation.objects.all(), user)
    profiles = list(event.attendance_profiles.order_by("profile"))
    order = {value: index for index, value in enumerate(AttendeeProfile.values)}
    profiles.sort(key=lambda p: order.get(p.profile, 99))
    contributions = list(
        event.contributions.select_related("theme", "effect_operation")
        .annotate(effect_visible=Exists(visible_operations.filter(pk=OuterRef("effect_operation_id"))))
        .order_by("-notable", "pk")
    )
    return EventPage(
        communes=list(event.communes.order_by("name", "pk")),
        operations=list(visible_operations.filter(concertation_events=event).order_by("code", "pk")),
        themes=list(event.themes.order_by("order", "pk")),
        profiles=profiles,
        profiled=sum(p.count for p in profiles),
        contributions=contributions,
        changes=status_changes(event),
        bilan=bilan_state(event),
    )


# --- The operation page's section -----------------------------------------------------------------------------


@dataclass
class OperationConcertation:
    events: list[ConcertationEvent]
    contributions: list[Contribution]

    def __bool__(self) -> bool:
        return bool(self.events or self.contributions)


def operation_concertation(user: User, operation: Operation) -> OperationConcertation:
    """The events linked to the operation and the contributions that changed it, each with its event (two
    queries, whatever their number)."""
    events = list(
        policy.visible_to(ConcertationEvent.objects.all(), user)
        .filter(
            pk__in=ConcertationEvent.operations.through.objects.filter(operation_id=operation.pk).values(
                "concertationevent_id"
            )
        )
        .order_by("-starts_on", "-pk")
    )
    contributions = list(
        policy.visible_to(Contribution.objects.all(), user)
        .filter(effect_operation=operation)
        .select_related("event", "theme")
        .order_by("-effect_on", "pk")
    )
    return OperationConcertation(events=events, contributions=contributions)
