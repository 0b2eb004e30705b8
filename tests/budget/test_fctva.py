"""The FCTVA estimate (budget.fctva): the rate in force in the spending year on the eligible TTC minus its
excluded part; received in N+2 (communes), N (EPCI) or the lag of the owner's own regime (N+1 for a commune
of the 2009 relance scheme); spread by year along the PPI; said, not guessed, when something is missing."""

import datetime
from decimal import Decimal

import pytest

from budget.fctva import estimate
from budget.models import FctvaTiming, FinancingParameter, FinancingPlan, Parameter, PlannedInvestment
from tests.factories import CommuneFactory, EpciFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 4, 14)


def plan(ttc: str = "120000", **options: object) -> FinancingPlan:
    return FinancingPlan(eligible_cost_ht=Decimal(100000), eligible_cost_ttc=Decimal(ttc), **options)


def ppi(*rows: tuple[int, str]) -> list[PlannedInvestment]:
    return [PlannedInvestment(year=year, amount_ttc=Decimal(amount)) for year, amount in rows]


def test_a_commune_receives_16_404_percent_of_its_eligible_ttc_two_years_later() -> None:
    result = estimate(plan(expense_year=2026), owner=CommuneFactory(), planned=[], day=DAY)
    assert result.complete
    assert result.total == Decimal("19684.80")  # 120 000 × 16,404 %
    [year] = result.years
    assert (year.spending_year, year.lag, year.received_year) == (2026, 2, 2028)
    assert year.rate == Decimal("0.164040")
    assert result.by_received_year() == [(2028, Decimal("19684.80"))]


def test_an_epci_receives_it_the_year_of_the_expense() -> None:
    result = estimate(plan(expense_year=2026), owner=EpciFactory(), planned=[], day=DAY)
    assert result.years[0].received_year == 2026


def test_the_owners_own_regime_overrides_its_kind() -> None:
    commune = CommuneFactory()
    FctvaTiming.objects.create(
        organisation=commune,
        lag_years=1,
        valid_from=datetime.date(2009, 1, 1),
        legal_reference="Convention plan de relance 2009",
    )
    result = estimate(plan(expense_year=2026), owner=commune, planned=[], day=DAY)
    assert result.years[0].received_year == 2027
    assert "Convention plan de relance 2009" in result.years[0].lag_reference


def test_the_excluded_part_is_not_eligible() -> None:
    # e.g. 20 000 € of top-ups paid to private owners (OPAH, account 204).
    result = estimate(
        plan(expense_year=2026, fctva_excluded_ttc=Decimal(20000)),
        owner=CommuneFactory(),
        planned=[],
        day=DAY,
    )
    assert result.base_ttc == Decimal(100000)
    assert result.total == Decimal("16404.00")


def test_the_ppi_spreads_the_fctva_by_year_of_spending() -> None:
    result = estimate(
        plan(expense_year=2026),
        owner=CommuneFactory(),
        planned=ppi((2026, "30000"), (2027, "90000")),
        day=DAY,
    )
    assert result.source == "ppi"
    assert [(y.spending_year, y.base_ttc, y.amount, y.received_year) for y in result.years] == [
        (2026, Decimal("30000.00"), Decimal("4921.20"), 2028),
        (2027, Decimal("90000.00"), Decimal("14763.60"), 2029),
    ]
    assert result.total == Decimal("19684.80")


def test_ppi_shares_add_up_to_the_base_to_the_cent() -> None:
    result = estimate(
        plan("100000"), owner=CommuneFactory(), planned=ppi((2026, "1"), (2027, "1"), (2028, "1")), day=DAY
    )
    assert sum(y.base_ttc for y in result.years) == Decimal(100000)
    assert [y.base_ttc for y in result.years] == [
        Decimal("33333.33"),
        Decimal("33333.33"),
        Decimal("33333.34"),
    ]


def test_a_rate_change_applies_to_the_spending_of_its_year_only() -> None:
    FinancingParameter.objects.create(
        code=Parameter.FCTVA_RATE,
        value=Decimal("0.1485"),
        valid_from=datetime.date(2027, 1, 1),
        legal_reference="Loi de finances fictive pour 2027",
    )
    result = estimate(plan(), owner=CommuneFactory(), planned=ppi((2026, "60000"), (2027, "60000")), day=DAY)
    assert [(y.rate, y.amount) for y in result.years] == [
        (Decimal("0.164040"), Decimal("9842.40")),
        (Decimal("0.148500"), Decimal("8910.00")),
    ]
    assert result.years[1].rate_reference == "Loi de finances fictive pour 2027"


def test_without_a_year_the_rate_of_the_day_is_used_and_the_year_of_receipt_is_unknown() -> None:
    result = estimate(plan(), owner=CommuneFactory(), planned=[], day=DAY)
    assert result.total == Decimal("19684.80")
    assert result.years[0].received_year is None
    assert not result.complete
    assert "L'année de la dépense n'est pas connue" in result.problems[0]


def test_an_owner_that_is_neither_commune_nor_epci_is_not_eligible_and_it_is_said() -> None:
    result = estimate(
        plan(expense_year=2026),
        owner=OrganisationFactory(name="Association du patrimoine"),
        planned=[],
        day=DAY,
    )
    assert not result.eligible
    assert result.total == Decimal(0)
    assert "n'est ni une commune ni un EPCI" in result.problems[0]


def test_no_rate_in_force_is_reported_not_crashed() -> None:
    FinancingParameter.objects.filter(code=Parameter.FCTVA_RATE).delete()
    result = estimate(plan(expense_year=2026), owner=CommuneFactory(), planned=[], day=DAY)
    assert result.years[0].amount is None
    assert result.total == Decimal(0)
    assert "Taux du FCTVA" in result.problems[0]
