"""What public procurement reports to the alerts engine (issue 8): the consultations' legal steps (standstill —
no signature before +11 or +16 days —, award notice, transmission to the préfet, offers and questions delays),
the contracts' deadlines (invoices to pay within 30 days, acceptance, final account, retention) and the
amendments over the thresholds (cumulative > 5 % of a CAO-awarded contract: the CAO's opinion; > 10 % supplies
and services, > 15 % works: another legal ground). Bounded queries per programme whatever the number of rows."""

import datetime
from collections.abc import Iterator

from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from operations.models import Consultation, Contract, ContractAmendment
from operations.procurement import execution as rules
from operations.procurement import timeline
from operations.procurement.selectors.consultations import deadlines_of, with_contract_dates
from operations.procurement.selectors.contracts import (
    OPEN_STATUSES,
    invoice_deadlines,
    pending_rows,
    subcontractor_deadlines,
)
from programmes.models import Programme
from pvd.deadlines import ATTENTION, CRITICAL, OVERDUE, UPCOMING, WARNING, AlertCandidate
from pvd.money import ZERO, format_percent

ALERTED = (WARNING, OVERDUE)
# A missed transmission to the préfet leaves the contract unenforceable: the élu référent signs it.
CONSULTATION_LEVELS = {timeline.PREFECTURE: "referent"}


def _commune(kind: str | None, organisation_id: int | None) -> int | None:
    return organisation_id if kind == "commune" else None


def consultation_deadlines(programme: Programme, day: datetime.date) -> Iterator[AlertCandidate]:
    """The open consultations' legal steps near or missed; the standstill while it runs (no signature before its
    end). One query."""
    consultations = (
        with_contract_dates(
            Consultation.objects.filter(programme=programme).exclude(status__in=timeline.CLOSED)
        )
        .annotate(buyer_kind=F("buyer__kind"))
        .order_by("pk")
    )
    for consultation in consultations:
        for item in deadlines_of(consultation, day):
            standstill = item.code == timeline.STANDSTILL
            if item.status not in ALERTED and not (standstill and item.status == UPCOMING):
                continue
            overdue = item.status == OVERDUE or (standstill and item.status == WARNING)
            title = (
                f"Délai de suspension : pas de signature avant le {item.due_on:%d/%m/%Y} — {consultation.title}"
                if standstill and item.status == UPCOMING
                else f"{item.label} — {consultation.title}"
            )
            yield AlertCandidate(
                kind=f"procurement.{item.code}",
                key=f"procurement.{item.code}:{consultation.pk}",
                level=CRITICAL if overdue else ATTENTION,
                title=title,
                url=reverse("operations:consultation_detail", args=[consultation.pk]),
                due_on=item.due_on,
                detail=" ".join(filter(None, [item.detail, item.rule])),
                obj=consultation,
                commune_id=_commune(consultation.buyer_kind, consultation.buyer_id),
                decision_level=CONSULTATION_LEVELS.get(item.code, "manager") if overdue else "manager",
            )


def contract_deadlines(programme: Programme, day: datetime.date) -> Iterator[AlertCandidate]:
    """The open contracts' deadlines near or missed (invoices: 30 days to pay), and their amendments over the
    thresholds. Five queries."""
    amendments = (
        ContractAmendment.objects.filter(contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(total=Sum("amount_ht"))
        .values("total")[:1]
    )
    money = DecimalField(max_digits=16, decimal_places=2)
    contracts = list(
        Contract.objects.filter(lot__consultation__programme=programme, status__in=OPEN_STATUSES)
        .annotate(
            amendments_ht=Coalesce(Subquery(amendments, output_field=money), Value(ZERO), output_field=money),
            nature=F("lot__consultation__nature"),
            cao_on=F("lot__consultation__cao_on"),
            buyer_id=F("lot__consultation__buyer_id"),
            buyer_kind=F("lot__consultation__buyer__kind"),
        )
        .order_by("number", "pk")
    )
    invoices, subs = pending_rows(contracts, day)

    for contract in contracts:
        url = reverse("operations:contract_detail", args=[contract.pk])
        commune_id = _commune(contract.buyer_kind, contract.buyer_id)
        found = [(d, d.code) for d in rules.acceptance_deadlines(contract, day)]
        for row in invoices.get(contract.pk, []):
            found += [(d, f"{d.code}.{row.invoice.pk}") for d in invoice_deadlines(contract, [row], day)]
        for row in subs.get(contract.pk, []):
            found += [
                (d, f"{d.code}.{row.subcontractor.pk}") for d in subcontractor_deadlines(contract, [row], day)
            ]
        for deadline, ident in found:
            if deadline.status not in ALERTED:
                continue
            overdue = deadline.status == OVERDUE
            yield AlertCandidate(
                kind=f"procurement.{deadline.code}",
                key=f"procurement.{ident}:{contract.pk}",
                level=CRITICAL if overdue else ATTENTION,
                title=f"{deadline.label} — marché {contract.number}",
                url=url,
                due_on=deadline.due_on,
                detail=" ".join(filter(None, [deadline.detail, deadline.rule])),
                obj=contract,
                commune_id=commune_id,
                decision_level="manager",
            )
        summary = rules.amendment_summary(
            initial_ht=contract.amount_ht,
            amendments_ht=[contract.amendments_ht],
            nature=contract.nature,
            cao_awarded=contract.cao_on is not None,
        )
        if summary.over_de_minimis:
            yield AlertCandidate(
                kind="procurement.amendments_over_cap",
                key=f"procurement.amendments_over_cap:{contract.pk}",
                level=CRITICAL,
                title=(
                    f"Avenants au-delà de {format_percent(summary.de_minimis_cap, 0)} — marché {contract.number}"
                ),
                url=url,
                detail=" ".join(summary.warnings),
                obj=contract,
                commune_id=commune_id,
                decision_level="referent",
            )
        elif summary.over_cao_threshold and summary.cao_awarded:
            yield AlertCandidate(
                kind="procurement.amendments_cao",
                key=f"procurement.amendments_cao:{contract.pk}",
                level=ATTENTION,
                title=(
                    f"Avenants au-delà de {format_percent(rules.CAO_OPINION_ABOVE, 0)} : avis de la CAO — "
                    f"marché {contract.number}"
                ),
                url=url,
                detail=" ".join(summary.warnings),
                obj=contract,
                commune_id=commune_id,
                decision_level="manager",
            )
