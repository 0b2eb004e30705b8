"""Page-shaped reads of consultations: the programme's procurement list (filters, next deadline), its calendar,
a consultation's page, and `consultation_deadlines` for the alerts engine.

Every read goes through the access policy (`policy.visible_to`); query counts do not grow with the number of
consultations (annotations, one prefetch per relation, thresholds loaded once).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Prefetch, QuerySet

from operations.models import Operation
from operations.procurement import timeline
from operations.procurement.models import Consultation, ConsultationStatus, Criterion, Lot
from operations.procurement.services.consultations import criteria_problems, lots_warning
from operations.procurement.thresholds import (
    MissingThreshold,
    ProcedureRequirement,
    Purchase,
    SplitPurchaseWarning,
    load_thresholds,
    required_procedure,
    split_purchase_warnings,
)
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
CALENDAR_DAYS = 90


def with_contract_dates(queryset: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """Annotate the first signature of the consultation's contracts and whether all went to the préfet."""
    return queryset.annotate(
        signed_first=Min("lots__contract__signed_on"),
        contracts_count=Count("lots__contract", distinct=True),
        prefecture_count=Count("lots__contract__prefecture_sent_on", distinct=True),
        prefecture_last=Max("lots__contract__prefecture_sent_on"),
    )


def _prefecture_sent(c: Consultation) -> datetime.date | None:
    count = getattr(c, "contracts_count", 0)
    if count and getattr(c, "prefecture_count", 0) >= count:
        return c.prefecture_last
    return None


def deadlines_of(c: Consultation, day: datetime.date) -> list[timeline.TimelineItem]:
    """The deadlines of an annotated consultation (with_contract_dates)."""
    return timeline.deadlines(
        c, day=day, signed_on=getattr(c, "signed_first", None), prefecture_sent_on=_prefecture_sent(c)
    )


# --- The list -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    statuses: tuple[str, ...] = ()
    nature: str = ""
    procedure: str = ""
    year: int | None = None
    operation: Operation | None = None


@dataclass
class Row:
    consultation: Consultation
    next_deadline: timeline.TimelineItem | None
    deadlines: list[timeline.TimelineItem]


@dataclass
class CalendarMonth:
    label: str
    items: list[timeline.TimelineItem] = field(default_factory=list)


@dataclass
class ProcurementList:
    rows: list[Row]
    total_ht: Decimal
    calendar: list[CalendarMonth]


def consultations(user: User, programme: Programme, filters: Filters | None = None) -> QuerySet[Consultation]:
    filters = filters or Filters()
    queryset = policy.visible_to(Consultation.objects.all(), user).filter(programme=programme)
    if filters.statuses:
        queryset = queryset.filter(status__in=filters.statuses)
    if filters.nature:
        queryset = queryset.filter(nature=filters.nature)
    if filters.procedure:
        queryset = queryset.filter(procedure=filters.procedure)
    if filters.year:
        queryset = queryset.filter(launch_date__year=filters.year)
    if filters.operation is not None:
        queryset = queryset.filter(operations=filters.operation)
    return with_contract_dates(queryset.select_related("buyer")).order_by("-launch_date", "reference", "pk")


def procurement_list(
    user: User, programme: Programme, filters: Filters | None = None, *, day: datetime.date
) -> ProcurementList:
    """The rows of the list, their next deadline, the total value and the calendar of the coming deadlines
    (overdue ones first, then the next CALENDAR_DAYS days), by month."""
    rows = []
    for c in consultations(user, programme, filters):
        items = deadlines_of(c, day)
        rows.append(Row(c, timeline.next_deadline(items), items))
    horizon = day + datetime.timedelta(days=CALENDAR_DAYS)
    coming = sorted(
        (i for r in rows for i in r.deadlines if i.is_open and i.due_on is not None and i.due_on <= horizon),
        key=lambda i: (i.due_on, i.consultation_title),
    )
    months: dict[tuple[int, int], CalendarMonth] = {}
    for item in coming:
        key = (item.due_on.year, item.due_on.month)
        months.setdefault(key, CalendarMonth(f"{MONTHS[key[1] - 1].capitalize()} {key[0]}")).items.append(
            item
        )
    total = sum((r.consultation.estimated_value_ht for r in rows), Decimal(0))
    return ProcurementList(rows, total, list(months.values()))


