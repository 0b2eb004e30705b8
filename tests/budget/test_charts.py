"""The SVG charts: accessible (role, title, desc with every figure, a title per bar, patterns and a legend so
meaning is not colour-only), deterministic, French figures; the funding data spread over the PPI years."""

from decimal import Decimal

from budget.charts import Series, grouped_bars, stacked_bars
from budget.models import FinancingLineStatus, FundingCategory
from budget.selectors import programme_budget as selectors
from tests.budget.factories import FinancingLineFactory, FinancingPlanFactory, PlannedInvestmentFactory
from tests.conftest import Territory
from tests.operations.factories import OperationFactory

D = Decimal

SERIES = [Series("DETR", [D("100000"), D("0")]), Series("Région", [D("50000.5"), D("25000")])]


def test_a_stacked_chart_is_accessible_and_states_its_figures() -> None:
    svg = str(stacked_bars(uid="c", title="Financements attendus", years=[2026, 2027], series=SERIES))
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Financements attendus</title>' in svg
    assert "2026 : DETR 100\xa0000,00\xa0€ ; Région 50\xa0000,50\xa0€." in svg  # in the <desc>
    assert "<title>2027 — Région : 25\xa0000,00\xa0€</title>" in svg
    assert "150\xa0000,50\xa0€" in svg  # the total above the 2026 bar
    assert "<pattern" in svg and ">Région</text>" in svg  # pattern fills and a labelled legend


def test_charts_are_deterministic() -> None:
    first = grouped_bars(uid="p", title="Prévu et réalisé", years=[2026, 2027], series=SERIES)
    assert first == grouped_bars(uid="p", title="Prévu et réalisé", years=[2026, 2027], series=SERIES)
    assert "<title>2026 — DETR : 100\xa0000,00\xa0€</title>" in first


def test_no_data_draws_no_chart() -> None:
    assert stacked_bars(uid="x", title="Vide", years=[], series=[]) == ""


def test_text_is_escaped() -> None:
    svg = stacked_bars(uid="e", title="<script>", years=[2026], series=[Series("A & B", [D(1)])])
    assert "<script>" not in svg and "A &amp; B" in svg


def test_funding_is_spread_over_the_ppi_years_to_the_cent(territory: Territory, manager) -> None:
    op = OperationFactory(programme=territory.programme, owner=territory.wassy, communes=[territory.wassy])
    plan = FinancingPlanFactory(operation=op)
    FinancingLineFactory(
        plan=plan, category=FundingCategory.STATE_DOTATION, amount_ht=D("100000"), amount_ttc=D("100000")
    )
    FinancingLineFactory(
        plan=plan,
        category=FundingCategory.REGION,
        amount_ht=D("1"),
        amount_ttc=D("1"),
        status=FinancingLineStatus.REFUSED,
    )
    for year in (2026, 2027, 2028):
        PlannedInvestmentFactory(operation=op, year=year, amount_ttc=D("1000"))
    other = OperationFactory(programme=territory.programme)
    FinancingLineFactory(
        plan=FinancingPlanFactory(operation=other, expense_year=2027),
        amount_ttc=D("5000"),
        amount_ht=D("5000"),
    )
    FinancingLineFactory(
        plan=FinancingPlanFactory(operation=OperationFactory(programme=territory.programme)),
        amount_ttc=D("7"),
        amount_ht=D("7"),
    )
    data = selectors.funding_by_year(manager, territory.programme)
    assert data.years == [2026, 2027, 2028]
    by_label = {s.label: s.values for s in data.series}
    assert by_label[FundingCategory.STATE_DOTATION.label] == [D("33333.33"), D("33333.33"), D("33333.34")]
    assert by_label[FundingCategory.OWN_FUNDS.label] == [D(0), D("5000"), D(0)]
    assert FundingCategory.REGION.label not in by_label  # refused lines are not expected
    assert data.unplaced == D("7")
