"""The programme budget page: voted vs committed vs paid by owner, section and line; revenue lines with the
titles issued; AP/CP; operations; restes à réaliser at 31/12; the PPI grid and its edit; the XLSX exports;
mayors see their commune's rows only; the query count does not grow with the data."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from budget.models import ExpenseStatus, PlannedInvestment
from budget.selectors import programme_budget as selectors
from budget.services import programme_budget as services
from pvd.concurrency import StaleObjectError
from tests.budget.factories import (
    BudgetLineFactory,
    ExpenseFactory,
    PaymentCreditFactory,
    PlannedInvestmentFactory,
    ProgrammeAuthorisationFactory,
    SubsidyPaymentFactory,
    SubsidyRequestFactory,
    account,
)
from tests.conftest import Territory
from tests.operations.factories import OperationFactory

D = Decimal
S = ExpenseStatus


def budget_url(territory: Territory, year: int = 2026) -> str:
    return reverse("budget:programme_budget", args=[territory.programme.pk]) + f"?annee={year}"


def paid(**kwargs):
    return ExpenseFactory(
        status=S.PAID,
        liquidated_on=datetime.date(2026, 3, 1),
        ordered_on=datetime.date(2026, 3, 2),
        paid_on=datetime.date(2026, 3, 10),
        payment_order_reference="M-1",
        **kwargs,
    )


@pytest.fixture
def budget(territory: Territory):
    """Wassy's 2026 budget: a works line (120 000 € of credits) with a commitment, a paid expense and a
    cancelled one; a revenue line with a subsidy instalment received; La Porte du Der's own line."""
    op = OperationFactory(
        programme=territory.programme, code="W-01", owner=territory.wassy, communes=[territory.wassy]
    )
    works = BudgetLineFactory(
        programme=territory.programme,
        organisation=territory.wassy,
        operation=op,
        voted_amount=D("100000"),
        amendments_amount=D("20000"),
        label="Travaux place",
    )
    ExpenseFactory(budget_line=works, operation=op, amount_ht=D("25000"), amount_ttc=D("30000"))
    paid(budget_line=works, operation=op, amount_ht=D("10000"), amount_ttc=D("12000"))
    ExpenseFactory(budget_line=works, amount_ttc=D("50000"), amount_ht=D("1"), status=S.CANCELLED)
    revenue = BudgetLineFactory(
        programme=territory.programme,
        organisation=territory.wassy,
        direction="revenue",
        account=account("1311"),
        voted_amount=D("40000"),
        label="DETR place",
    )
    request = SubsidyRequestFactory(programme=territory.programme, beneficiary=territory.wassy)
    SubsidyPaymentFactory(
        request=request, amount=D("15000"), budget_line=revenue, received_on=datetime.date(2026, 4, 2)
    )
    SubsidyPaymentFactory(request=request, amount=D("9000"), budget_line=revenue)  # asked, not received
    lpdd = BudgetLineFactory(
        programme=territory.programme,
        organisation=territory.la_porte_du_der,
        voted_amount=D("55555"),
        label="Travaux de la halle",
    )
    PlannedInvestmentFactory(operation=op, year=2026, amount_ttc=D("80000"))
    return {"op": op, "works": works, "revenue": revenue, "lpdd": lpdd}


def test_the_page_shows_voted_committed_and_paid_by_line(client_for, budget, territory: Territory) -> None:
    response = client_for("referent").get(budget_url(territory))
    page = response.context["page"]
    works = next(line for g in page.expense_groups for line in g.lines if line.pk == budget["works"].pk)
    assert (works.credits, works.committed, works.liquidated, works.ordered, works.paid, works.remaining) == (
        D("120000"),
        D("42000"),
        D("12000"),
        D("12000"),
        D("12000"),
        D("78000"),
    )
    revenue = page.revenue_groups[0].lines[0]
    assert (revenue.credits, revenue.titles, revenue.to_collect) == (D("40000"), D("15000"), D("25000"))
    op = next(o for o in page.operations if o.pk == budget["op"].pk)
    assert (op.ppi_year, op.credits_year, op.committed_year, op.paid_year) == (
        D("80000"),
        D("120000"),
        D("42000"),
        D("12000"),
    )
    html = response.content.decode()
    assert "78\xa0000,00\xa0€" in html
    assert "Budget de Wassy" in html and "La Porte du Der" in html
    assert "<svg" in html and "<title" in html


def test_a_mayor_sees_only_their_communes_budget(client_for, budget, territory: Territory) -> None:
    response = client_for("mayor_of_la_porte_du_der").get(budget_url(territory))
    page = response.context["page"]
    lines = [line.pk for g in page.groups for line in g.lines]
    assert lines == [budget["lpdd"].pk]
    assert page.operations == []
    html = response.content.decode()
    assert "Travaux place" not in html and "Travaux de la halle" in html
    assert "Ajouter une ligne budgétaire" not in html


