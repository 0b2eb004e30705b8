"""The mayor's "received vs expected" block on the commune page (budget.selectors.commune.commune_money)."""

import datetime
from decimal import Decimal

import pytest

from budget.models import AdjustmentKind, PaymentKind, SubsidyAdjustment, SubsidyStatus
from budget.selectors.commune import commune_money
from tests.budget.factories import (
    FinancingPlanFactory,
    SubsidyAllocationFactory,
    SubsidyPaymentFactory,
    SubsidyRequestFactory,
    scheme,
)
from tests.conftest import Territory
from tests.factories import OrganisationFactory
from tests.operations.factories import OperationFactory

DAY = datetime.date(2026, 11, 28)
NBSP = "\xa0"


def euros(text: str) -> str:
    return text.replace(" ", NBSP) + NBSP + "€"


def _operation(territory: Territory, code: str, *communes, owner=None, plan_ht: str | None = None):
    operation = OperationFactory(
        programme=territory.programme,
        code=code,
        title=f"Opération {code}",
        owner=owner or communes[0],
        communes=list(communes),
        status="works",
    )
    if plan_ht is not None:
        ht = Decimal(plan_ht)
        FinancingPlanFactory(operation=operation, eligible_cost_ht=ht, eligible_cost_ttc=ht * Decimal("1.2"))
    return operation


def _request(territory: Territory, funder, *, status: str, requested: str, awarded: str | None = None, **kw):
    return SubsidyRequestFactory(
        programme=territory.programme,
        beneficiary=kw.pop("beneficiary", territory.wassy),
        funder=funder,
        status=status,
        requested_amount=Decimal(requested),
        awarded_amount=Decimal(awarded) if awarded else None,
        **kw,
    )


def _pay(request, amount: str, *, received_on: datetime.date | None, kind=PaymentKind.INSTALMENT):
    return SubsidyPaymentFactory(
        request=request,
        kind=kind,
        amount=Decimal(amount),
        requested_on=received_on or datetime.date(2025, 3, 3),
        received_on=received_on,
    )


@pytest.fixture
def wassy_money(territory: Territory):
    """Wassy: a square (DETR awarded 300 000 €, reduced by 20 000 €; an advance received, an instalment
    asked for and not yet received; a Région request still under instruction) and a school (a rejected
    DSIL request). La Porte du Der: a hall with a Département award, partly received."""
    prefecture = OrganisationFactory(name="Préfecture de la Haute-Marne", kind="state_service")
    region = OrganisationFactory(name="Région Grand Est", kind="region")
    department = OrganisationFactory(name="Département de la Haute-Marne", kind="department")
    square = _operation(territory, "W-01", territory.wassy, plan_ht="1000000")
    school = _operation(territory, "W-07", territory.wassy, plan_ht="500000")
    hall = _operation(territory, "LPD-02", territory.la_porte_du_der, plan_ht="760000")

    detr = _request(territory, prefecture, status=SubsidyStatus.STARTED, requested="300000", awarded="300000",
                    scheme=scheme("detr"))  # fmt: skip
    SubsidyAllocationFactory(request=detr, operation=square, amount=Decimal(300000))
    _pay(detr, "90000", received_on=datetime.date(2025, 4, 15), kind=PaymentKind.ADVANCE)
    _pay(detr, "60000", received_on=None)
    SubsidyAdjustment.objects.create(
        request=detr,
        kind=AdjustmentKind.REDUCTION,
        amount=Decimal(20000),
        decided_on=datetime.date(2026, 6, 1),
        reason="Dépense réalisée inférieure à l'assiette retenue.",
    )
    region_request = _request(territory, region, status=SubsidyStatus.FILED, requested="150000")
    SubsidyAllocationFactory(request=region_request, operation=square, amount=Decimal(150000))
    dsil = _request(territory, prefecture, status=SubsidyStatus.REJECTED, requested="200000",
                    scheme=scheme("dsil"))  # fmt: skip
    SubsidyAllocationFactory(request=dsil, operation=school, amount=Decimal(200000))

    department_request = _request(
        territory,
        department,
        status=SubsidyStatus.NOTIFIED,
        requested="120000",
        awarded="100000",
        beneficiary=territory.la_porte_du_der,
    )
    SubsidyAllocationFactory(request=department_request, operation=hall, amount=Decimal(120000))
    _pay(department_request, "45000", received_on=datetime.date(2026, 2, 2))
    return {"square": square, "school": school, "hall": hall, "prefecture": prefecture, "region": region}


