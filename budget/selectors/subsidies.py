"""Page-shaped reads of subsidy requests: the programme's pipeline (filters, counts and amounts by status and by
funder, the deadlines to come), one request's page, an operation's requests, and `upcoming_deadlines` for the
alerts engine.

Every list is a fixed number of queries whatever the number of requests: the requests with their money as
subqueries (payments asked for and received, reductions, repayments), the rules of their schemes in one query,
the allocations prefetched; deadlines are computed in Python (budget.deadlines). Rows come through the access
policy: a mayor sees their commune's requests only.

Conventions (as the commune page, docs/decisions/0009-money.md): *awarded* is the decision's amount minus the
reductions, for requests not rejected, lapsed or withdrawn; *received* is what came in minus repayments;
*remaining to receive* = awarded − received, never below zero.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from budget.deadlines import CLOSED_STATUSES, URGENCY, Deadline, deadlines_for, rule_on
from budget.models import (
    AdjustmentKind,
    PaymentKind,
    SchemeRule,
    SubsidyAdjustment,
    SubsidyAllocation,
    SubsidyPayment,
    SubsidyRequest,
    SubsidyStatus,
)
from budget.services.subsidies import Money, caps_for, money_from
from operations.models import Operation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.models import StatusChange
from pvd.money import ZERO

AMOUNT = DecimalField(max_digits=20, decimal_places=2)
# A request in these statuses brings nothing (anymore): its award does not count as expected money.
CLOSED_WITHOUT_MONEY = frozenset({SubsidyStatus.REJECTED, SubsidyStatus.LAPSED, SubsidyStatus.WITHDRAWN})
PAGE_SIZE = 50


def programme_for_subsidies(user: User, pk: int) -> Programme:
    """The programme whose pipeline a page shows; 404 out of scope. Its readers and the mayors of its communes
    open it (a mayor sees only their commune's requests)."""
    try:
        return policy.strategy_programmes(Programme.objects.select_related("epci"), user).get(pk=pk)
    except Programme.DoesNotExist as error:
        raise Http404("Aucun objet ne correspond à votre demande.") from error


def _total(model: type, request_field: str = "pk", **lookup: object) -> Coalesce:
    rows = (
        model.objects.filter(request=OuterRef(request_field), **lookup)
        .order_by()
        .values("request")
        .annotate(t=Sum("amount"))
        .values("t")[:1]
    )
    return Coalesce(Subquery(rows, output_field=AMOUNT), Value(ZERO), output_field=AMOUNT)


def with_money(requests: QuerySet[SubsidyRequest]) -> QuerySet[SubsidyRequest]:
    """Annotate each request with its payments (asked for, received), reductions, repayments and whether a
    balance was asked for — subqueries, no join."""
    balance = (
        SubsidyPayment.objects.filter(request=OuterRef("pk"), kind=PaymentKind.BALANCE)
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return requests.annotate(
        payments_total=_total(SubsidyPayment),
        received_total=_total(SubsidyPayment, received_on__isnull=False),
        advances_total=_total(SubsidyPayment, kind=PaymentKind.ADVANCE),
        instalments_total=_total(SubsidyPayment, kind=PaymentKind.INSTALMENT),
        reductions_total=_total(SubsidyAdjustment, kind=AdjustmentKind.REDUCTION),
        repayments_total=_total(SubsidyAdjustment, kind=AdjustmentKind.REPAYMENT),
        balance_count=Coalesce(Subquery(balance, output_field=IntegerField()), Value(0)),
    )


def _decorate(request: SubsidyRequest) -> SubsidyRequest:
    """Effective award, net received and remaining to receive, from the annotations."""
    counts = request.status not in CLOSED_WITHOUT_MONEY
    award = request.awarded_amount
    request.effective_award = None if award is None else award - request.reductions_total  # type: ignore[attr-defined]
    request.net_received = request.received_total - request.repayments_total  # type: ignore[attr-defined]
    request.counted_award = request.effective_award if counts and award is not None else ZERO  # type: ignore[attr-defined]
    request.remaining = (  # type: ignore[attr-defined]
        max(request.effective_award - request.net_received, ZERO) if counts and award is not None else ZERO
    )
    request.award_rate = (  # type: ignore[attr-defined]
        award / request.awarded_base_ht if award is not None and request.awarded_base_ht else None
    )
    return request


def _rules_by_scheme(requests: Iterable[SubsidyRequest]) -> dict[int, list[SchemeRule]]:
    schemes = {r.scheme_id for r in requests if r.scheme_id}
    rules: dict[int, list[SchemeRule]] = defaultdict(list)
    if schemes:
        for rule in SchemeRule.objects.filter(scheme_id__in=schemes).order_by("scheme_id", "valid_from"):
            rules[rule.scheme_id].append(rule)
    return rules


def _deadlines(
    request: SubsidyRequest, rules: dict[int, list[SchemeRule]], day: datetime.date
) -> list[Deadline]:
    payments = [SimpleNamespace(kind=PaymentKind.BALANCE)] if getattr(request, "balance_count", 0) else []
    return deadlines_for(request, rules.get(request.scheme_id) or None, day=day, payments=payments)


def by_urgency(deadlines: Iterable[Deadline]) -> list[Deadline]:
    return sorted(deadlines, key=lambda d: (URGENCY[d.status], d.due_on, d.request_id or 0))


# --- The alerts engine's entry point ------------------------------------------------------------------------


def upcoming_deadlines(user: User, *, day: datetime.date, within_days: int | None = None) -> list[Deadline]:
    """Every deadline not met yet (upcoming, in its warning window, or overdue) of the open requests the user
    sees, sorted by due date; with `within_days`, only those due by day + within_days (overdue ones included).
    Three queries whatever the number of requests."""
    requests = list(
        with_money(
            SubsidyRequest.objects.visible_to(user).exclude(status__in=CLOSED_STATUSES).order_by("pk")
        ).only(*_DEADLINE_FIELDS)
    )
    rules = _rules_by_scheme(requests)
    limit = day + datetime.timedelta(days=within_days) if within_days is not None else None
    found = [
        d
        for r in requests
        for d in _deadlines(r, rules, day)
        if d.is_open and (limit is None or d.due_on <= limit)
    ]
    return sorted(found, key=lambda d: (d.due_on, URGENCY[d.status], d.request_id or 0))


_DEADLINE_FIELDS = (
    "pk",
    "title",
    "status",
    "scheme_id",
    "filed_on",
    "acknowledged_on",
    "complete_on",
    "decided_on",
    "notified_on",
    "started_on",
    "completed_on",
    "balance_requested_on",
    "start_extension_requested_on",
    "start_extension_granted",
    "completion_extension_requested_on",
    "completion_extension_granted",
)


# --- The programme's pipeline --------------------------------------------------------------------------------


@dataclass
class Amounts:
    count: int = 0
    requested: Decimal = ZERO
    awarded: Decimal = ZERO
    received: Decimal = ZERO
    remaining: Decimal = ZERO

    def add(self, request: SubsidyRequest) -> None:
        self.count += 1
        self.requested += request.requested_amount
        self.awarded += request.counted_award
        self.received += request.net_received
        self.remaining += request.remaining


@dataclass
class Group:
    key: str
    label: str
    amounts: Amounts = field(default_factory=Amounts)


@dataclass
class Pipeline:
    requests: list[SubsidyRequest]
    totals: Amounts
    by_status: list[Group]
    by_funder: list[Group]
    deadlines: list[Deadline]
    deadlines_by_request: dict[int, list[Deadline]]


@dataclass
class Filters:
    statuses: list[str] = field(default_factory=list)
    funder: int | None = None
    scheme: int | None = None
    operation: int | None = None
    within_days: int | None = None


def programme_requests(
    user: User, programme: Programme, filters: Filters | None = None
) -> QuerySet[SubsidyRequest]:
    """The programme's requests the user sees, filtered (status, funder, scheme, operation), with their money."""
    filters = filters or Filters()
    requests = SubsidyRequest.objects.visible_to(user).filter(programme=programme)
    if filters.statuses:
        requests = requests.filter(status__in=filters.statuses)
    if filters.funder:
        requests = requests.filter(funder_id=filters.funder)
    if filters.scheme:
        requests = requests.filter(scheme_id=filters.scheme)
    if filters.operation:
        requests = requests.filter(
            pk__in=SubsidyAllocation.objects.filter(operation_id=filters.operation).values("request_id")
        )
    return (
        with_money(requests)
        .select_related("funder", "scheme", "beneficiary")
        .order_by("-filed_on", "title", "pk")
    )


def pipeline(user: User, programme: Programme, filters: Filters, day: datetime.date) -> Pipeline:
    """The pipeline across the programme: the filtered requests (allocations prefetched), totals, by status and
    by funder, and their open deadlines (overdue and warning first). Four queries."""
    return _pipeline_of(programme_requests(user, programme, filters), filters, day)


def programme_pipeline(programme: Programme, day: datetime.date) -> Pipeline:
    """The pipeline of every request of the programme, for a document its readers share (pvd.reports: the
    committee report, read by the programme's readers, who see all its requests). The caller checked the access.
    Four queries whatever the number of requests."""
    requests = with_money(SubsidyRequest.objects.filter(programme=programme)).select_related(
        "funder", "scheme", "beneficiary"
    )
    return _pipeline_of(requests.order_by("-filed_on", "title", "pk"), Filters(), day)


def _pipeline_of(requests_qs: QuerySet[SubsidyRequest], filters: Filters, day: datetime.date) -> Pipeline:
    requests = [
        _decorate(r)
        for r in requests_qs.prefetch_related(
            Prefetch(
                "allocations",
                queryset=SubsidyAllocation.objects.select_related("operation").order_by(
                    "operation__code", "pk"
                ),
            )
        )
    ]
    rules = _rules_by_scheme(requests)
    by_request = {r.pk: _deadlines(r, rules, day) for r in requests}
    if filters.within_days is not None:
        limit = day + datetime.timedelta(days=filters.within_days)
        requests = [r for r in requests if any(d.is_open and d.due_on <= limit for d in by_request[r.pk])]
    totals = Amounts()
    statuses = {s: Group(s, SubsidyStatus(s).label) for s in SubsidyStatus.values}
    funders: dict[int, Group] = {}
    for r in requests:
        totals.add(r)
        statuses[r.status].amounts.add(r)
        funders.setdefault(r.funder_id, Group(str(r.funder_id), r.funder.name)).amounts.add(r)
    return Pipeline(
        requests=requests,
        totals=totals,
        by_status=[g for g in statuses.values() if g.amounts.count],
        by_funder=sorted(funders.values(), key=lambda g: (-g.amounts.requested, g.label)),
        deadlines=by_urgency(d for r in requests for d in by_request[r.pk] if d.is_open),
        deadlines_by_request=by_request,
    )


# --- One request's page -----------------------------------------------------------------------------------


def request_for_page(user: User, pk: int) -> SubsidyRequest:
    """One request with what its page shows; 404 out of the user's scope."""
    queryset = SubsidyRequest.objects.select_related(
        "programme", "funder", "scheme", "beneficiary", "revenue_account"
    )
    return policy.get_for_user(queryset, user, pk=pk)


@dataclass
class RequestPage:
    allocations: list[SubsidyAllocation]
    payments: list[SubsidyPayment]
    adjustments: list[SubsidyAdjustment]
    money: Money
    caps: list
    rule: SchemeRule | None
    deadlines: list[Deadline]
    changes: list[StatusChange]


def money_of_rows(
    awarded: Decimal | None, payments: list[SubsidyPayment], adjustments: list[SubsidyAdjustment]
) -> Money:
    by_kind: dict[str, dict[str, Decimal]] = {}
    for p in payments:
        row = by_kind.setdefault(p.kind, {"total": ZERO, "received": ZERO})
        row["total"] += p.amount
        if p.received_on:
            row["received"] += p.amount
    adjusted: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for a in adjustments:
        adjusted[a.kind] += a.amount
    return money_from(awarded, by_kind, dict(adjusted))


def request_page(request: SubsidyRequest, day: datetime.date) -> RequestPage:
    """What the request's page shows: allocations, payments with the caps used and remaining, adjustments,
    the deadlines' timeline, the status history. Six queries whatever their number."""
    allocations = list(
        request.allocations.select_related("operation", "financing_line", "financing_line__scheme").order_by(
            "operation__code", "pk"
        )
    )
    payments = list(request.payments.select_related("recorded_by").order_by("requested_on", "pk"))
    adjustments = list(request.adjustments.select_related("recorded_by").order_by("decided_on", "pk"))
    money = money_of_rows(request.awarded_amount, payments, adjustments)
    rules = list(SchemeRule.objects.filter(scheme_id=request.scheme_id)) if request.scheme_id else []
    rule = rule_on(rules, request.filed_on or request.decided_on or day) if rules else None
    return RequestPage(
        allocations=allocations,
        payments=payments,
        adjustments=adjustments,
        money=money,
        caps=caps_for(request, money, rule),
        rule=rule,
        deadlines=deadlines_for(request, rules or None, day=day, payments=payments),
        changes=status_changes(request),
    )


def status_changes(request: SubsidyRequest) -> list[StatusChange]:
    """The request's transitions, newest first, with French labels and authors (one query)."""
    changes = list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(SubsidyRequest), object_id=request.pk
        )
        .select_related("by")
        .order_by("-at", "-pk")
    )
    for change in changes:
        change.source_label = SubsidyStatus(change.source).label if change.source else ""  # type: ignore[attr-defined]
        change.target_label = SubsidyStatus(change.target).label  # type: ignore[attr-defined]
        by = change.by
        change.by_label = (by.get_full_name() or by.email) if by else "Système"  # type: ignore[attr-defined]
    return changes