def test_the_year_switcher_defaults_to_the_current_year(client_for, territory: Territory) -> None:
    response = client_for("manager").get(reverse("budget:programme_budget", args=[territory.programme.pk]))
    assert response.context["year"] == datetime.date.today().year
    assert (
        client_for("manager").get(budget_url(territory, 1234)).context["year"] == datetime.date.today().year
    )


def test_the_programme_page_links_to_the_budget(client_for, territory: Territory) -> None:
    response = client_for("manager").get(reverse("programme", args=[territory.programme.pk]))
    assert reverse("budget:programme_budget", args=[territory.programme.pk]) in response.content.decode()


# --- Restes à réaliser ---------------------------------------------------------------------------------------


def test_restes_a_realiser_at_year_end(territory: Territory) -> None:
    line = BudgetLineFactory(programme=territory.programme, organisation=territory.wassy, year=2026)
    december = ExpenseFactory(budget_line=line, committed_on=datetime.date(2026, 12, 15), label="Décembre")
    ExpenseFactory(
        budget_line=line,
        label="Mandatée le 31/12",
        status=S.ORDERED,
        committed_on=datetime.date(2026, 12, 1),
        liquidated_on=datetime.date(2026, 12, 20),
        ordered_on=datetime.date(2026, 12, 31),
    )
    january = ExpenseFactory(
        budget_line=line,
        label="Mandatée en janvier",
        status=S.PAID,
        committed_on=datetime.date(2026, 11, 1),
        liquidated_on=datetime.date(2026, 12, 30),
        ordered_on=datetime.date(2027, 1, 4),
        paid_on=datetime.date(2027, 1, 10),
    )
    liquidated = ExpenseFactory(
        budget_line=line,
        label="Liquidée",
        status=S.LIQUIDATED,
        committed_on=datetime.date(2026, 6, 1),
        liquidated_on=datetime.date(2026, 12, 1),
    )
    ExpenseFactory(
        budget_line=line, label="Annulée", status=S.CANCELLED, committed_on=datetime.date(2026, 6, 1)
    )
    later = BudgetLineFactory(programme=territory.programme, organisation=territory.wassy, year=2027)
    ExpenseFactory(budget_line=later, label="2027", committed_on=datetime.date(2027, 1, 2))
    rows = selectors.carry_forward(territory.programme, 2026)
    assert {e.pk for e in rows.expenses} == {december.pk, january.pk, liquidated.pk}
    assert rows.total == D("36000.00")
    assert rows.by_line()[0][1] == D("36000.00")
    # A year later the January order has been issued: only what is still not ordered is carried again.
    assert {e.pk for e in selectors.carry_forward(territory.programme, 2027).expenses} >= {december.pk}


# --- PPI -----------------------------------------------------------------------------------------------------


def test_the_ppi_is_saved_all_years_or_none(territory: Territory, manager) -> None:
    op = OperationFactory(programme=territory.programme)
    services.ppi_set(operation=op, rows={2026: D("10000"), 2027: D("20000")}, by=manager)
    with pytest.raises(ValidationError):
        services.ppi_set(operation=op, rows={2026: D("15000"), 2028: D("-1")}, by=manager)
    assert dict(PlannedInvestment.objects.filter(operation=op).values_list("year", "amount_ttc")) == {
        2026: D("10000"),
        2027: D("20000"),
    }
    services.ppi_set(operation=op, rows={2026: None, 2028: D("5000")}, by=manager)
    assert sorted(PlannedInvestment.objects.filter(operation=op).values_list("year", flat=True)) == [
        2027,
        2028,
    ]


def test_a_stale_ppi_year_is_refused(territory: Territory, manager) -> None:
    op = OperationFactory(programme=territory.programme)
    services.ppi_set(operation=op, rows={2026: D("10000")}, by=manager)
    seen = PlannedInvestment.objects.get(operation=op).version
    services.ppi_set(operation=op, rows={2026: D("11000")}, by=manager, expected_versions={2026: seen})
    with pytest.raises(StaleObjectError):
        services.ppi_set(operation=op, rows={2026: D("12000")}, by=manager, expected_versions={2026: seen})


def test_the_ppi_grid_and_its_edit_page(client_for, budget, territory: Territory) -> None:
    client = client_for("manager")
    grid = client.get(reverse("budget:ppi", args=[territory.programme.pk]) + "?annee=2026").context["grid"]
    assert 2026 in grid.years
    row = next(r for r in grid.rows if r[0].pk == budget["op"].pk)
    assert row[2] == D("80000")
    url = reverse("budget:ppi_edit", args=[budget["op"].pk])
    formset = client.get(url).context["formset"]
    data = {"annees-TOTAL_FORMS": str(formset.total_form_count()), "annees-INITIAL_FORMS": "0"}
    for i, form in enumerate(formset.forms):
        data[f"annees-{i}-year"] = form.initial["year"]
        if form.initial.get("version"):
            data[f"annees-{i}-version"] = form.initial["version"]
            data[f"annees-{i}-amount"] = "90000,50"
    assert client.post(url, data).status_code == 302
    assert PlannedInvestment.objects.get(operation=budget["op"], year=2026).amount_ttc == D("90000.50")


