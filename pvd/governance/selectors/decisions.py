"""Reads of the decision register (issue 8, DOMAIN.md §6.1): the decisions of a programme — taken by its bodies in
meetings, or online by the élu référent on an arbitration — searched and filtered, a decision's page, and the
meeting page's minutes and decisions panels.

Every read goes through the policy (`visible_to`): the programme's readers and the mayors of its communes. An
arbitration note is internal (DOMAIN_RULES.md §5): a decision shows a link to it only to whoever reads it
(`link_arbitration`, computed in one query for a whole page).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from operations.conventions.richtext import clean_html
from operations.models import Operation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.governance.models import AgendaItem, Arbitration, Committee, Decision, Meeting
from pvd.governance.services.decisions import meeting_is_held
from pvd.governance.services.minutes import vote_label

REFERENT = "referent"  # the committee filter's value for decisions taken online by the élu référent

_RELATED = (
    "meeting__committee",
    "agenda_item",
    "operation",
    "need",
    "arbitration",
    "deliberation__organisation",
)


@dataclass(frozen=True)
class RegisterFilters:
    """The register's search and filters, read from the query string (invalid values are ignored)."""

    q: str = ""
    committee: str = ""  # a committee's id, or REFERENT
    year: int | None = None
    operation: int | None = None
    with_deliberation: bool = False

    @classmethod
    def from_query(cls, data: dict[str, str]) -> "RegisterFilters":
        def number(name: str) -> int | None:
            value = (data.get(name) or "").strip()
            return int(value) if value.isdigit() and len(value) < 10 else None

        committee = (data.get("instance") or "").strip()
        if committee != REFERENT and not committee.isdigit():
            committee = ""
        return cls(
            q=(data.get("q") or "").strip()[:200],
            committee=committee,
            year=number("annee"),
            operation=number("operation"),
            with_deliberation=data.get("deliberation") in {"1", "on", "oui"},
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.committee or self.year or self.operation or self.with_deliberation)


def _decorate(decisions: Iterable[Decision], user: object, day: datetime.date) -> list[Decision]:
    """Set on each decision `vote_label`, `link_arbitration` (may the user open the note?) and
    `deliberation_enforceable`. At most one query (the arbitrations the user reads among them)."""
    decisions = list(decisions)
    arbitration_ids = {d.arbitration_id for d in decisions if d.arbitration_id}
    readable: set[int] = set()
    if arbitration_ids:
        programmes = {d.programme_id for d in decisions if d.arbitration_id}
        if any(policy.can_read_arbitrations(user, Programme(pk=pk)) for pk in programmes):
            readable = set(
                Arbitration.objects.visible_to(user)
                .filter(pk__in=arbitration_ids)
                .values_list("pk", flat=True)
            )
    for decision in decisions:
        decision.vote_label = vote_label(decision)  # type: ignore[attr-defined]
        decision.link_arbitration = decision.arbitration_id in readable  # type: ignore[attr-defined]
        deliberation = decision.deliberation
        decision.deliberation_enforceable = (  # type: ignore[attr-defined]
            deliberation is not None and deliberation.is_enforceable(day)
        )
    return decisions


def programme_decisions(programme: Programme) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(programme=programme).select_related(*_RELATED).order_by("-decided_on", "-pk")
    )


def register(user: object, programme: Programme, filters: RegisterFilters) -> QuerySet[Decision]:
    """The programme's decisions the user sees, searched (text, body, operation's code or title) and filtered."""
    decisions = programme_decisions(programme).visible_to(user)
    if filters.q:
        decisions = decisions.filter(
            Q(text__icontains=filters.q)
            | Q(decided_by__icontains=filters.q)
            | Q(operation__code__icontains=filters.q)
            | Q(operation__title__icontains=filters.q)
        )
    if filters.committee == REFERENT:
        decisions = decisions.filter(meeting__isnull=True)
    elif filters.committee:
        decisions = decisions.filter(meeting__committee_id=int(filters.committee))
    if filters.year:
        decisions = decisions.filter(decided_on__year=filters.year)
    if filters.operation:
        decisions = decisions.filter(operation_id=filters.operation)
    if filters.with_deliberation:
        decisions = decisions.filter(deliberation__isnull=False)
    return decisions


def decorate(decisions: Iterable[Decision], user: object) -> list[Decision]:
    """The decisions of a page, ready to show to `user` (see `_decorate`)."""
    return _decorate(decisions, user, timezone.localdate())


def filter_choices(programme: Programme) -> dict[str, object]:
    """The filters' options: the programme's bodies, the years with a decision, the operations. Three queries."""
    years = sorted(
        {d.year for d in Decision.objects.filter(programme=programme).dates("decided_on", "year")},
        reverse=True,
    )
    return {
        "committees": list(Committee.objects.filter(programme=programme).order_by("name", "pk")),
        "years": years,
        "operations": list(
            Operation.objects.filter(programme=programme).only("pk", "code", "title").order_by("code", "pk")
        ),
    }


def decision_for_page(user: object, pk: int) -> Decision:
    """A decision the user sees (404 otherwise), with everything its page shows."""
    return policy.get_for_user(
        Decision.objects.select_related(*_RELATED, "recorded_by", "programme"), user, pk=pk
    )


def decisions_of_programme(
    programme: Programme, *, start: datetime.date, end: datetime.date
) -> list[Decision]:
    """The programme's decisions taken from `start` to `end` (inclusive), oldest first, with their body, meeting,
    operation and deliberation (the annual report). One query; no access check: the caller's document decides."""
    return list(
        Decision.objects.filter(programme=programme, decided_on__gte=start, decided_on__lte=end)
        .select_related(*_RELATED)
        .order_by("decided_on", "pk")
    )


def recent_decisions(user: object, programme: Programme, limit: int = 5) -> list[Decision]:
    """The programme's latest decisions the user sees, ready to show (two queries at most)."""
    return decorate(programme_decisions(programme).visible_to(user)[:limit], user)


# --- The meeting page's panels ------------------------------------------------------------------------------------


def meeting_panels(user: object, meeting: Meeting) -> dict[str, object]:
    """What the meeting page's minutes and decisions partials show (governance/partials/_meeting_minutes.html,
    _meeting_decisions.html): the sanitised minutes, the agenda items with their decisions, and what the user may
    do. Two or three queries whatever the number of items and decisions."""
    programme = meeting.committee.programme
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.select_related(*_RELATED).order_by("pk"))
        )
        .order_by("order", "pk")
    )
    decisions = [decision for item in items for decision in item.decisions.all()]
    decorate(decisions, user)
    can_manage = policy.can_manage_governance(user, programme)
    held = meeting_is_held(meeting)
    return {
        "minutes_html": clean_html(meeting.minutes),
        "minutes_written_at": meeting.minutes_written_at,
        "meeting_held": held,
        "decision_items": items,
        "decisions_count": len(decisions),
        "can_write_minutes": can_manage and held,
        "can_record_decisions": can_manage and held,
    }