def test_mayor_sees_expected_awarded_received_and_remaining_for_her_commune(
    territory, mayor_of_wassy, wassy_money
) -> None:
    money = commune_money(mayor_of_wassy, territory.wassy, day=DAY)
    # expected: DETR 300 000 + Région 150 000 (the rejected DSIL is not expected)
    assert money.totals.expected == Decimal("450000.00")
    # awarded: the DETR decision minus its reduction
    assert money.totals.awarded == Decimal("280000.00")
    # received: the advance only (the instalment is asked for, not yet received)
    assert money.totals.received == Decimal("90000.00")
    assert money.totals.remaining == Decimal("190000.00")
    assert money.eligible_cost_ht == Decimal("1500000.00")
    assert money.eligible_cost_ttc == Decimal("1800000.00")


def test_each_operation_and_each_funder_has_its_row(territory, mayor_of_wassy, wassy_money) -> None:
    money = commune_money(mayor_of_wassy, territory.wassy, day=DAY)
    rows = {row.operation.code: row for row in money.operations}
    assert set(rows) == {"W-01", "W-07"}
    assert (rows["W-01"].awarded, rows["W-01"].received, rows["W-01"].remaining) == (
        Decimal("280000.00"),
        Decimal("90000.00"),
        Decimal("190000.00"),
    )
    assert (rows["W-07"].expected, rows["W-07"].awarded, rows["W-07"].received_rate) == (
        Decimal(0),
        Decimal(0),
        None,
    )
    funders = {funder.name: funder for funder in money.funders}
    assert funders["Préfecture de la Haute-Marne"].awarded == Decimal("280000.00")
    assert funders["Région Grand Est"].expected == Decimal("150000.00")
    assert funders["Région Grand Est"].awarded == Decimal(0)
    assert money.totals.received_rate == Decimal(90000) / Decimal(280000)


def test_a_request_for_two_operations_is_shared_pro_rata_to_the_allocations(
    territory, mayor_of_wassy, mayor_of_la_porte_du_der
) -> None:
    funder = OrganisationFactory(name="Banque des Territoires")
    wassy_op = _operation(territory, "W-02", territory.wassy)
    shared = _operation(territory, "PVD-01", territory.wassy, territory.la_porte_du_der, owner=territory.epci)
    request = _request(territory, funder, status=SubsidyStatus.COMPLETED, requested="40000", awarded="30000",
                       beneficiary=territory.epci)  # fmt: skip
    SubsidyAllocationFactory(request=request, operation=wassy_op, amount=Decimal(10000))
    SubsidyAllocationFactory(request=request, operation=shared, amount=Decimal(30000))
    _pay(request, "12000", received_on=datetime.date(2026, 5, 4))

    wassy = {
        row.operation.code: row for row in commune_money(mayor_of_wassy, territory.wassy, day=DAY).operations
    }
    assert (wassy["W-02"].awarded, wassy["W-02"].received) == (Decimal("7500.00"), Decimal("3000.00"))
    assert (wassy["PVD-01"].awarded, wassy["PVD-01"].received) == (Decimal("22500.00"), Decimal("9000.00"))
    lpd = commune_money(mayor_of_la_porte_du_der, territory.la_porte_du_der, day=DAY)
    assert [row.operation.code for row in lpd.operations] == ["PVD-01"]
    assert lpd.totals.awarded == Decimal("22500.00")


def test_a_lapsed_award_no_longer_counts_and_a_repayment_lowers_what_was_received(
    territory, mayor_of_wassy
) -> None:
    funder = OrganisationFactory(name="Préfecture de la Haute-Marne", kind="state_service")
    operation = _operation(territory, "W-05", territory.wassy, plan_ht="200000")
    lapsed = _request(territory, funder, status=SubsidyStatus.LAPSED, requested="50000", awarded="50000",
                      closing_reason="Travaux non commencés dans les deux ans de la notification.")  # fmt: skip
    SubsidyAllocationFactory(request=lapsed, operation=operation, amount=Decimal(50000))
    _pay(lapsed, "15000", received_on=datetime.date(2024, 3, 1), kind=PaymentKind.ADVANCE)
    SubsidyAdjustment.objects.create(
        request=lapsed,
        kind=AdjustmentKind.REPAYMENT,
        amount=Decimal(15000),
        decided_on=datetime.date(2026, 4, 1),
        reason="Reversement de l'avance après caducité.",
    )
    money = commune_money(mayor_of_wassy, territory.wassy, day=DAY)
    assert (money.totals.expected, money.totals.awarded, money.totals.received) == (Decimal(0),) * 3
    # before the repayment, the advance was in the commune's accounts
    earlier = commune_money(mayor_of_wassy, territory.wassy, day=datetime.date(2026, 3, 31))
    assert earlier.totals.received == Decimal("15000.00")


