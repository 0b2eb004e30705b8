"""The summary of a commune for its mayor (issue 10, H4): the commune page `/communes/<insee>/`, its one-page
PDF, and later the weekly digest.

`commune_summary(commune, operations=…, indicators=…, housing_reader=…)` is user-less: the caller says which
operations and indicators it covers (the page: those the user sees; the PDF and the digest: every operation of
the commune, the commune's indicators and its programmes' common ones — what the commune's mayor reads) and for
whom the housing aggregates are masked. It reads each app through its selectors, a fixed number of queries
whatever the data size:
- operations by status group, with progress, lateness and latest journal entry: 1;
- money (expected, awarded, received) and what the commune still has to finance: 2;
- the next deadlines: subsidies 2 (the rules' query only when a request has a scheme), procurement 1;
- housing aggregates (small cells masked): those of `operations.selectors.housing`;
- indicators with their trend: 3 (measurements and targets prefetched; none when there is no indicator).

« What changed since your last visit » is the page's own, per user: `record_visit` (one select, one write) and
`changes_since` (four queries, each capped).

The next meeting (governance, issue 8), on the page only: the next planned meeting of a body of the commune's
programmes (1), and whether the reader may open its page (1, only when there is one).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from budget.selectors.commune import CommuneMoney
from budget.selectors.commune_page import ToFinance, commune_finances, subsidy_changes, subsidy_deadlines
from operations.models import Operation
from operations.selectors.commune_page import (
    StatusGroup,
    operation_changes,
    operations_by_status,
    procurement_deadlines,
)
from operations.selectors.housing import commune_housing_aggregates
from partners.models import Organisation
from programmes.indicators.models import Indicator
from programmes.indicators.selectors import IndicatorSummary, indicator_summaries
from programmes.models import Programme
from pvd import charts
from pvd.accounts import policy
from pvd.deadlines import URGENCY, HasDeadlineStatus
from pvd.documents import Renderer
from pvd.governance.models import Meeting
from pvd.governance.selectors.hooks import can_read_meeting, next_meeting_of_commune
from pvd.models import LastVisit

COMMUNE_SUMMARY = "commune_summary"
CHANGES_LIMIT = 10
DEADLINES_LIMIT = 5


# --- The summary ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextDeadline(HasDeadlineStatus):
    """A deadline of the commune's operations, whichever app it comes from (subsidy, procurement)."""

    due_on: datetime.date
    status: str
    label: str
    subject: str
    source: str  # « Subvention » / « Marché public »


@dataclass(frozen=True)
class NextMeeting:
    """The next meeting of a body of the commune's programmes; `url` is empty when the reader may not open it."""

    meeting: Meeting
    url: str = ""


def next_meeting(commune: Organisation, reader: object | None) -> NextMeeting | None:
    """For the page (a reader): the next meeting, linked when the reader may open it. None without a reader (the
    shared PDF and digest leave it out) or without a meeting ahead."""
    if reader is None:
        return None
    meeting = next_meeting_of_commune(commune)
    if meeting is None:
        return None
    url = reverse("governance:meeting", args=[meeting.pk]) if can_read_meeting(reader, meeting) else ""
    return NextMeeting(meeting, url)


@dataclass
class IndicatorLine:
    summary: IndicatorSummary
    chart: SafeString

    @property
    def indicator(self) -> Indicator:
        return self.summary.indicator

    def value(self, value: Decimal | None) -> str:
        return "—" if value is None else charts.format_value(value, self.indicator.unit)

    @property
    def latest_label(self) -> str:
        latest = self.summary.latest
        return "—" if latest is None else self.value(latest.value)

    @property
    def target_label(self) -> str:
        return self.value(self.summary.target)


