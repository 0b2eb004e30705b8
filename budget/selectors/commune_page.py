"""Reads of the money and subsidies of a commune's operations, for the mayor's commune page and its one-page
summary (issue 10, H4).

Every function takes the operations as a queryset the caller scoped (`visible_to(user)` for the page, every
operation of the commune for the summary shared by all its readers): nothing here depends on who asks. Query
counts do not grow with the data:
- `commune_finances`: two queries (the operations with their plan's cost; the subsidies grouped by operation
  and funder), with the same conventions as `budget.selectors.commune.commune_money` (docs/decisions/0009);
- `subsidy_changes`: two queries (decisions recorded, payments received since a moment), capped at `limit`;
- `subsidy_deadlines`: two queries (the open requests with their money, their schemes' rules).

*Still to finance by the commune* (« reste à financer ») is defined here once: for the operations whose owner
(maître d'ouvrage) is the commune, not abandoned, their cost TTC — the financing plan's eligible cost TTC, or
the operation's estimated cost TTC without a plan — minus the subsidies awarded to them; never below zero per
operation. The FCTVA the commune will recover later is not deducted (it is estimated on the operation's page).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from budget.deadlines import CLOSED_STATUSES, Deadline
from budget.models import SubsidyAllocation, SubsidyPayment, SubsidyRequest
from budget.models import SubsidyStatus as S
from budget.selectors.commune import (
    CommuneMoney,
    money_of_operations,
)
from budget.selectors.subsidies import _DEADLINE_FIELDS, _deadlines, _rules_by_scheme, by_urgency, with_money
from operations.models import Operation, OperationStatus
from partners.models import Organisation
from pvd.models import StatusChange
from pvd.money import ZERO, format_euros


@dataclass
class ToFinance:
    """What the commune still has to finance on the operations it owns (see the module's docstring)."""

    cost_ttc: Decimal = ZERO
    awarded: Decimal = ZERO
    amount: Decimal = ZERO
    operations: int = 0
    without_cost: int = 0  # owned operations with neither a plan nor an estimate: not counted


@dataclass
class CommuneFinances:
    money: CommuneMoney
    to_finance: ToFinance = field(default_factory=ToFinance)


def commune_finances(
    commune: Organisation, operations: QuerySet[Operation], *, day: datetime.date
) -> CommuneFinances:
    """The money of `operations` (expected, awarded, received; by funder and by operation) and what the
    commune still has to finance on those it owns. Two queries."""
    money, by_operation = money_of_operations(operations, SubsidyAllocation.objects.all(), day=day)

    to_finance = ToFinance()
    for m in by_operation.values():
        operation = m.operation
        if operation.owner_id != commune.pk or operation.status == OperationStatus.ABANDONED:
            continue
        cost = m.eligible_cost_ttc if m.eligible_cost_ttc is not None else operation.estimated_cost_ttc
        if cost is None:
            to_finance.without_cost += 1
            continue
        to_finance.operations += 1
        to_finance.cost_ttc += cost
        to_finance.awarded += m.awarded
        to_finance.amount += max(cost - m.awarded, ZERO)
    return CommuneFinances(money=money, to_finance=to_finance)


@dataclass(frozen=True)
class SubsidyChange:
    at: datetime.datetime
    kind: str  # decision / payment
    kind_label: str
    subject: str
    text: str


DECISIONS = {S.AWARDED: "Subvention attribuée", S.REJECTED: "Subvention refusée"}


def _requests_of(operations: QuerySet[Operation]) -> QuerySet:
    return SubsidyAllocation.objects.filter(operation__in=operations.values("pk")).values("request_id")


def subsidy_changes(
    operations: QuerySet[Operation], since: datetime.datetime, *, limit: int = 10
) -> list[SubsidyChange]:
    """The decisions (award, refusal) recorded and the payments received on the subsidies of `operations`
    after `since`, newest first (at most `limit` of each). Two queries."""
    request = SubsidyRequest.objects.filter(pk=OuterRef("object_id"))
    decisions = (
        StatusChange.objects.filter(
            content_type__app_label="budget",
            content_type__model="subsidyrequest",
            object_id__in=_requests_of(operations),
            target__in=list(DECISIONS),
            at__gt=since,
        )
        .annotate(
            title=Subquery(request.values("title")[:1]),
            funder=Subquery(request.values("funder__name")[:1]),
            amount=Subquery(request.values("awarded_amount")[:1]),
        )
        .order_by("-at", "-pk")
        .values("at", "target", "title", "funder", "amount")[:limit]
    )
    changes = []
    for row in decisions:
        text = row["funder"] or ""
        if row["target"] == S.AWARDED and row["amount"] is not None:
            text += f" — {format_euros(row['amount'])}"
        changes.append(SubsidyChange(row["at"], "decision", DECISIONS[row["target"]], row["title"], text))
    # A payment is « received » when its history shows it with a receipt date after `since` for the first time.
    history = SubsidyPayment.history.model
    already = history.objects.filter(id=OuterRef("id"), history_date__lte=since, received_on__isnull=False)
    payments = (
        history.objects.filter(
            request_id__in=_requests_of(operations), history_date__gt=since, received_on__isnull=False
        )
        .exclude(id__in=Subquery(already.values("id")))
        .annotate(
            title=Subquery(SubsidyRequest.objects.filter(pk=OuterRef("request_id")).values("title")[:1]),
        )
        .order_by("-history_date", "-history_id")
        .values("id", "history_date", "title", "amount", "received_on")[: limit * 3]
    )
    seen: set[int] = set()
    count = 0
    for row in payments:
        if row["id"] in seen or count >= limit:
            continue
        seen.add(row["id"])
        count += 1
        changes.append(
            SubsidyChange(
                row["history_date"],
                "payment",
                "Versement encaissé",
                row["title"],
                f"{format_euros(row['amount'])} le {row['received_on']:%d/%m/%Y}",
            )
        )
    return changes


def subsidy_deadlines(operations: QuerySet[Operation], day: datetime.date) -> list[Deadline]:
    """The open deadlines (upcoming, warning, overdue) of the subsidy requests financing `operations`, the most
    urgent first. Two queries."""
    requests = list(
        with_money(
            SubsidyRequest.objects.filter(pk__in=_requests_of(operations))
            .exclude(status__in=CLOSED_STATUSES)
            .order_by("pk")
        ).only(*_DEADLINE_FIELDS)
    )
    rules = _rules_by_scheme(requests)
    found = [d for r in requests for d in _deadlines(r, rules, day) if d.is_open]
    return by_urgency(found)
