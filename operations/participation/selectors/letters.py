"""Reads of mailing lists and information letters: the programme's lists with their counts, a list's members
(active and withdrawn apart) and the journal of its subscriptions, the programme's letters, a letter's
deliveries, the recipients a letter goes to, and the letter's **composition** from the programme's recent
progress — one dataclass read by the letter page and by the e-mail templates.

The composition says only what the public of a mailing list may read: operations, concertation events (a count
of participants, no names), communication actions, retained contributions and the change they led to. No
personal data, no household data. Its cost does not grow with the data: one query per section.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from operations.models import (
    CommunicationAction,
    ConcertationEvent,
    Contribution,
    InformationLetter,
    LetterDelivery,
    MailingList,
    Operation,
    OperationStatus,
    Subscription,
)
from operations.participation.models import (
    EFFECT_OUTCOMES,
    CommunicationStatus,
    EventStatus,
)
from operations.participation.selectors.programmes import programme_for_readers
from partners.models import CommunicationKind, Organisation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.models import StatusChange

# How far ahead « À venir » looks after the letter's period.
UPCOMING_MONTHS = 3
# The forward order of an operation's life (suspended and abandoned are not progress).
FORWARD = (
    OperationStatus.IDEA,
    OperationStatus.MATURE,
    OperationStatus.COMMITTED,
    OperationStatus.WORKS,
    OperationStatus.DELIVERED,
    OperationStatus.CLOSED,
)


# --- Access ---------------------------------------------------------------------------------------------


def programme_for_mailing_lists(user: User, pk: int) -> Programme:
    """The programme whose mailing lists the user manages: 404 out of scope, 403 for readers who are not
    managers (the lists hold contacts and their consent)."""
    programme = programme_for_readers(user, pk)
    policy.require(
        policy.can_manage_participation(user, programme),
        "Les listes de diffusion, qui contiennent des contacts, sont réservées aux gestionnaires du programme.",
    )
    return programme


def mailing_list_for_page(user: User, pk: int) -> MailingList:
    return policy.get_for_user(MailingList.objects.select_related("programme"), user, pk=pk)


def letter_for_page(user: User, pk: int) -> InformationLetter:
    return policy.get_for_user(
        InformationLetter.objects.select_related("programme", "mailing_list", "sent_by"), user, pk=pk
    )


# --- Recipients -----------------------------------------------------------------------------------------


def active_subscriptions(
    mailing_list: MailingList, on: datetime.date | None = None
) -> QuerySet[Subscription]:
    """Who receives the list's letters on `on`: consent given (on or before that day), not withdrawn, and an
    e-mail address to write to."""
    day = on or timezone.localdate()
    return (
        Subscription.objects.filter(mailing_list=mailing_list, consent_on__lte=day, withdrawn_on__isnull=True)
        .exclude(person__email="")
        .select_related("person__organisation")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def _active_q(prefix: str, day: datetime.date) -> Q:
    return Q(
        **{
            f"{prefix}consent_on__lte": day,
            f"{prefix}withdrawn_on__isnull": True,
        }
    ) & ~Q(**{f"{prefix}person__email": ""})


# --- Mailing lists --------------------------------------------------------------------------------------


def mailing_lists_of(programme: Programme) -> list[MailingList]:
    """The programme's lists, each with its number of active recipients and of withdrawn contacts."""
    day = timezone.localdate()
    return list(
        MailingList.objects.filter(programme=programme)
        .annotate(
            active_count=Count("subscriptions", filter=_active_q("subscriptions__", day)),
            withdrawn_count=Count("subscriptions", filter=Q(subscriptions__withdrawn_on__isnull=False)),
        )
        .order_by("name", "pk")
    )


@dataclass
class Members:
    active: list[Subscription]
    waiting: list[Subscription]  # consent dated later than today, or no e-mail address: they receive nothing
    withdrawn: list[Subscription]


