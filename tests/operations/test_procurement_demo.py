"""The procurement demo (operations/procurement/demo.py): idempotent, and showing the cases it promises —
checked with the rules' own functions (thresholds, scoring, amendments, payment delays, DECP)."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from budget.models import Expense
from operations.models import (
    Bid,
    BidScore,
    Consultation,
    Contract,
    ContractAmendment,
    Criterion,
    Invoice,
    LatePaymentRate,
    Lot,
    Procedure,
    PurchaseOrder,
    ServiceOrder,
    Subcontractor,
)
from operations.procurement import decp, execution, thresholds
from operations.procurement.demo import DEMO_MANAGER_EMAIL, TODAY
from operations.procurement.services.bids import analyse, award_of_lot
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.models import StatusChange

D = datetime.date
MODELS = [
    Consultation,
    Lot,
    Criterion,
    Bid,
    BidScore,
    Contract,
    ContractAmendment,
    Subcontractor,
    ServiceOrder,
    PurchaseOrder,
    Invoice,
]
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, settings) -> None:
    settings.DEBUG = True  # load_demo refuses to run otherwise (public demo passwords)
    call_command("load_demo", stdout=StringIO())


def _consultation(reference: str) -> Consultation:
    return Consultation.objects.get(reference=reference)


def test_a_second_load_writes_no_row_and_no_history(demo) -> None:
    def counts() -> tuple[int, ...]:
        return (
            *(model.objects.count() for model in MODELS),
            *(model.history.count() for model in MODELS),
            Expense.history.count(),
            StatusChange.objects.count(),
        )

    before = counts()
    assert all(before[: len(MODELS)])  # every kind of procurement record is in the demo
    call_command("load_demo", stdout=StringIO())
    assert counts() == before


def test_the_place_de_wassy_mapa_has_three_scored_bids_awarded_to_the_best_ranked(demo) -> None:
    consultation = _consultation("W01-PAV")
    lot = consultation.lots.get()
    assert consultation.procedure == Procedure.ADAPTED
    assert [op.code for op in consultation.operations.all()] == ["W-01"]
    top = {c.name: c.weight for c in consultation.criteria.filter(parent=None)}
    assert top == {"Prix des prestations": Decimal("0.40"), "Valeur technique": Decimal("0.60")}
    assert consultation.criteria.filter(parent__name="Valeur technique").count() == 2

    analysis = analyse(lot)

    assert analysis.complete and not analysis.warnings
    ranking = sorted(analysis.results, key=lambda r: r.rank)
    assert [r.bid.bidder.name for r in ranking] == [
        "SARL Pierres et Pavés de Haute-Marne",
        "Eurovia Champagne-Ardenne",
        "Colas France (agence de Saint-Dizier)",
    ]
    awarded, _award = award_of_lot(lot)
    assert awarded == ranking[0].bid
    assert lot.contract.holder == awarded.bidder and lot.contract.amount_ht == awarded.price_ht


def test_the_services_consultation_straddles_the_1_april_2026_threshold(demo) -> None:
    consultation = _consultation("PVD03-AMO")
    rows = thresholds.load_thresholds()
    assert (consultation.launch_date, consultation.estimated_value_ht) == (
        D(2026, 3, 31),
        Decimal("50000.00"),
    )

    on_launch = thresholds.required_procedure(
        consultation.nature, consultation.estimated_value_ht, D(2026, 3, 31), rows
    )
    next_day = thresholds.required_procedure(
        consultation.nature, consultation.estimated_value_ht, D(2026, 4, 1), rows
    )

    assert on_launch.procedure == consultation.computed_procedure == Procedure.ADAPTED
    assert next_day.procedure == Procedure.NO_PUBLICITY


def test_a_works_contract_has_two_amendments_reaching_12_percent_within_de_minimis(demo) -> None:
    contract = Contract.objects.get(number="M-2023-011")
    summary = execution.amendment_summary(
        initial_ht=contract.amount_ht,
        amendments_ht=contract.amendments.values_list("amount_ht", flat=True),
        nature=contract.lot.consultation.nature,
        cao_awarded=False,
    )
    assert contract.amendments.count() == 2
    assert summary.cumulative_rate == Decimal("0.12")
    assert not summary.over_de_minimis  # works: 15 %


def test_two_invoices_are_paid_late_with_interest_and_one_is_at_risk(demo) -> None:
    rates = list(LatePaymentRate.objects.all())
    delays = {
        invoice.number: execution.payment_delay(
            amount_ttc=invoice.amount_ttc,
            received_on=invoice.received_on,
            suspended_on=invoice.suspended_on,
            resumed_on=invoice.resumed_on,
            ordered_on=invoice.ordered_on,
            paid_on=invoice.paid_on,
            rates=rates,
            day=TODAY,
        )
        for invoice in Invoice.objects.all()
    }
    late = {number for number, delay in delays.items() if delay.status == execution.PAID_LATE}
    assert late == {"F-2025-0871", "PP-2026-058"}
    assert all(delays[n].interest > 0 and delays[n].flat_fee == Decimal("40.00") for n in late)
    assert [n for n, delay in delays.items() if delay.status == execution.AT_RISK] == ["F-2026-1102"]


def test_a_framework_agreement_has_purchase_orders_and_a_contract_a_subcontractor(demo) -> None:
    framework = Contract.objects.get(lot__consultation__framework_agreement=True)
    assert framework.purchase_orders.count() == 2
    assert Subcontractor.objects.filter(accepted_on__isnull=False).exists()


def test_budget_expenses_pay_the_demo_contracts_invoices(demo) -> None:
    linked = Expense.objects.filter(invoice__isnull=False).select_related("invoice")
    assert linked.count() >= 2
    for expense in linked:
        assert expense.invoice.number == expense.invoice_reference
        assert expense.contract_id == expense.invoice.contract_id
        assert expense.amount_ht == expense.invoice.amount_ht


def test_the_demo_contracts_are_published_valid_in_the_decp(demo) -> None:
    manager = User.objects.get(email=DEMO_MANAGER_EMAIL)
    programme = Programme.objects.get(consultations__reference="W01-PAV")

    export = decp.programme_export(manager, programme, TODAY)

    assert export.rejected == []
    assert {c.number for c in export.exported} == {"M-2023-011", "M-2025-004", "M-2026-017", "AC-2025-003"}
    decp.validate_document(export.document)
    award = StatusChange.objects.get(content_type=ContentType.objects.get_for_model(Bid), target="awarded")
    assert award.by == manager