# --- An operation's requests (its money tab) -------------------------------------------------------------


@dataclass
class OperationSubsidies:
    rows: list[SubsidyAllocation]
    totals: Amounts
    allocated: Decimal
    deadlines: list[Deadline]


def operation_subsidies(user: User, operation: Operation, day: datetime.date) -> OperationSubsidies:
    """The requests financing `operation` that the user sees: the amount allocated to it, the request's amounts
    requested, awarded and received, and the timeline of their deadlines. Three queries."""
    return _operation_subsidies(SubsidyRequest.objects.visible_to(user), operation, day)


def operation_subsidies_for_document(operation: Operation, day: datetime.date) -> OperationSubsidies:
    """Every request financing `operation`, for a document its readers share (pvd.reports: the fiche-action).
    Whoever reads an operation sees the requests that finance it (a mayor: those financing their commune's
    operations), so nothing is hidden from a reader; the caller checked the access. Three queries."""
    return _operation_subsidies(SubsidyRequest.objects.all(), operation, day)


def _operation_subsidies(
    scope: QuerySet[SubsidyRequest], operation: Operation, day: datetime.date
) -> OperationSubsidies:
    visible = scope.filter(allocations__operation=operation)
    requests = {
        r.pk: _decorate(r)
        for r in with_money(
            SubsidyRequest.objects.filter(pk__in=visible.values("pk")).select_related("funder", "scheme")
        ).order_by("pk")
    }
    rows = list(
        SubsidyAllocation.objects.filter(operation=operation, request_id__in=list(requests))
        .select_related("financing_line")
        .order_by("request_id", "pk")
    )
    for row in rows:
        row.subsidy = requests[row.request_id]  # type: ignore[attr-defined]
    rows.sort(key=lambda a: (a.subsidy.funder.name, a.subsidy.title, a.pk))  # type: ignore[attr-defined]
    totals = Amounts()
    for r in requests.values():
        totals.add(r)
    rules = _rules_by_scheme(requests.values())
    deadlines = sorted(
        (d for r in requests.values() for d in _deadlines(r, rules, day) if d.status != "not_applicable"),
        key=lambda d: (d.due_on, URGENCY[d.status]),
    )
    return OperationSubsidies(
        rows=rows, totals=totals, allocated=sum((a.amount for a in rows), ZERO), deadlines=deadlines
    )


def filter_choices(user: User, programme: Programme) -> dict[str, list[tuple[int, str]]]:
    """Funders, schemes and operations present in the programme's visible requests (three small queries)."""
    visible = SubsidyRequest.objects.visible_to(user).filter(programme=programme)
    funders = visible.order_by("funder__name").values_list("funder_id", "funder__name").distinct()
    schemes = (
        visible.filter(scheme__isnull=False)
        .order_by("scheme__name")
        .values_list("scheme_id", "scheme__name")
        .distinct()
    )
    operations = (
        Operation.objects.filter(subsidy_allocations__request__in=visible.values("pk"))
        .order_by("code")
        .values_list("pk", "code", "title")
        .distinct()
    )
    return {
        "funders": list(funders),
        "schemes": list(schemes),
        "operations": [(pk, f"{code} — {title}") for pk, code, title in operations],
    }