def filter_choices(user: User, programme: Programme) -> dict[str, object]:
    years = (
        policy.visible_to(Consultation.objects.all(), user)
        .filter(programme=programme)
        .dates("launch_date", "year", order="DESC")
    )
    return {
        "years": [(d.year, str(d.year)) for d in years],
        "operations": policy.visible_to(Operation.objects.all(), user)
        .filter(programme=programme)
        .order_by("code", "pk"),
    }


# --- The consultation's page --------------------------------------------------------------------------------


def consultation_for_page(user: User, pk: int) -> Consultation:
    """The consultation (404 out of scope), with its programme, buyer and contract dates."""
    queryset = with_contract_dates(
        Consultation.objects.select_related("programme", "programme__epci", "buyer")
    )
    return policy.get_for_user(queryset, user, pk=pk)


@dataclass
class ConsultationPage:
    requirement: ProcedureRequirement | None
    missing_threshold: str
    current_requirement: ProcedureRequirement | None  # with today's rows, when they differ
    split_warnings: list[SplitPurchaseWarning]
    lots: list[Lot]
    lots_warning: str
    criteria: list[Criterion]
    criteria_problems: list[str]
    deadlines: list[timeline.TimelineItem]
    steps: list[timeline.Step]
    operations: list[Operation]


def split_warnings_for(
    programme: Programme, candidate: Purchase, *, nature: str, thresholds: list | None = None
) -> list[SplitPurchaseWarning]:
    """The split-purchase warnings of `candidate` (saved or being entered) among the programme's
    consultations of the same nature and year (same CPV division when it has a CPV code). One query."""
    return split_purchase_warnings(
        programme,
        candidate.launch_date.year,
        nature,
        cpv_code=candidate.cpv_code,
        candidate=candidate,
        thresholds=thresholds,
    )


def consultation_page(consultation: Consultation, *, day: datetime.date) -> ConsultationPage:
    c = consultation
    thresholds = load_thresholds()
    requirement, missing, current = None, "", None
    try:
        requirement = required_procedure(c.nature, c.estimated_value_ht, c.launch_date, thresholds)
    except MissingThreshold as error:
        missing = str(error)
    if requirement is not None and c.computed_procedure and requirement.procedure != c.computed_procedure:
        current = requirement  # the rows were corrected since the launch: the kept procedure still rules
    lots = list(c.lots.select_related("operation").order_by("number"))
    criteria = list(c.criteria.order_by("position", "pk"))
    candidate = Purchase(c.reference, c.title, c.estimated_value_ht, c.launch_date, c.pk, c.cpv_code)
    return ConsultationPage(
        requirement=requirement,
        missing_threshold=missing,
        current_requirement=current,
        split_warnings=[]
        if c.status == ConsultationStatus.CANCELLED
        else split_warnings_for(c.programme, candidate, nature=c.nature, thresholds=thresholds),
        lots=lots,
        lots_warning=lots_warning(c, lots),
        criteria=criteria,
        criteria_problems=criteria_problems(criteria),
        deadlines=deadlines_of(c, day),
        steps=timeline.steps(c, getattr(c, "signed_first", None)),
        operations=list(c.operations.order_by("code", "pk")),
    )


# --- Alerts -------------------------------------------------------------------------------------------------


def consultation_deadlines(user: User, *, day: datetime.date) -> list[timeline.TimelineItem]:
    """The open deadlines (upcoming, warning, overdue) of every consultation the user sees, the most urgent
    first: offers delays, questions, standstill, award notice, transmission to the préfet. One query."""
    queryset = with_contract_dates(
        policy.visible_to(Consultation.objects.all(), user).exclude(status__in=timeline.CLOSED)
    ).order_by("pk")
    items = [i for c in queryset for i in deadlines_of(c, day) if i.is_open]
    return sorted(items, key=lambda i: (timeline.URGENCY[i.status], i.due_on or day, i.consultation_id or 0))


def programme_consultations_prefetch(user: User) -> Prefetch:
    """For an operation's page: its consultations the user sees (one query)."""
    return Prefetch(
        "consultations",
        queryset=policy.visible_to(Consultation.objects.all(), user).order_by("-launch_date", "pk"),
    )
