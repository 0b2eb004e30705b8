"""A contract's execution through its services and pages: amendments (numbering, CAO opinion), invoices (cap,
late-payment interest across a rate change), sub-contractors, service orders, acceptance and retention, stale
edits, the contract page and the invoices at risk (query counts, XLSX)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from operations.models import Contract, Invoice, LatePaymentRate
from operations.procurement.selectors import contracts as selectors
from operations.procurement.services import contracts as services
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.operations.contract_rows import wassy_contract
from tests.operations.procurement_factories import CompanyFactory, ContractAmendmentFactory, InvoiceFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def test_amendment_over_5_percent_of_a_cao_contract_needs_the_cao_opinion(
    territory: Territory, manager
) -> None:
    contract = wassy_contract(territory)  # 200 000 € HT
    consultation = contract.lot.consultation
    consultation.cao_on = D(2026, 4, 20)
    consultation.save()
    first, _ = services.amendment_create(
        contract=contract,
        by=manager,
        signed_on=D(2026, 9, 1),
        ground="additional",
        amount_ht=Decimal("10000.00"),
        description="Reprise des bordures",
    )  # exactly 5 %: no opinion needed
    assert first.number == 1
    with pytest.raises(services.ContractError, match="avis préalable de la CAO"):
        services.amendment_create(
            contract=contract,
            by=manager,
            signed_on=D(2026, 9, 2),
            ground="additional",
            amount_ht=Decimal("20.00"),
            description="Plus 0,01 %",
        )
    second, warnings = services.amendment_create(
        contract=contract,
        by=manager,
        signed_on=D(2026, 9, 2),
        ground="additional",
        amount_ht=Decimal("20.00"),
        description="Plus 0,01 %",
        cao_opinion_on=D(2026, 9, 1),
    )
    assert second.number == 2 and warnings


def test_de_minimis_amendments_reaching_12_percent_allowed_on_works_refused_on_services(
    territory: Territory, manager
) -> None:
    works = wassy_contract(territory)
    ContractAmendmentFactory(contract=works, number=1, ground="de_minimis", amount_ht=Decimal("14000.00"))
    services.amendment_create(
        contract=works,
        by=manager,
        signed_on=D(2026, 9, 3),
        ground="de_minimis",
        amount_ht=Decimal("10000.00"),
        description="Complément",
    )
    other = wassy_contract(territory)
    consultation = other.lot.consultation
    consultation.nature = "services"
    consultation.save()
    ContractAmendmentFactory(contract=other, number=1, ground="de_minimis", amount_ht=Decimal("14000.00"))
    with pytest.raises(services.ContractError, match="autre fondement juridique est requis"):
        services.amendment_create(
            contract=other,
            by=manager,
            signed_on=D(2026, 9, 3),
            ground="de_minimis",
            amount_ht=Decimal("10000.00"),
            description="Complément",
        )


def test_an_invoice_over_the_contract_amount_is_refused(client_for, territory: Territory, manager) -> None:
    contract = wassy_contract(territory)  # 240 000 € TTC
    InvoiceFactory(contract=contract, amount_ht=Decimal("150000.00"), amount_ttc=Decimal("180000.00"))
    data = {
        "number": "F-2",
        "received_on": "2026-08-01",
        "amount_ht": "50000.01",
        "amount_ttc": "60000.01",
        "retention_ttc": "0",
        "advance_repaid_ttc": "0",
    }
    response = client_for("manager").post(reverse("operations:invoice_create", args=[contract.pk]), data)
    assert response.status_code == 200
    assert "au-delà du montant du marché" in response.content.decode()
    assert contract.invoices.count() == 1
    data.update(amount_ht="50000.00", amount_ttc="60000.00")
    response = client_for("manager").post(reverse("operations:invoice_create", args=[contract.pk]), data)
    assert response.status_code == 302 and contract.invoices.count() == 2


def test_late_interest_across_a_rate_change_uses_the_first_late_day(territory: Territory, manager) -> None:
    LatePaymentRate.objects.filter(valid_from=D(2026, 1, 1)).update(valid_until=D(2026, 6, 30))
    LatePaymentRate.objects.create(
        valid_from=D(2026, 7, 1), ecb_rate=Decimal("0.0300"), legal_reference="Taux du 2e semestre 2026"
    )
    contract = wassy_contract(territory, amount_ttc=Decimal("240000.00"))
    invoice = services.invoice_create(
        contract=contract,
        by=manager,
        number="F-7",
        received_on=D(2026, 5, 31),
        amount_ht=Decimal("30416.67"),
        amount_ttc=Decimal("36500.00"),
        ordered_on=D(2026, 7, 5),
        paid_on=D(2026, 7, 10),
    )
    delay = services.invoice_delay(invoice, D(2026, 8, 1))
    assert (delay.due_on, delay.days_late) == (D(2026, 6, 30), 10)
    assert (delay.interest, delay.flat_fee) == (Decimal("110.00"), Decimal("40.00"))


def test_paid_on_day_30_no_interest_day_31_one_day_and_40_euros(territory: Territory, manager) -> None:
    contract = wassy_contract(territory)
    on_time = InvoiceFactory(
        contract=contract, received_on=D(2026, 7, 1), ordered_on=D(2026, 7, 20), paid_on=D(2026, 7, 31)
    )
    late = InvoiceFactory(
        contract=contract, received_on=D(2026, 7, 1), ordered_on=D(2026, 7, 20), paid_on=D(2026, 8, 1)
    )
    assert services.invoice_delay(on_time, D(2026, 9, 1)).total_due == 0
    delay = services.invoice_delay(late, D(2026, 9, 1))
    assert delay.days_late == 1 and delay.flat_fee == Decimal("40.00") and delay.interest > 0


def test_invoice_dates_out_of_order_and_resume_without_suspension_are_refused(
    territory: Territory, manager
) -> None:
    contract = wassy_contract(territory)
    with pytest.raises(Exception, match="suspendu"):
        services.invoice_create(
            contract=contract,
            by=manager,
            number="F-9",
            received_on=D(2026, 7, 1),
            amount_ht=Decimal("100.00"),
            amount_ttc=Decimal("120.00"),
            resumed_on=D(2026, 7, 3),
        )


def test_a_refusal_after_21_days_of_silence_is_refused(territory: Territory, manager) -> None:
    contract = wassy_contract(territory)
    sub = services.subcontractor_declare(
        contract=contract,
        by=manager,
        organisation=CompanyFactory(),
        siret="12345678900011",
        scope="Signalisation",
        amount_ttc=Decimal("599.99"),
        declared_on=D(2026, 6, 1),
    )
    with pytest.raises(services.ContractError, match="accepté tacitement depuis le 22/06/2026"):
        services.subcontractor_decide(subcontractor=sub, by=manager, accept=False, on=D(2026, 6, 22))
    refused = services.subcontractor_decide(subcontractor=sub, by=manager, accept=False, on=D(2026, 6, 21))
    assert refused.refused_on == D(2026, 6, 21)


def test_no_resume_without_a_stop(territory: Territory, manager) -> None:
    contract = wassy_contract(territory)
    with pytest.raises(services.ContractError, match="Pas de reprise sans arrêt"):
        services.service_order_create(
            contract=contract, by=manager, kind="resume", issued_on=D(2026, 6, 1), effective_on=D(2026, 6, 1)
        )
    start = services.service_order_create(
        contract=contract, by=manager, kind="start", issued_on=D(2026, 6, 1), effective_on=D(2026, 6, 8)
    )
    stop = services.service_order_create(
        contract=contract, by=manager, kind="stop", issued_on=D(2026, 7, 1), effective_on=D(2026, 7, 1)
    )
    resume = services.service_order_create(
        contract=contract, by=manager, kind="resume", issued_on=D(2026, 8, 1), effective_on=D(2026, 8, 1)
    )
    assert [start.number, stop.number, resume.number] == [1, 2, 3]


def test_acceptance_then_retention_release_before_the_guarantee_end_is_refused(
    territory: Territory, manager
) -> None:
    contract = wassy_contract(territory, retention_rate=Decimal("0.05"))
    contract = services.contract_change_status(contract=contract, to="in_progress", by=manager)
    contract = services.contract_accept(
        contract=contract, expected_version=contract.version, by=manager, accepted_on=D(2026, 12, 1)
    )
    assert contract.status == "accepted"
    assert StatusChange.objects.filter(object_id=contract.pk, target="accepted").exists()
    with pytest.raises(Exception, match="court jusqu'au 01/12/2027"):
        services.retention_release(
            contract=contract, expected_version=contract.version, by=manager, released_on=D(2027, 11, 30)
        )
    released = services.retention_release(
        contract=contract, expected_version=contract.version, by=manager, released_on=D(2027, 12, 1)
    )
    assert released.retention_released_on == D(2027, 12, 1)


def test_termination_needs_a_reason_and_is_final(territory: Territory, manager) -> None:
    contract = wassy_contract(territory)
    with pytest.raises(services.ContractError, match="motif"):
        services.contract_change_status(contract=contract, to="terminated", by=manager)
    contract = services.contract_change_status(
        contract=contract, to="terminated", by=manager, comment="Faute"
    )
    with pytest.raises(services.ContractError, match="définitif"):
        services.contract_change_status(contract=contract, to="in_progress", by=manager)


def test_a_stale_contract_edit_is_refused(territory: Territory, manager) -> None:
    contract = wassy_contract(territory)
    services.contract_update(
        contract=contract, expected_version=1, by=manager, changes={"advance_rate": Decimal("0.05")}
    )
    with pytest.raises(StaleObjectError):
        services.contract_update(
            contract=contract, expected_version=1, by=manager, changes={"duration_months": 12}
        )


def test_stale_edit_from_the_page_shows_the_refusal(client_for, territory: Territory, manager) -> None:
    invoice = InvoiceFactory(contract=wassy_contract(territory))
    Invoice.objects.filter(pk=invoice.pk).update(version=2)
    data = {
        "number": invoice.number,
        "received_on": "2026-07-01",
        "amount_ht": "50000.00",
        "amount_ttc": "60000.00",
        "retention_ttc": "0",
        "advance_repaid_ttc": "0",
        "version": "1",
    }
    response = client_for("manager").post(
        reverse("operations:invoice_edit", args=[invoice.pk]), data, follow=True
    )
    assert "a été modifié" in response.content.decode()


def make_contract_data(t: Territory, contract: Contract, n: int) -> None:
    for i in range(n):
        InvoiceFactory(
            contract=contract,
            amount_ht=Decimal("100.00"),
            amount_ttc=Decimal("120.00"),
            received_on=D(2026, 6, 1) + datetime.timedelta(days=i),
        )
        ContractAmendmentFactory(contract=contract, amount_ht=Decimal("100.00"))
        services.subcontractor_declare(
            contract=contract,
            by=None,
            organisation=CompanyFactory(),
            siret="12345678900011",
            scope="Lot",
            amount_ttc=Decimal("1000.00"),
            declared_on=D(2026, 6, 1),
        )


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_contract_page_query_count_does_not_grow(client_for, territory: Territory, manager) -> None:
    one, ten = wassy_contract(territory), wassy_contract(territory)
    make_contract_data(territory, one, 1)
    make_contract_data(territory, ten, 10)
    client = client_for("manager")
    assert count_queries(client, reverse("operations:contract_detail", args=[one.pk])) == count_queries(
        client, reverse("operations:contract_detail", args=[ten.pk])
    )


def test_contract_page_shows_execution_summary(client_for, territory: Territory, manager) -> None:
    contract = wassy_contract(territory)
    ContractAmendmentFactory(contract=contract, number=1, amount_ht=Decimal("24000.00"))
    InvoiceFactory(contract=contract, amount_ttc=Decimal("60000.00"))
    html = (
        client_for("mayor_of_wassy")
        .get(reverse("operations:contract_detail", args=[contract.pk]))
        .content.decode()
    )
    assert "12,00\xa0%" in html  # 24 000 / 200 000
    assert "268\xa0800,00\xa0€" in html  # 240 000 + 24 000 × 1,2
    assert "Ajouter un avenant" not in html


def test_invoices_at_risk_query_count_and_xlsx(client_for, territory: Territory, manager) -> None:
    client = client_for("manager")
    url = reverse("operations:invoices_at_risk", args=[territory.programme.pk])
    contract = wassy_contract(territory)
    InvoiceFactory(contract=contract, received_on=D(2020, 1, 2), number="VIEILLE")
    first = count_queries(client, url)
    for _ in range(9):
        InvoiceFactory(contract=wassy_contract(territory), received_on=D(2026, 1, 2))
    assert count_queries(client, url) == first
    rows = selectors.invoices_at_risk(manager, territory.programme, day=D(2026, 3, 3))
    assert len(rows) == 10
    response = client.get(reverse("operations:invoices_at_risk_xlsx", args=[territory.programme.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in values if r[0] == "Marché")
    data = values[values.index(header) + 1 :]
    old = next(r for r in data if r[2] == "VIEILLE")
    assert "Aucun taux des intérêts moratoires" in old[12]
    recent = next(r for r in data if r[2] != "VIEILLE" and r[0])
    assert recent[3].date() == D(2026, 1, 2) and recent[6].date() == D(2026, 2, 1)
    assert recent[4] == 60000 and recent[7] == "En retard (non payée)"
    assert recent[11] == 40


def test_a_mayor_of_another_commune_does_not_see_the_invoices_at_risk(
    client_for, territory: Territory
) -> None:
    InvoiceFactory(contract=wassy_contract(territory), received_on=D(2026, 1, 2), number="WASSY-1")
    html = (
        client_for("mayor_of_la_porte_du_der")
        .get(reverse("operations:invoices_at_risk", args=[territory.programme.pk]))
        .content.decode()
    )
    assert "WASSY-1" not in html


def test_contract_deadlines_for_the_alerts_engine(territory: Territory, manager) -> None:
    contract = wassy_contract(territory)
    InvoiceFactory(contract=contract, received_on=D(2026, 7, 1))
    Contract.objects.filter(pk=contract.pk).update(pre_acceptance_report_on=D(2026, 11, 2))
    deadlines = selectors.contract_deadlines(manager, day=D(2026, 11, 20))
    codes = {d.code: d for d in deadlines}
    assert codes["invoice_payment"].status == "overdue"
    assert (
        codes["acceptance_decision"].due_on == D(2026, 12, 2)
        and codes["acceptance_decision"].status == "upcoming"
    )


def test_the_late_payment_detail_on_the_contract_page_is_in_french_format(
    client_for, territory: Territory
) -> None:
    contract = wassy_contract(territory)
    InvoiceFactory(
        contract=contract,
        number="F-LATE",
        received_on=D(2026, 7, 1),
        ordered_on=D(2026, 8, 20),
        paid_on=D(2026, 8, 31),
    )
    html = (
        client_for("manager").get(reverse("operations:contract_detail", args=[contract.pk])).content.decode()
    )
    assert "indemnité forfaitaire 40,00\xa0€" in html
    assert "40.00" not in html
