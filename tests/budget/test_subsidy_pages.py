"""The subsidy pages: the programme's pipeline (filters, totals, mayors' scope, deadlines, query budget), the
XLSX, a request's page (caps, deadlines, history, query budget), the forms (prefill from a plan line, status
with evidence, payment over the cap refused), the operation's money tab, and `upcoming_deadlines`."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from budget.models import SubsidyRequest, SubsidyStatus
from budget.selectors.subsidies import upcoming_deadlines
from budget.services import subsidies as services
from tests.budget.factories import (
    BudgetLineFactory,
    FinancingLineFactory,
    FinancingPlanFactory,
    SubsidyAllocationFactory,
    SubsidyPaymentFactory,
    SubsidyRequestFactory,
    account,
    scheme,
)
from tests.budget.subsidy_rows import awarded_request, prefecture, subsidy_rows
from tests.conftest import Territory
from tests.operations.factories import OperationFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def make_requests(t: Territory, n: int, commune=None) -> None:
    """n notified DETR requests of a commune, each with an allocation and two payments (one received)."""
    commune = commune or t.wassy
    for _ in range(n):
        request = SubsidyRequestFactory(
            programme=t.programme,
            beneficiary=commune,
            funder=prefecture(t),
            scheme=scheme("detr"),
            status=SubsidyStatus.NOTIFIED,
            filed_on=D(2024, 1, 10),
            decided_on=D(2024, 3, 1),
            notified_on=D(2024, 3, 15),
            requested_amount=Decimal("50000.00"),
            awarded_amount=Decimal("40000.00"),
        )
        operation = OperationFactory(programme=t.programme, owner=commune, communes=[commune])
        SubsidyAllocationFactory(request=request, operation=operation, amount=Decimal("40000.00"))
        SubsidyPaymentFactory(
            request=request, kind="advance", amount=Decimal("12000.00"), received_on=D(2026, 3, 10)
        )
        SubsidyPaymentFactory(request=request, kind="instalment", amount=Decimal("8000.00"))


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# --- The pipeline -------------------------------------------------------------------------------------------


def test_pipeline_shows_requested_awarded_received_and_remaining(client_for, territory, manager) -> None:
    make_requests(territory, 2)
    response = client_for("manager").get(reverse("budget:subsidies", args=[territory.programme.pk]))
    totals = response.context["pipeline"].totals
    assert (totals.count, totals.requested, totals.awarded) == (2, Decimal("100000.00"), Decimal("80000.00"))
    assert (totals.received, totals.remaining) == (Decimal("24000.00"), Decimal("56000.00"))
    html = response.content.decode()
    assert "100\xa0000,00\xa0€" in html
    assert "Préfecture de la Haute-Marne" in html


def test_a_mayor_sees_only_the_requests_of_their_commune(client_for, territory, manager) -> None:
    make_requests(territory, 1, territory.wassy)
    make_requests(territory, 2, territory.la_porte_du_der)
    wassy = client_for("mayor_of_wassy").get(reverse("budget:subsidies", args=[territory.programme.pk]))
    lpdd = client_for("mayor_of_la_porte_du_der").get(
        reverse("budget:subsidies", args=[territory.programme.pk])
    )
    assert wassy.context["pipeline"].totals.count == 1
    assert lpdd.context["pipeline"].totals.count == 2
    assert all(r.beneficiary == territory.wassy for r in wassy.context["pipeline"].requests)


def test_pipeline_filters_by_status_funder_and_deadline(client_for, territory, manager) -> None:
    make_requests(territory, 2)
    SubsidyRequestFactory(
        programme=territory.programme, beneficiary=territory.wassy, status=SubsidyStatus.TO_PREPARE
    )
    url = reverse("budget:subsidies", args=[territory.programme.pk])
    client = client_for("manager")
    assert client.get(url).context["pipeline"].totals.count == 3
    assert client.get(url + "?statut=to_prepare").context["pipeline"].totals.count == 1
    assert client.get(url + f"?financeur={prefecture(territory).pk}").context["pipeline"].totals.count == 2
    # Notified 15/03/2024: start due 15/03/2026, already past today — included whatever N.
    within = client.get(url + "?echeance=30").context["pipeline"]
    assert within.totals.count == 2
    assert {d.code for d in within.deadlines} >= {"start"}


def test_pipeline_lists_overdue_deadlines_first(client_for, territory, manager) -> None:
    make_requests(territory, 1)
    pipeline = (
        client_for("manager")
        .get(reverse("budget:subsidies", args=[territory.programme.pk]))
        .context["pipeline"]
    )
    statuses = [d.status for d in pipeline.deadlines]
    assert statuses == sorted(statuses, key=["overdue", "warning", "upcoming"].index)


def test_pipeline_query_count_does_not_grow_with_the_requests(client_for, territory, manager) -> None:
    client = client_for("manager")
    url = reverse("budget:subsidies", args=[territory.programme.pk]) + "?echeance=400"
    make_requests(territory, 1)
    once = queries(client, url)
    make_requests(territory, 9)
    assert queries(client, url) == once


def test_pipeline_xlsx_has_requests_payments_and_deadlines(client_for, territory, manager) -> None:
    make_requests(territory, 2)
    response = client_for("manager").get(reverse("budget:subsidies_xlsx", args=[territory.programme.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Demandes", "Versements", "Échéances"]
    sheet = book["Demandes"]
    headers = [c.value for c in sheet[4]]
    row = [c.value for c in sheet[5]]
    assert row[headers.index("Montant demandé")] == 50000
    assert row[headers.index("Montant attribué (réductions déduites)")] == 40000
    assert row[headers.index("Encaissé (reversements déduits)")] == 12000
    assert row[headers.index("Notification")].date() == D(2024, 3, 15)
    assert book["Versements"].max_row >= 4 + 4
    assert any(c.value == "Commencement de l'opération" for c in book["Échéances"]["B"])


# --- A request's page -----------------------------------------------------------------------------------------


def test_request_page_shows_caps_deadlines_and_history(client_for, territory) -> None:
    rows = subsidy_rows(territory)
    response = client_for("referent").get(reverse("budget:subsidy_detail", args=[rows.request.pk]))
    html = response.content.decode()
    page = response.context["page"]
    advance = next(c for c in page.caps if c.code == "advance")
    assert (advance.amount, advance.used, advance.remaining) == (
        Decimal("30000.00"),
        Decimal("30000.00"),
        Decimal("0.00"),
    )
    assert "28/02/2026" in html  # start deadline of a notification on 29/02/2024
    assert "Historique des statuts" in html and "Historique des modifications" in html
    assert "Faire avancer la demande" not in html  # the referent reads


def test_request_page_query_count_does_not_grow(client_for, territory, manager) -> None:
    request = awarded_request(territory, manager)
    client = client_for("manager")
    url = reverse("budget:subsidy_detail", args=[request.pk])

    def add(n: int) -> None:
        for _ in range(n):
            SubsidyPaymentFactory(
                request=request, kind="instalment", amount=Decimal("10.00"), requested_on=D(2024, 6, 3)
            )
            services.record_adjustment(
                request=request,
                kind="reduction",
                amount=Decimal("1.00"),
                decided_on=D(2024, 7, 1),
                reason="x",
                by=manager,
            )

    add(1)
    once = queries(client, url)
    add(9)
    assert queries(client, url) == once


# --- Forms ------------------------------------------------------------------------------------------------------


def test_create_form_is_prefilled_from_the_plan_line(client_for, territory, manager) -> None:
    operation = OperationFactory(
        programme=territory.programme, owner=territory.wassy, communes=[territory.wassy]
    )
    line = FinancingLineFactory(
        plan=FinancingPlanFactory(operation=operation),
        category="state_dotation",
        funder=prefecture(territory),
        scheme=scheme("detr"),
        base_ht=Decimal("100000.00"),
        amount_ht=Decimal("35000.00"),
    )
    url = reverse("budget:subsidy_create", args=[territory.programme.pk])
    client = client_for("manager")
    form = client.get(f"{url}?operation={operation.pk}&ligne={line.pk}").context["form"]
    assert form.initial["requested_amount"] == Decimal("35000.00")
    assert form.initial["funder"] == prefecture(territory).pk
    response = client.post(
        url,
        {
            "beneficiary": territory.wassy.pk,
            "funder": prefecture(territory).pk,
            "scheme": scheme("detr").pk,
            "title": "DETR — Halle",
            "requested_base_ht": "100000.00",
            "requested_amount": "35000.00",
            "operation": operation.pk,
            "financing_line": line.pk,
        },
    )
    request = SubsidyRequest.objects.get(title="DETR — Halle")
    assert response.status_code == 302
    assert request.allocations.get().financing_line == line


def test_create_form_refuses_a_rate_above_100_percent(client_for, territory, manager) -> None:
    response = client_for("manager").post(
        reverse("budget:subsidy_create", args=[territory.programme.pk]),
        {
            "beneficiary": territory.wassy.pk,
            "funder": prefecture(territory).pk,
            "title": "Trop",
            "requested_base_ht": "1000.00",
            "requested_amount": "1000.01",
        },
    )
    assert response.status_code == 200
    assert "assiette" in str(response.context["form"].errors["requested_amount"])


def test_status_form_files_the_request_with_its_date(client_for, territory, manager) -> None:
    request = SubsidyRequestFactory(programme=territory.programme, beneficiary=territory.wassy)
    client = client_for("manager")
    url = reverse("budget:subsidy_status", args=[request.pk])
    client.post(url, {"status": "filed", "version": request.version})
    request.refresh_from_db()
    assert request.status == SubsidyStatus.TO_PREPARE  # no date, no filing
    client.post(
        url, {"status": "filed", "event_on": "2026-01-12", "reference": "DS-1", "version": request.version}
    )
    request.refresh_from_db()
    assert (request.status, request.filed_on, request.platform_reference) == ("filed", D(2026, 1, 12), "DS-1")


def test_a_payment_over_the_cap_is_refused_with_a_message(client_for, territory) -> None:
    rows = subsidy_rows(territory)  # 30 000 € advance already asked for
    response = client_for("manager").post(
        reverse("budget:payment_create", args=[rows.request.pk]),
        {"kind": "advance", "amount": "0.01", "requested_on": "2024-07-01"},
        follow=True,
    )
    assert rows.request.payments.count() == 1
    assert "plafond" in response.content.decode()


def test_edit_form_names_the_date_out_of_order(client_for, territory) -> None:
    rows = subsidy_rows(territory)
    client = client_for("manager")
    url = reverse("budget:subsidy_edit", args=[rows.request.pk])
    data = {k: v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    data.update(
        beneficiary=rows.request.beneficiary_id,
        funder=rows.request.funder_id,
        scheme=rows.request.scheme_id,
        revenue_account="",
        notified_on="2024-01-01",  # before the decision of 29/02/2024
        version=rows.request.version,
    )
    for name, value in list(data.items()):
        if isinstance(value, datetime.date):
            data[name] = value.isoformat()
        if isinstance(value, bool) and not value:
            data.pop(name)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "notified_on" in response.context["form"].errors


def test_receipt_records_the_revenue_order(client_for, territory) -> None:
    rows = subsidy_rows(territory)
    client_for("manager").post(
        reverse("budget:payment_receipt", args=[rows.payment.pk]),
        {"received_on": "2024-07-01", "revenue_order_reference": "Titre 2024-318"},
    )
    rows.payment.refresh_from_db()
    assert (rows.payment.received_on, rows.payment.revenue_order_reference) == (
        D(2024, 7, 1),
        "Titre 2024-318",
    )


def test_operation_money_tab_lists_its_requests_and_deadlines(client_for, territory) -> None:
    rows = subsidy_rows(territory)
    response = client_for("mayor_of_wassy").get(reverse("budget:operation_money", args=[rows.operation.pk]))
    html = response.content.decode()
    assert "DETR 2024 — Halle de Wassy" in html
    assert "Commencement de l&#x27;opération" in html
    subsidies = response.context["subsidies"]
    assert subsidies.totals.awarded == Decimal("100000.00")


# --- The alerts engine's entry point ----------------------------------------------------------------------------


def test_upcoming_deadlines_are_sorted_and_scoped(territory, manager, mayor_of_la_porte_du_der) -> None:
    make_requests(territory, 2)
    found = upcoming_deadlines(manager, day=D(2025, 1, 1))
    assert found and [d.due_on for d in found] == sorted(d.due_on for d in found)
    assert all(d.is_open for d in found)
    assert upcoming_deadlines(mayor_of_la_porte_du_der, day=D(2025, 1, 1)) == []
    soon = upcoming_deadlines(manager, day=D(2026, 1, 1), within_days=30)
    assert soon and all(d.due_on <= D(2026, 1, 31) for d in soon)


def test_upcoming_deadlines_query_count_is_constant(territory, manager) -> None:
    make_requests(territory, 1)
    with CaptureQueriesContext(connection) as once:
        upcoming_deadlines(manager, day=D(2025, 1, 1))
    make_requests(territory, 9)
    manager = type(manager).objects.get(pk=manager.pk)  # a fresh user: the scope is computed again
    with CaptureQueriesContext(connection) as ten:
        found = upcoming_deadlines(manager, day=D(2025, 1, 1))
    assert len(found) >= 10
    assert len(ten.captured_queries) == len(once.captured_queries)


def test_an_instalment_received_on_a_revenue_line_counts_as_a_title_in_the_programme_budget(
    client_for, territory
) -> None:
    rows = subsidy_rows(territory)
    revenue = BudgetLineFactory(
        programme=territory.programme,
        organisation=territory.wassy,
        year=2024,
        section="investment",
        direction="revenue",
        account=account("1321"),
        label="DETR — rénovation de la halle",
        voted_amount=Decimal("100000.00"),
    )
    client_for("manager").post(
        reverse("budget:payment_create", args=[rows.request.pk]),
        {
            "kind": "instalment",
            "amount": "20000.00",
            "requested_on": "2024-09-02",
            "received_on": "2024-10-01",
            "revenue_order_reference": "T-2024-0412",
            "budget_line": revenue.pk,
        },
    )
    payment = rows.request.payments.get(revenue_order_reference="T-2024-0412")
    assert payment.budget_line == revenue
    page = client_for("manager").get(
        reverse("budget:programme_budget", args=[territory.programme.pk]), {"annee": 2024}
    )
    assert "20\u00a0000,00\u00a0€" in page.content.decode()


def test_a_payment_cannot_be_booked_on_another_budget_s_line(client_for, territory) -> None:
    rows = subsidy_rows(territory)
    other = BudgetLineFactory(
        programme=territory.programme,
        organisation=territory.la_porte_du_der,
        year=2024,
        direction="revenue",
        account=account("1321"),
    )
    response = client_for("manager").post(
        reverse("budget:payment_create", args=[rows.request.pk]),
        {"kind": "instalment", "amount": "1000", "requested_on": "2024-09-02", "budget_line": other.pk},
    )
    assert response.status_code == 200
    assert "budget_line" in response.context["form"].errors
    assert not rows.request.payments.filter(amount=Decimal(1000)).exists()