def test_a_payment_received_after_the_day_is_not_yet_received(territory, mayor_of_wassy, wassy_money) -> None:
    money = commune_money(mayor_of_wassy, territory.wassy, day=datetime.date(2025, 4, 14))
    assert money.totals.received == Decimal(0)


def test_the_commune_page_shows_received_against_expected(client_for, mayor_of_wassy, wassy_money) -> None:
    page = client_for("mayor_of_wassy").get("/communes/52550/").content.decode()
    assert "Financement des opérations de la commune" in page
    assert "<caption>Subventions par opération : attribué, encaissé et reste à percevoir</caption>" in page
    assert euros("450 000,00") in page  # expected
    assert euros("280 000,00") in page  # awarded
    assert euros("90 000,00") in page  # received
    assert euros("190 000,00") in page  # remaining
    assert "32\xa0%" in page  # received on awarded, as text next to the bar
    assert 'aria-label="Part des subventions attribuées déjà encaissée"' in page


def test_mayor_of_la_porte_du_der_does_not_see_wassys_amounts(
    client_for, territory, mayor_of_la_porte_du_der, wassy_money
) -> None:
    client = client_for("mayor_of_la_porte_du_der")
    assert client.get("/communes/52550/").status_code == 404
    page = client.get("/communes/52331/").content.decode()
    assert euros("100 000,00") in page and euros("45 000,00") in page  # her hall's award and receipt
    assert "W-01" not in page
    assert euros("280 000,00") not in page and euros("90 000,00") not in page
    # even asked directly for Wassy, the selector only counts what she sees: nothing
    money = commune_money(mayor_of_la_porte_du_der, territory.wassy, day=DAY)
    assert money.is_empty and money.totals.awarded == Decimal(0)


def test_the_manager_sees_the_same_figures_as_the_mayor(
    territory, manager, mayor_of_wassy, wassy_money
) -> None:
    assert (
        commune_money(manager, territory.wassy, day=DAY).totals
        == commune_money(mayor_of_wassy, territory.wassy, day=DAY).totals
    )


def test_a_commune_without_money_says_so(client_for, mayor_of_wassy) -> None:
    page = client_for("mayor_of_wassy").get("/communes/52550/").content.decode()
    assert "Aucune opération de la commune n'a encore de plan de financement" in page


def grow_money(territory: Territory, factor: int) -> None:
    """Operations of Wassy with a plan, requests at several stages, allocations, payments, adjustments."""
    funders = [OrganisationFactory(kind="state_service") for _ in range(2)]
    for n in range(factor):
        operation = _operation(territory, f"W-X{n:02d}", territory.wassy, plan_ht="100000")
        for funder in funders:
            request = _request(
                territory, funder, status=SubsidyStatus.NOTIFIED, requested="30000", awarded="25000"
            )
            SubsidyAllocationFactory(request=request, operation=operation, amount=Decimal(30000))
            _pay(request, "5000", received_on=datetime.date(2026, 1, 5))
            _pay(request, "5000", received_on=None)
            SubsidyAdjustment.objects.create(
                request=request,
                kind=AdjustmentKind.REDUCTION,
                amount=Decimal(1000),
                decided_on=datetime.date(2026, 2, 1),
                reason="Réduction",
            )


@pytest.mark.parametrize("factor", [1, 10])
def test_commune_money_costs_two_queries_whatever_the_data(
    territory, mayor_of_wassy, factor, django_assert_num_queries
) -> None:
    grow_money(territory, factor)
    commune_money(mayor_of_wassy, territory.wassy, day=DAY)  # the mayor's scope is cached on the user
    # the operations with their plan's eligible cost; the allocations grouped by operation and funder
    with django_assert_num_queries(2):
        money = commune_money(mayor_of_wassy, territory.wassy, day=DAY)
    assert len(money.operations) == factor
    assert money.totals.awarded == Decimal(48000) * factor


@pytest.mark.parametrize("factor", [1, 10])
def test_commune_page_with_money_query_budget_is_flat(
    client_for, territory, mayor_of_wassy, factor, django_assert_num_queries
) -> None:
    grow_money(territory, factor)
    client = client_for("mayor_of_wassy")
    # as in tests/pvd/test_pages.py, whatever the number of operations, requests and payments; issue 10 (H4)
    # added the deadlines (consultations, subsidies), the indicators and the first visit recorded (4)
    with django_assert_num_queries(24):  # +2: the bell's unread count and the next meeting (issue 8)
        assert client.get("/communes/52550/").status_code == 200
