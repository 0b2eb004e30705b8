"""Procurement in progress for the programme dashboard (issue 10): consultations by stage, contracts in execution
and the open deadlines of both (for the « Points d'attention »).

A fixed number of queries whatever the data size: consultations by status (1), contracts by status (1), the open
consultations' deadlines (1), the open contracts' deadlines (`contract_deadlines`: contracts, rates, invoices,
sub-contractors: 4). Rows come through the access policy.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from operations.procurement import execution, timeline
from operations.procurement.models import Consultation, ConsultationStatus, Contract, ContractStatus
from operations.procurement.selectors.consultations import deadlines_of, with_contract_dates
from operations.procurement.selectors.contracts import OPEN_STATUSES, contract_deadlines
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.money import ZERO


@dataclass(frozen=True)
class StatusFigure:
    status: str
    label: str
    count: int
    amount_ht: Decimal


@dataclass
class ProcurementSummary:
    stages: list[StatusFigure]  # consultations by status, in the order of the procedure
    contracts: list[StatusFigure]  # open contracts (notified … final account) by status
    consultation_deadlines: list[timeline.TimelineItem]  # open ones, the most urgent first
    contract_deadlines: list[execution.ContractDeadline]  # open ones, the most urgent first

    @property
    def in_progress(self) -> list[StatusFigure]:
        """Consultations not yet signed, unsuccessful or cancelled."""
        done = {ConsultationStatus.SIGNED, *timeline.CLOSED}
        return [s for s in self.stages if s.status not in done]

    @property
    def contracts_count(self) -> int:
        return sum(s.count for s in self.contracts)

    @property
    def contracts_amount_ht(self) -> Decimal:
        return sum((s.amount_ht for s in self.contracts), ZERO)


def _by_status(rows: list[dict], choices: type, column: str) -> list[StatusFigure]:
    found = {row["status"]: row for row in rows}
    return [
        StatusFigure(value, str(label), found[value]["n"], found[value][column] or ZERO)
        for value, label in choices.choices
        if value in found
    ]


def procurement_summary(user: User, programme: Programme, *, day: datetime.date) -> ProcurementSummary:
    consultations = policy.visible_to(Consultation.objects.all(), user).filter(programme=programme)
    stages = list(
        consultations.values("status").annotate(n=Count("pk"), value=Sum("estimated_value_ht")).order_by()
    )
    contracts = list(
        policy.visible_to(Contract.objects.all(), user)
        .filter(lot__consultation__programme=programme, status__in=OPEN_STATUSES)
        .values("status")
        .annotate(n=Count("pk"), amount=Sum("amount_ht"))
        .order_by()
    )
    open_consultations = with_contract_dates(consultations.exclude(status__in=timeline.CLOSED)).order_by("pk")
    items = [item for c in open_consultations for item in deadlines_of(c, day) if item.is_open]
    return ProcurementSummary(
        stages=_by_status(stages, ConsultationStatus, "value"),
        contracts=_by_status(contracts, ContractStatus, "amount"),
        consultation_deadlines=sorted(
            items, key=lambda i: (timeline.URGENCY[i.status], i.due_on or day, i.consultation_id or 0)
        ),
        contract_deadlines=[d for d in contract_deadlines(user, day=day, programme=programme) if d.is_open],
    )