# --- Exports -------------------------------------------------------------------------------------------------


def sheet_rows(content: bytes, title: str) -> list[tuple]:
    book = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in book[title].iter_rows(values_only=True)]


def test_the_xlsx_export_has_every_table_with_heading_and_totals(
    client_for, budget, territory: Territory
) -> None:
    response = client_for("manager").get(
        reverse("budget:programme_budget_xlsx", args=[territory.programme.pk]) + "?annee=2026"
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Dépenses",
        "Recettes",
        "AP-CP",
        "Opérations",
        "Restes à réaliser",
        "Financements par année",
        "Prévu et réalisé",
    ]
    rows = sheet_rows(response.content, "Dépenses")
    assert rows[1][0] == "Collectivité : CA du Grand Saint-Dizier Der et Vallées"
    assert rows[3][0] == "Exercice : 2026"
    assert rows[4][0].startswith("Édité le ")
    header = rows[6]
    assert header[:4] == ("Budget de", "Section", "Chapitre", "Compte")
    works = next(r for r in rows if r[4] == "Travaux place")
    assert works[2:4] == ("23", "2313")
    assert works[header.index("Crédits ouverts")] == 120000
    assert works[header.index("Engagé")] == 42000
    assert works[header.index("Payé")] == 12000
    total = rows[-1]
    assert total[0] == "Total" and total[header.index("Budget primitif")].startswith("=SUM(")
    revenue = sheet_rows(response.content, "Recettes")
    assert (
        next(r for r in revenue if r[4] == "DETR place")[revenue[6].index("Titres émis (encaissés)")] == 15000
    )


def test_the_carry_forward_export(client_for, territory: Territory) -> None:
    line = BudgetLineFactory(programme=territory.programme, organisation=territory.wassy, year=2026)
    ExpenseFactory(budget_line=line, label="Marché voirie", amount_ttc=D("12345.67"), amount_ht=D("10288.06"))
    response = client_for("manager").get(
        reverse("budget:carry_forward_xlsx", args=[territory.programme.pk]) + "?annee=2026"
    )
    rows = sheet_rows(response.content, "Restes à réaliser")
    assert rows[0][0] == "Restes à réaliser au 31/12/2026"
    data = next(r for r in rows if r[7] == "Marché voirie")
    assert data[-1] == pytest.approx(12345.67)
    assert rows[-1][0] == "Total"


# --- Query budget --------------------------------------------------------------------------------------------


def populate(territory: Territory, factor: int) -> None:
    for n in range(factor):
        op = OperationFactory(programme=territory.programme, code=f"W-{n:03d}", communes=[territory.wassy])
        ap = ProgrammeAuthorisationFactory(
            programme=territory.programme, organisation=territory.wassy, operations=[op], number=f"AP-{n}"
        )
        PaymentCreditFactory(authorisation=ap, year=2026)
        PlannedInvestmentFactory(operation=op, year=2026)
        for organisation in (territory.wassy, territory.la_porte_du_der):
            line = BudgetLineFactory(
                programme=territory.programme, organisation=organisation, operation=op, authorisation=None
            )
            ExpenseFactory(budget_line=line, operation=op)
            paid(budget_line=line, operation=op)
        BudgetLineFactory(
            programme=territory.programme,
            organisation=territory.wassy,
            authorisation=ap,
            operation=op,
        )


EXPECTED_QUERIES = {"manager": 18, "mayor_of_wassy": 18}  # with the bell's unread count (issue 8)


@pytest.mark.parametrize("factor", [1, 10])
@pytest.mark.parametrize("persona", ["manager", "mayor_of_wassy"])
def test_the_budget_page_has_a_fixed_query_budget(
    client_for, territory: Territory, factor: int, persona: str, django_assert_num_queries
) -> None:
    populate(territory, factor)
    client = client_for(persona)
    client.get(budget_url(territory))
    # session, user, scope, programme, can_read/can_edit (cached scope), lines, APs, operations, restes à
    # réaliser, funding lines + PPI, planned vs actual (PPI, CP, paid), menu, session refresh
    with django_assert_num_queries(EXPECTED_QUERIES[persona]):
        response = client.get(budget_url(territory))
    assert len(response.context["page"].authorisations) == factor


@pytest.mark.parametrize("factor", [1, 10])
def test_the_line_and_ap_pages_have_a_fixed_query_budget(
    client_for, territory: Territory, factor: int, django_assert_max_num_queries
) -> None:
    populate(territory, 1)
    ap = ProgrammeAuthorisationFactory(programme=territory.programme, organisation=territory.wassy)
    PaymentCreditFactory(authorisation=ap, year=2026)
    line = BudgetLineFactory(programme=territory.programme, organisation=territory.wassy, authorisation=ap)
    for _ in range(factor):
        ExpenseFactory(budget_line=line)
        paid(budget_line=line)
    client = client_for("manager")
    for url in (
        reverse("budget:budget_line_detail", args=[line.pk]),
        reverse("budget:authorisation_detail", args=[ap.pk]),
    ):
        client.get(url)
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200