def members_of(mailing_list: MailingList) -> Members:
    day = timezone.localdate()
    rows = list(
        Subscription.objects.filter(mailing_list=mailing_list)
        .select_related("person__organisation")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    active, waiting, withdrawn = [], [], []
    for row in rows:
        if row.withdrawn_on is not None:
            withdrawn.append(row)
        elif row.consent_on <= day and row.person.email:
            active.append(row)
        else:
            waiting.append(row)
    return Members(active, waiting, withdrawn)


def subscription_journal(mailing_list: MailingList, limit: int = 30) -> list[object]:
    """Who subscribed or withdrew whom, when (the subscriptions' history), newest first."""
    return list(
        Subscription.history.filter(mailing_list_id=mailing_list.pk)
        .select_related("history_user", "person")
        .order_by("-history_date", "-history_id")[:limit]
    )


# --- Letters --------------------------------------------------------------------------------------------


def letters_of(programme: Programme) -> list[InformationLetter]:
    """The programme's letters, newest period first, each with the number of recipients its list has today
    (a sent letter shows the number it was sent to)."""
    day = timezone.localdate()
    return list(
        InformationLetter.objects.filter(programme=programme)
        .select_related("mailing_list")
        .annotate(
            current_recipients=Count(
                "mailing_list__subscriptions", filter=_active_q("mailing_list__subscriptions__", day)
            )
        )
        .order_by("-period_end", "-pk")
    )


def deliveries_of(letter: InformationLetter) -> list[LetterDelivery]:
    return list(letter.deliveries.select_related("person").order_by("status", "email"))


# --- Composition ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OperationNews:
    code: str
    title: str
    communes: str
    status_label: str
    on: datetime.date


@dataclass(frozen=True)
class EventNews:
    title: str
    format_label: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    place: str
    communes: str
    participants: int | None
    synthesis: str


@dataclass(frozen=True)
class CommunicationNews:
    title: str
    kind_label: str
    on: datetime.date
    message: str


@dataclass(frozen=True)
class DecisionNews:
    subject: str
    contributions: int
    outcome_label: str
    change: str
    operation: str
    on: datetime.date | None
    event: str


@dataclass
class Composition:
    """What a letter says about its period, and what comes next."""

    title: str
    programme: str
    introduction: str
    period_start: datetime.date
    period_end: datetime.date
    upcoming_until: datetime.date
    delivered: list[OperationNews] = field(default_factory=list)
    progressed: list[OperationNews] = field(default_factory=list)
    events: list[EventNews] = field(default_factory=list)
    communications: list[CommunicationNews] = field(default_factory=list)
    decisions: list[DecisionNews] = field(default_factory=list)
    upcoming_events: list[EventNews] = field(default_factory=list)
    inaugurations: list[CommunicationNews] = field(default_factory=list)

    @property
    def has_news(self) -> bool:
        return any((self.delivered, self.progressed, self.events, self.communications, self.decisions))

    @property
    def has_upcoming(self) -> bool:
        return bool(self.upcoming_events or self.inaugurations)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight in Paris of `day`: status changes are timestamps, the period is in days."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _names(communes: object) -> str:
    return ", ".join(c.name for c in communes.all())  # type: ignore[attr-defined]  # prefetched


_COMMUNES = Prefetch("communes", queryset=Organisation.objects.order_by("name").only("pk", "name"))


def _operation_news(programme: Programme, start: datetime.date, end: datetime.date) -> tuple[list, list]:
    """Operations delivered in the period (still delivered or closed today), and the other operations whose
    status moved forward in it (their latest step). Two queries: the period's status changes, the operations."""
    changes = list(
        StatusChange.objects.filter(
            content_type__app_label="operations",
            content_type__model="operation",
            object_id__in=Operation.objects.filter(programme=programme).values("pk"),
            at__gte=_start_of(start),
            at__lt=_start_of(end + datetime.timedelta(days=1)),
        )
        .order_by("at", "pk")
        .values_list("object_id", "source", "target", "at")
    )
    rank = {status: index for index, status in enumerate(FORWARD)}
    delivered: dict[int, datetime.date] = {}
    forward: dict[int, tuple[str, datetime.date]] = {}
    for object_id, source, target, at in changes:
        day = timezone.localtime(at).date()
        if target == OperationStatus.DELIVERED:
            delivered[object_id] = day
        elif source in rank and target in rank and rank[target] > rank[source]:
            forward[object_id] = (target, day)
    if not changes:
        return [], []
    operations = {
        op.pk: op
        for op in Operation.objects.filter(pk__in={row[0] for row in changes})
        .only("pk", "code", "title", "status")
        .prefetch_related(_COMMUNES)
    }
    done = {OperationStatus.DELIVERED, OperationStatus.CLOSED}
    delivered_news = [
        OperationNews(op.code, op.title, _names(op.communes), OperationStatus.DELIVERED.label, on)
        for pk, on in delivered.items()
        if (op := operations.get(pk)) is not None and op.status in done
    ]
    progressed_news = [
        OperationNews(op.code, op.title, _names(op.communes), OperationStatus(target).label, on)
        for pk, (target, on) in forward.items()
        if pk not in delivered and (op := operations.get(pk)) is not None
    ]
    return sorted(delivered_news, key=_by_date), sorted(progressed_news, key=_by_date)


def _by_date(news: OperationNews) -> tuple[datetime.date, str]:
    return news.on, news.code


def _event_news(events: QuerySet[ConcertationEvent]) -> list[EventNews]:
    return [
        EventNews(
            title=event.title,
            format_label=event.get_format_display(),
            starts_on=event.starts_on,
            ends_on=event.ends_on,
            place=event.place,
            communes=_names(event.communes),
            participants=event.attendance_count,
            synthesis=event.synthesis,
        )
        for event in events.prefetch_related(_COMMUNES).order_by("starts_on", "pk")
    ]


def _communication_news(actions: QuerySet[CommunicationAction]) -> list[CommunicationNews]:
    return [
        CommunicationNews(action.title, action.get_kind_display(), action.date, action.message)
        for action in actions.order_by("date", "pk")
    ]


def compose(letter: InformationLetter) -> Composition:
    """The letter's content from the programme's progress over its period (live: a draft changes with the
    data; sending freezes it)."""
    programme_id = letter.programme_id
    start, end = letter.period_start, letter.period_end
    upcoming_until = add_months(end, UPCOMING_MONTHS)
    delivered, progressed = _operation_news(letter.programme, start, end)
    events = ConcertationEvent.objects.filter(programme_id=programme_id)
    actions = CommunicationAction.objects.filter(programme_id=programme_id)
    decisions = [
        DecisionNews(
            subject=c.subject,
            contributions=c.count,
            outcome_label=c.get_outcome_display(),
            change=c.effect_description,
            operation=f"{c.effect_operation.code} — {c.effect_operation.title}" if c.effect_operation else "",
            on=c.effect_on,
            event=c.event.title,
        )
        for c in Contribution.objects.filter(
            event__programme_id=programme_id,
            outcome__in=EFFECT_OUTCOMES,
            effect_on__gte=start,
            effect_on__lte=end,
        )
        .select_related("effect_operation", "event")
        .order_by("effect_on", "pk")
    ]
    return Composition(
        title=letter.title,
        programme=letter.programme.name,
        introduction=letter.introduction,
        period_start=start,
        period_end=end,
        upcoming_until=upcoming_until,
        delivered=delivered,
        progressed=progressed,
        events=_event_news(events.filter(status=EventStatus.HELD, starts_on__gte=start, starts_on__lte=end)),
        communications=_communication_news(
            # the letters themselves are not news of the next letter
            actions.filter(
                status=CommunicationStatus.DONE, date__gte=start, date__lte=end, letter__isnull=True
            )
        ),
        decisions=decisions,
        upcoming_events=_event_news(
            events.filter(status=EventStatus.PLANNED, starts_on__gt=end, starts_on__lte=upcoming_until)
        ),
        inaugurations=_communication_news(
            actions.filter(
                kind=CommunicationKind.INAUGURATION, status=CommunicationStatus.PLANNED, date__gt=end
            )
        ),
    )