@dataclass
class CommuneSummary:
    commune: Organisation
    day: datetime.date
    groups: list[StatusGroup]
    money: CommuneMoney
    to_finance: ToFinance
    deadlines: list[NextDeadline]
    housing: list
    indicators: list[IndicatorLine] = field(default_factory=list)
    next_meeting: NextMeeting | None = None

    @property
    def operations_count(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def late_count(self) -> int:
        return sum(1 for group in self.groups for o in group.operations if o.is_late)  # type: ignore[attr-defined]

    @property
    def delivered_rate(self) -> Decimal | None:
        """Delivered ÷ operations not abandoned nor suspended (fraction), None without any."""
        live = sum(g.count for g in self.groups if g.key != "other")
        delivered = sum(g.count for g in self.groups if g.key == "delivered")
        return Decimal(delivered) / Decimal(live) if live else None


def next_deadlines(
    operations: QuerySet[Operation], day: datetime.date, *, limit: int = DEADLINES_LIMIT
) -> list[NextDeadline]:
    """The `limit` next open deadlines of the operations' subsidies and consultations, overdue first, then by
    due date."""
    found = [
        NextDeadline(d.due_on, d.status, d.label, d.request_title, "Subvention")
        for d in subsidy_deadlines(operations, day)
    ] + [
        NextDeadline(i.due_on, i.status, i.label, i.consultation_title, "Marché public")
        for i in procurement_deadlines(operations, day)
    ]
    found.sort(key=lambda d: (d.status != "overdue", d.due_on, URGENCY[d.status], d.subject))
    return found[:limit]


def commune_indicators(commune: Organisation) -> QuerySet[Indicator]:
    """The commune's own indicators and the programme-wide ones of its programmes, not archived."""
    programmes = Programme.objects.filter(communes=commune).values("pk")
    return Indicator.objects.filter(
        Q(commune=commune) | Q(commune__isnull=True, programme__in=programmes), archived=False
    ).order_by(F("commune").asc(nulls_last=True), "name", "pk")


def indicator_lines(indicators: QuerySet[Indicator], day: datetime.date) -> list[IndicatorLine]:
    return [
        IndicatorLine(
            summary=s,
            chart=charts.line_chart(
                title=s.indicator.name,
                unit=s.indicator.unit,
                points=s.points,
                targets=s.targets,
                baseline=s.baseline,
                compact=True,
                uid=f"indicateur-{s.indicator.pk}",
            ),
        )
        for s in indicator_summaries(indicators, year=day.year)
    ]


def commune_summary(
    commune: Organisation,
    *,
    operations: QuerySet[Operation],
    indicators: QuerySet[Indicator],
    housing_reader: object,
    day: datetime.date | None = None,
    meeting_reader: object | None = None,
) -> CommuneSummary:
    """The summary of `commune` on `day` (today by default) over `operations` and `indicators`; housing
    aggregates as `housing_reader` may read them (small cells masked unless they read the named files); the next
    meeting linked when `meeting_reader` may open it."""
    day = day or policy.today()
    finances = commune_finances(commune, operations, day=day)
    return CommuneSummary(
        commune=commune,
        day=day,
        groups=operations_by_status(operations, day),
        money=finances.money,
        to_finance=finances.to_finance,
        deadlines=next_deadlines(operations, day),
        housing=commune_housing_aggregates(commune, housing_reader),
        indicators=indicator_lines(indicators, day),
        next_meeting=next_meeting(commune, meeting_reader),
    )


def summary_for_user(user: object, commune: Organisation, day: datetime.date | None = None) -> CommuneSummary:
    """The commune page's summary: the operations and indicators the user sees."""
    return commune_summary(
        commune,
        operations=Operation.objects.visible_to(user).filter(communes=commune),
        indicators=policy.visible_to(commune_indicators(commune), user),
        housing_reader=user,
        day=day,
        meeting_reader=user,
    )


def summary_for_commune(commune: Organisation, day: datetime.date | None = None) -> CommuneSummary:
    """The summary every reader of the commune shares (the PDF, the weekly digest): every operation of the
    commune, its indicators and its programmes' common ones, housing aggregates with small cells masked."""
    return commune_summary(
        commune,
        operations=Operation.objects.filter(communes=commune),
        indicators=commune_indicators(commune),
        housing_reader=AnonymousUser(),
        day=day,
    )


# --- What changed since the last visit (the page only: it depends on who reads) --------------------------------


def visit_page(commune: Organisation) -> str:
    return f"commune:{commune.insee_code}"


def record_visit(
    user: object, page: str, *, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """Record that `user` opens `page` now: `previous_seen_at` ← `seen_at`, `seen_at` ← now. Returns the moment of
    the visit before this one (None on the first visit). One select, one write."""
    now = now or timezone.now()
    visit = LastVisit.objects.filter(user=user, page=page).only("pk", "seen_at").first()
    if visit is None:
        try:
            with transaction.atomic():
                LastVisit.objects.create(user=user, page=page, seen_at=now)
        except IntegrityError:  # the same user's other tab recorded it first: not a first visit anymore
            visit = LastVisit.objects.only("pk", "seen_at").get(user=user, page=page)
        else:
            return None
    LastVisit.objects.filter(pk=visit.pk).update(previous_seen_at=visit.seen_at, seen_at=now)
    return visit.seen_at


def changes_since(
    operations: QuerySet[Operation], since: datetime.datetime, *, limit: int = CHANGES_LIMIT
) -> list[object]:
    """Status changes, journal entries, subsidy decisions and payments received on `operations` after `since`,
    newest first, at most `limit`. Four queries."""
    changes = [
        *operation_changes(operations, since, limit=limit),
        *subsidy_changes(operations, since, limit=limit),
    ]
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:limit]


# --- The one-page PDF -------------------------------------------------------------------------------------------


# The summary is one A4 page whatever the commune: at most this many operations (in the groups' order, the most
# advanced first) and indicators are listed; the counts above the table always cover every operation.
PDF_OPERATIONS = 10
PDF_INDICATORS = 3


def commune_summary_context(commune: Organisation) -> dict[str, object]:
    """The print template's context, from the commune only (no user: the PDF is the same for every reader)."""
    commune = Organisation.objects.select_related("epci").get(pk=commune.pk)
    summary = summary_for_commune(commune)
    operations = [op for group in summary.groups for op in group.operations]
    return {
        "commune": commune,
        "programmes": list(commune.programmes.order_by("name", "pk")),
        "summary": summary,
        "day": summary.day,
        "operations": operations[:PDF_OPERATIONS],
        "operations_left_out": len(operations) - len(operations[:PDF_OPERATIONS]),
        "indicators": summary.indicators[:PDF_INDICATORS],
        "indicators_left_out": len(summary.indicators) - len(summary.indicators[:PDF_INDICATORS]),
    }


COMMUNE_SUMMARY_PDF = Renderer(
    kind=COMMUNE_SUMMARY,
    template="pdf/commune_summary.html",
    title=lambda commune: f"Synthèse de la commune — {commune.name}",
    context=commune_summary_context,
    can_read=policy.can_read_commune_summary,
    url=lambda commune: reverse("commune", args=[commune.insee_code]),
)
