"""Reads of a contract's execution: the contract page (execution summary, amendments against the thresholds,
invoices with their payment delay, sub-contractors, orders, deadlines), the programme's invoices at risk, and
the contracts' deadlines for the alerts engine.

Query counts do not grow with the data: one query per kind of row, the late-payment rates read once.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from operations.models import (
    Contract,
    ContractAmendment,
    ContractStatus,
    Invoice,
    LatePaymentRate,
    PurchaseOrder,
    ServiceOrder,
    Subcontractor,
)
from operations.procurement import execution as rules
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.deadlines import DONE
from pvd.money import ZERO, format_euros

OPEN_STATUSES = (
    ContractStatus.NOTIFIED,
    ContractStatus.IN_PROGRESS,
    ContractStatus.ACCEPTED,
    ContractStatus.FINAL_ACCOUNT,
)


def _contracts(user: User) -> QuerySet[Contract]:
    return policy.visible_to(Contract.objects.all(), user).select_related(
        "lot__consultation__programme", "lot__operation", "holder"
    )


def contract_for_page(user: User, pk: int) -> Contract:
    """The contract, or 404 out of scope."""
    return policy.get_for_user(_contracts(user), user, pk=pk)


def load_rates() -> list[LatePaymentRate]:
    return list(LatePaymentRate.objects.order_by("valid_from"))


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    delay: rules.PaymentDelay


@dataclass(frozen=True)
class SubcontractorRow:
    subcontractor: Subcontractor
    state: rules.SubcontractorState


@dataclass
class ContractPage:
    contract: Contract
    summary: rules.AmendmentSummary
    amendments: list[ContractAmendment]
    invoices: list[InvoiceRow]
    subcontractors: list[SubcontractorRow]
    service_orders: list[ServiceOrder]
    purchase_orders: list[PurchaseOrder]
    advance: rules.AdvanceCheck
    deadlines: list[rules.ContractDeadline]
    current_ttc: Decimal
    invoiced_ttc: Decimal
    paid_ttc: Decimal
    interest_due: Decimal
    guarantee_end: datetime.date | None
    ordered_ht: Decimal
    missing: list[str] = field(default_factory=list)

    @property
    def remaining_ttc(self) -> Decimal:
        return self.current_ttc - self.invoiced_ttc

    @property
    def unpaid_ttc(self) -> Decimal:
        return self.invoiced_ttc - self.paid_ttc


def invoice_deadlines(
    contract: Contract, rows: list[InvoiceRow], day: datetime.date
) -> list[rules.ContractDeadline]:
    out = []
    for row in rows:
        due, invoice = row.delay.due_on, row.invoice
        if due is None:
            continue
        status = rules.timing(due, day, invoice.paid_on is not None, rules.INVOICE_WARNING_DAYS)
        if invoice.paid_on is not None and row.delay.is_late:
            status = DONE
        detail = ""
        if row.delay.is_late:
            detail = (
                f"{row.delay.days_late} jour(s) de retard : intérêts moratoires {format_euros(row.delay.interest)} et "
                f"indemnité forfaitaire {format_euros(row.delay.flat_fee)}."
            )
        out.append(
            rules.ContractDeadline(
                "invoice_payment",
                f"Paiement de la facture {invoice.number}",
                due,
                due - datetime.timedelta(days=rules.INVOICE_WARNING_DAYS),
                status,
                "30 jours à compter de la réception de la demande de paiement (R2192-10), suspension déduite.",
                contract.pk,
                f"Marché {contract.number}",
                detail,
            )
        )
    return out


def subcontractor_deadlines(
    contract: Contract, rows: list[SubcontractorRow], day: datetime.date
) -> list[rules.ContractDeadline]:
    out = []
    for row in rows:
        sub = row.subcontractor
        due = rules.tacit_acceptance_on(sub.declared_on)
        decided = sub.accepted_on is not None or sub.refused_on is not None or day >= due
        out.append(
            rules.ContractDeadline(
                "subcontractor_decision",
                f"Décision sur le sous-traitant {sub.organisation.name}",
                due,
                due - datetime.timedelta(days=rules.DEADLINE_WARNING_DAYS),
                rules.timing(due, day, decided),
                "21 jours de silence après la déclaration (DC4) valent acceptation.",
                contract.pk,
                f"Marché {contract.number}",
                row.state.label,
            )
        )
    return out


def contract_page(contract: Contract, day: datetime.date) -> ContractPage:
    consultation = contract.lot.consultation
    amendments = list(contract.amendments.select_related("recorded_by").order_by("number"))
    rates = load_rates()
    invoices = [
        InvoiceRow(
            invoice,
            rules.payment_delay(
                amount_ttc=invoice.amount_ttc,
                received_on=invoice.received_on,
                suspended_on=invoice.suspended_on,
                resumed_on=invoice.resumed_on,
                ordered_on=invoice.ordered_on,
                paid_on=invoice.paid_on,
                rates=rates,
                day=day,
            ),
        )
        for invoice in contract.invoices.order_by("received_on", "pk")
    ]
    subcontractors = [
        SubcontractorRow(
            sub,
            rules.subcontractor_state(
                amount_ttc=sub.amount_ttc,
                declared_on=sub.declared_on,
                accepted_on=sub.accepted_on,
                refused_on=sub.refused_on,
                day=day,
            ),
        )
        for sub in contract.subcontractors.select_related("organisation").order_by("declared_on", "pk")
    ]
    summary = rules.amendment_summary(
        initial_ht=contract.amount_ht,
        amendments_ht=[a.amount_ht for a in amendments],
        nature=consultation.nature,
        cao_awarded=consultation.cao_on is not None,
    )
    purchase_orders = list(contract.purchase_orders.order_by("issued_on", "pk"))
    deadlines = rules.acceptance_deadlines(contract, day)
    if contract.status not in (ContractStatus.TERMINATED,):
        deadlines += invoice_deadlines(contract, invoices, day)
        deadlines += subcontractor_deadlines(contract, subcontractors, day)
    return ContractPage(
        contract=contract,
        summary=summary,
        amendments=amendments,
        invoices=invoices,
        subcontractors=subcontractors,
        service_orders=list(contract.service_orders.order_by("number")),
        purchase_orders=purchase_orders,
        advance=rules.advance_check(
            amount_ht=contract.amount_ht,
            duration_months=contract.duration_months,
            advance_rate=contract.advance_rate,
        ),
        deadlines=rules.sort_deadlines(deadlines),
        current_ttc=rules.current_amount_ttc(
            initial_ttc=contract.amount_ttc, vat_rate=contract.vat_rate, amendments_ht=summary.amendments_ht
        ),
        invoiced_ttc=sum((r.invoice.amount_ttc for r in invoices), ZERO),
        paid_ttc=sum((r.invoice.amount_ttc for r in invoices if r.invoice.paid_on), ZERO),
        interest_due=sum((r.delay.total_due for r in invoices), ZERO),
        guarantee_end=rules.guarantee_end(
            accepted_on=contract.accepted_on,
            reserves=contract.acceptance_reserves,
            reserves_lifted_on=contract.reserves_lifted_on,
        ),
        ordered_ht=sum((o.amount_ht for o in purchase_orders), ZERO),
        missing=sorted({r.delay.missing for r in invoices if r.delay.missing}),
    )


@dataclass(frozen=True)
class RiskRow:
    invoice: Invoice
    delay: rules.PaymentDelay

    @property
    def contract(self) -> Contract:
        return self.invoice.contract


def invoices_at_risk(user: User, programme: Programme, *, day: datetime.date) -> list[RiskRow]:
    """The programme's unpaid invoices that are late or due within 10 days (the rate missing: listed too, with
    the message), the most urgent first, with the interest and fee accrued on `day`."""
    invoices = (
        policy.visible_to(Invoice.objects.all(), user)
        .filter(contract__lot__consultation__programme=programme, paid_on__isnull=True)
        .select_related("contract__lot__consultation", "contract__holder")
        .order_by("received_on", "pk")
    )
    rates = load_rates()
    rows = []
    for invoice in invoices:
        delay = rules.payment_delay(
            amount_ttc=invoice.amount_ttc,
            received_on=invoice.received_on,
            suspended_on=invoice.suspended_on,
            resumed_on=invoice.resumed_on,
            ordered_on=invoice.ordered_on,
            paid_on=None,
            rates=rates,
            day=day,
        )
        if delay.missing or (
            delay.due_on is not None and (delay.due_on - day).days <= rules.INVOICE_WARNING_DAYS
        ):
            rows.append(RiskRow(invoice, delay))
    far = datetime.date.max
    return sorted(rows, key=lambda r: (r.delay.due_on or far, r.invoice.number, r.invoice.pk))


def pending_rows(
    contracts: list[Contract], day: datetime.date
) -> tuple[dict[int, list[InvoiceRow]], dict[int, list[SubcontractorRow]]]:
    """The unpaid invoices (with their payment delay on `day`) and the undecided sub-contractors of `contracts`, by
    contract id: two queries whatever the number of contracts (the deadlines lists and the alerts)."""
    by_pk = {c.pk: c for c in contracts}
    rates = load_rates()
    invoices: dict[int, list[InvoiceRow]] = {}
    for invoice in Invoice.objects.filter(contract__in=list(by_pk), paid_on__isnull=True).order_by(
        "received_on", "pk"
    ):
        delay = rules.payment_delay(
            amount_ttc=invoice.amount_ttc,
            received_on=invoice.received_on,
            suspended_on=invoice.suspended_on,
            resumed_on=invoice.resumed_on,
            ordered_on=invoice.ordered_on,
            paid_on=None,
            rates=rates,
            day=day,
        )
        invoices.setdefault(invoice.contract_id, []).append(InvoiceRow(invoice, delay))
    subs: dict[int, list[SubcontractorRow]] = {}
    for sub in Subcontractor.objects.filter(
        contract__in=list(by_pk), accepted_on__isnull=True, refused_on__isnull=True
    ).select_related("organisation"):
        state = rules.subcontractor_state(
            amount_ttc=sub.amount_ttc, declared_on=sub.declared_on, accepted_on=None, refused_on=None, day=day
        )
        subs.setdefault(sub.contract_id, []).append(SubcontractorRow(sub, state))
    return invoices, subs


def contract_deadlines(
    user: User, *, day: datetime.date, programme: Programme | None = None
) -> list[rules.ContractDeadline]:
    """Every deadline of the open contracts the user sees (acceptance, guarantee, final account, retention,
    invoices to pay, sub-contractors to decide on), the most urgent first: for the alerts engine."""
    contracts = policy.visible_to(Contract.objects.all(), user).filter(status__in=OPEN_STATUSES)
    if programme is not None:
        contracts = contracts.filter(lot__consultation__programme=programme)
    contracts = list(contracts.order_by("number", "pk"))
    invoices, subs = pending_rows(contracts, day)
    out: list[rules.ContractDeadline] = []
    for contract in contracts:
        out += rules.acceptance_deadlines(contract, day)
        out += invoice_deadlines(contract, invoices.get(contract.pk, []), day)
        out += subcontractor_deadlines(contract, subs.get(contract.pk, []), day)
    return rules.sort_deadlines(out)
