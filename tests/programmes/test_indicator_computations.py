"""Computed indicators (issue 10, H2): every provider against hand-computed figures, for the programme and for
one commune, on a past day where it is supported, and the registry that names them."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from budget.models import AdjustmentKind, ExpenseStatus, SubsidyAdjustment, SubsidyStatus
from budget.selectors import indicators as money
from operations.housing.models import FileStatus, GrantStatus, IncomeCategory, OwnerType, TargetCategory
from operations.housing.selectors import indicators as housing
from operations.models import Operation, OperationStatus
from operations.participation.models import EventStatus
from operations.participation.selectors import indicators as participation
from operations.selectors import indicators as actions
from programmes.indicators.computations import HELP, PROVIDERS, provider_for
from programmes.indicators.models import IndicatorComputation
from tests.budget.factories import (
    BudgetLineFactory,
    ExpenseFactory,
    SubsidyAllocationFactory,
    SubsidyPaymentFactory,
    SubsidyRequestFactory,
)
from tests.conftest import Territory
from tests.factories import HousingProgrammeFactory
from tests.operations.factories import OperationFactory
from tests.operations.housing_factories import HousingFileFactory, HousingGrantFactory, HousingTargetFactory
from tests.operations.participation_factories import ConcertationEventFactory

D = Decimal
S = OperationStatus
DAY = datetime.date(2026, 6, 1)


def test_every_computed_key_has_a_provider_that_resolves_and_a_help_text() -> None:
    computed = set(IndicatorComputation.values) - {IndicatorComputation.MANUAL}
    assert set(PROVIDERS) == computed
    assert set(HELP) == set(IndicatorComputation.values)
    for key in computed:
        assert callable(provider_for(key))


# --- Operations: delivered and committed against all but abandoned ------------------------------------------


@pytest.fixture
def action_plan(territory: Territory) -> dict[str, Operation]:
    t = territory
    both = [t.wassy, t.la_porte_du_der]
    rows = {
        "W1": (S.DELIVERED, [t.wassy]),
        "W2": (S.CLOSED, [t.wassy]),
        "WL": (S.WORKS, both),
        "L1": (S.COMMITTED, [t.la_porte_du_der]),
        "L2": (S.IDEA, [t.la_porte_du_der]),
        "L3": (S.ABANDONED, [t.la_porte_du_der]),
        "L4": (S.SUSPENDED, [t.la_porte_du_der]),
    }
    ops = {
        code: OperationFactory(programme=t.programme, code=code, status=status, communes=communes)
        for code, (status, communes) in rows.items()
    }
    OperationFactory(programme=t.other_programme, status=S.DELIVERED, communes=[t.other_commune])
    return ops


def test_operations_of_the_programme(action_plan, territory: Territory) -> None:
    pid, today = territory.programme.pk, timezone.localdate()
    # 7 operations, 1 abandoned: 6 count; delivered or closed 2; committed, works, delivered, closed: 4.
    assert actions.delivered_count(pid, None, today) == D(2)
    assert actions.delivered_rate(pid, None, today) == D("33.33")
    assert actions.committed_rate(pid, None, today) == D("66.67")


def test_operations_of_a_commune_include_the_shared_ones(action_plan, territory: Territory) -> None:
    pid, today = territory.programme.pk, timezone.localdate()
    wassy, lpdd = territory.wassy.pk, territory.la_porte_du_der.pk
    # Wassy: W1, W2, WL → 2 delivered of 3; 3 committed or further of 3.
    assert actions.delivered_count(pid, wassy, today) == D(2)
    assert actions.delivered_rate(pid, wassy, today) == D("66.67")
    assert actions.committed_rate(pid, wassy, today) == D("100.00")
    # La Porte du Der: WL, L1, L2, L4 (L3 abandoned) → 0 delivered of 4; WL and L1 committed or further: 2 of 4.
    assert actions.delivered_count(pid, lpdd, today) == D(0)
    assert actions.delivered_rate(pid, lpdd, today) == D("0.00")
    assert actions.committed_rate(pid, lpdd, today) == D("50.00")


def test_rates_are_not_told_without_an_operation(territory: Territory) -> None:
    OperationFactory(programme=territory.programme, status=S.ABANDONED, communes=[territory.wassy])
    today = timezone.localdate()
    assert actions.delivered_rate(territory.programme.pk, None, today) is None
    assert actions.committed_rate(territory.programme.pk, None, today) is None
    assert actions.delivered_count(territory.programme.pk, None, today) == D(0)


def _dated(operation: Operation, moments: dict[str, datetime.datetime]) -> None:
    """Date the operation's history records by the status they record."""
    for status, moment in moments.items():
        Operation.history.filter(id=operation.pk, status=status).update(history_date=moment)


def test_a_past_day_reads_the_status_of_the_history(territory: Territory) -> None:
    paris = timezone.get_current_timezone()
    op = OperationFactory(programme=territory.programme, status=S.COMMITTED, communes=[territory.wassy])
    op.status = S.DELIVERED
    op.save()
    _dated(
        op,
        {
            S.COMMITTED: datetime.datetime(2025, 1, 10, 9, 0, tzinfo=paris),
            S.DELIVERED: datetime.datetime(2025, 3, 1, 23, 30, tzinfo=paris),  # late on 1 March, Paris time
        },
    )
    later = OperationFactory(programme=territory.programme, status=S.IDEA, communes=[territory.wassy])
    _dated(later, {S.IDEA: datetime.datetime(2025, 6, 1, 9, 0, tzinfo=paris)})
    pid = territory.programme.pk
    assert actions.delivered_count(pid, None, datetime.date(2025, 1, 9)) == D(0)
    assert actions.delivered_rate(pid, None, datetime.date(2025, 1, 9)) is None  # nothing existed yet
    assert actions.delivered_count(pid, None, datetime.date(2025, 2, 28)) == D(0)
    assert actions.committed_rate(pid, None, datetime.date(2025, 2, 28)) == D("100.00")
    assert actions.delivered_count(pid, None, datetime.date(2025, 3, 1)) == D(1)
    # From 1 June the idea counts too: 1 delivered of 2.
    assert actions.delivered_rate(pid, territory.wassy.pk, datetime.date(2025, 6, 1)) == D("50.00")
    assert actions.delivered_rate(pid, territory.la_porte_du_der.pk, datetime.date(2025, 6, 1)) is None


# --- Money: subsidies obtained vs requested, received, expenses paid -------------------------------------------


@pytest.fixture
def money_data(territory: Territory) -> None:
    t = territory
    ow = OperationFactory(programme=t.programme, code="OW", communes=[t.wassy])
    ol = OperationFactory(programme=t.programme, code="OL", communes=[t.la_porte_du_der])
    owl = OperationFactory(programme=t.programme, code="OWL", communes=[t.wassy, t.la_porte_du_der])
    filed = datetime.date(2026, 1, 10)

    def request(requested: str, status: str, **fields: object):
        return SubsidyRequestFactory(
            programme=t.programme, requested_amount=D(requested), status=status, filed_on=filed, **fields
        )

    r1 = request(
        "30000", SubsidyStatus.AWARDED, awarded_amount=D("24000"), decided_on=datetime.date(2026, 3, 1)
    )
    SubsidyAllocationFactory(request=r1, operation=ow, amount=D("30000"))
    SubsidyAdjustment.objects.create(
        request=r1,
        kind=AdjustmentKind.REDUCTION,
        amount=D("4000"),
        decided_on=datetime.date(2026, 5, 1),
        reason="-",
    )
    SubsidyAdjustment.objects.create(
        request=r1,
        kind=AdjustmentKind.REPAYMENT,
        amount=D("1000"),
        decided_on=datetime.date(2026, 5, 15),
        reason="-",
    )
    SubsidyPaymentFactory(request=r1, amount=D("8000"), received_on=datetime.date(2026, 4, 10))
    SubsidyPaymentFactory(request=r1, amount=D("2000"))  # asked for, not received
    r2 = request("20000", SubsidyStatus.REJECTED, decided_on=datetime.date(2026, 2, 1))
    SubsidyAllocationFactory(request=r2, operation=ol, amount=D("20000"))
    r3 = request("10000", SubsidyStatus.WITHDRAWN)
    SubsidyAllocationFactory(request=r3, operation=ow, amount=D("10000"))
    r4 = request(
        "40000", SubsidyStatus.NOTIFIED, awarded_amount=D("40000"), decided_on=datetime.date(2026, 4, 1)
    )
    SubsidyAllocationFactory(request=r4, operation=ow, amount=D("10000"))
    SubsidyAllocationFactory(request=r4, operation=owl, amount=D("30000"))
    SubsidyPaymentFactory(request=r4, amount=D("12000"), received_on=datetime.date(2026, 5, 20))
    SubsidyPaymentFactory(request=r4, amount=D("4000"), received_on=datetime.date(2026, 7, 1))
    r5 = SubsidyRequestFactory(  # filed after the day
        programme=t.programme,
        requested_amount=D("50000"),
        status=SubsidyStatus.FILED,
        filed_on=DAY.replace(day=15),
    )
    SubsidyAllocationFactory(request=r5, operation=ow, amount=D("50000"))
    SubsidyRequestFactory(
        programme=t.other_programme,
        requested_amount=D("99000"),
        awarded_amount=D("99000"),
        status=SubsidyStatus.AWARDED,
        filed_on=filed,
        decided_on=filed,
    )

    line = BudgetLineFactory(programme=t.programme, organisation=t.wassy)
    liquidated = datetime.date(2026, 3, 1)
    ExpenseFactory(
        budget_line=line,
        operation=ow,
        amount_ttc=D("12000"),
        status=ExpenseStatus.ORDERED,
        liquidated_on=liquidated,
        ordered_on=datetime.date(2026, 3, 10),
    )
    ExpenseFactory(
        budget_line=line,
        operation=owl,
        amount_ht=D("20000"),
        amount_ttc=D("24000"),
        status=ExpenseStatus.PAID,
        liquidated_on=liquidated,
        ordered_on=datetime.date(2026, 4, 10),
        paid_on=datetime.date(2026, 4, 20),
    )
    ExpenseFactory(
        budget_line=line,
        operation=ol,
        amount_ht=D("5000"),
        amount_ttc=D("6000"),
        status=ExpenseStatus.LIQUIDATED,
        liquidated_on=liquidated,
    )
    ExpenseFactory(
        budget_line=line,
        operation=ol,
        amount_ht=D("3000"),
        amount_ttc=D("3600"),
        status=ExpenseStatus.ORDERED,
        liquidated_on=liquidated,
        ordered_on=datetime.date(2026, 6, 20),
    )
    ExpenseFactory(
        budget_line=line,
        operation=ow,
        amount_ttc=D("50000"),
        amount_ht=D("40000"),
        status=ExpenseStatus.CANCELLED,
        liquidated_on=liquidated,
        ordered_on=datetime.date(2026, 3, 10),
    )
    ExpenseFactory(
        budget_line=line,
        amount_ht=D("1000"),
        amount_ttc=D("1200"),
        status=ExpenseStatus.ORDERED,
        committed_on=datetime.date(2026, 1, 15),
        liquidated_on=datetime.date(2026, 2, 1),
        ordered_on=datetime.date(2026, 2, 1),
    )
    ExpenseFactory(
        budget_line=BudgetLineFactory(programme=t.other_programme, organisation=t.other_commune),
        amount_ttc=D("77000"),
        amount_ht=D("70000"),
        status=ExpenseStatus.PAID,
        liquidated_on=liquidated,
        ordered_on=liquidated,
        paid_on=liquidated,
    )


def test_subsidies_obtained_against_requested(money_data, territory: Territory) -> None:
    pid = territory.programme.pk
    # Filed by 1 June, not withdrawn: 30 000 + 20 000 (rejected) + 40 000 = 90 000 requested;
    # awarded 24 000 − 4 000 (reduction) + 40 000 = 60 000 → 66,67 %.
    assert money.subsidies_obtained_rate(pid, None, DAY) == D("66.67")
    # 15 March: the reduction and the 40 000 not decided yet → 24 000 / 90 000.
    assert money.subsidies_obtained_rate(pid, None, datetime.date(2026, 3, 15)) == D("26.67")
    assert money.subsidies_obtained_rate(pid, None, datetime.date(2026, 1, 9)) is None  # nothing filed yet


def test_subsidies_obtained_for_a_commune_share_requests_pro_rata(money_data, territory: Territory) -> None:
    pid = territory.programme.pk
    # Wassy: r1 on OW (30 000 asked, 20 000 awarded) + r4 on OW and OWL (all of it: 40 000 / 40 000) → 60 / 70.
    assert money.subsidies_obtained_rate(pid, territory.wassy.pk, DAY) == D("85.71")
    # La Porte du Der: r2 on OL (20 000, rejected) + ¾ of r4 on OWL (30 000 / 30 000) → 30 / 50.
    assert money.subsidies_obtained_rate(pid, territory.la_porte_du_der.pk, DAY) == D("60.00")


def test_subsidies_received_net_of_repayments(money_data, territory: Territory) -> None:
    pid = territory.programme.pk
    # 8 000 (r1) − 1 000 repaid + 12 000 (r4); the 4 000 of July and the payment not received do not count.
    assert money.subsidies_received(pid, None, DAY) == D("19000.00")
    assert money.subsidies_received(pid, None, datetime.date(2026, 5, 1)) == D("8000.00")
    assert money.subsidies_received(pid, territory.wassy.pk, DAY) == D("19000.00")
    # La Porte du Der: ¾ of r4's 12 000 (through OWL).
    assert money.subsidies_received(pid, territory.la_porte_du_der.pk, DAY) == D("9000.00")


def test_expenses_ordered_or_paid_by_the_day(money_data, territory: Territory) -> None:
    pid = territory.programme.pk
    # 12 000 + 24 000 + 1 200 (no operation); not the liquidated one, the cancelled one, nor June 20th's.
    assert money.expenses_paid(pid, None, DAY) == D("37200.00")
    assert money.expenses_paid(pid, None, datetime.date(2026, 4, 1)) == D("13200.00")
    assert money.expenses_paid(pid, territory.wassy.pk, DAY) == D("36000.00")
    assert money.expenses_paid(pid, territory.la_porte_du_der.pk, DAY) == D("24000.00")


# --- Housing: OPAH-RU / PIG of the programme -----------------------------------------------------------------


@pytest.fixture
def housing_data(territory: Territory) -> None:
    t = territory
    opah = HousingProgrammeFactory(
        programme=t.programme, owner=t.wassy, communes=[t.wassy, t.la_porte_du_der]
    )
    HousingTargetFactory(housing_programme=opah, category=TargetCategory.PO_VERY_MODEST, year=2025, count=10)
    HousingTargetFactory(housing_programme=opah, category=TargetCategory.LANDLORD, year=2026, count=10)
    agency = t.anah

    def file(commune, **fields):
        base = {
            "housing_programme": opah,
            "commune": commune,
            "filed_on": datetime.date(2025, 5, 1),
            "decided_on": datetime.date(2025, 6, 1),
        }
        return HousingFileFactory(**{**base, **fields})

    paid = {"status": FileStatus.PAID, "payment_requested_on": datetime.date(2026, 2, 1)}
    gains = ["150", "150", "150", "210", "240"]  # from 300: 50 %, 50 %, 50 %, 30 %, 20 %
    for n, after in enumerate(gains):
        landlord = n == 4
        f = file(
            t.wassy,
            **paid,
            paid_on=datetime.date(2026, 3, 1) if n < 3 else datetime.date(2026, 5, 1),
            owner_type=OwnerType.LANDLORD if landlord else OwnerType.OCCUPIER,
            income_category="" if landlord else IncomeCategory.VERY_MODEST,
            dwellings=3 if landlord else 1,
            works_amount_ht=D("20000"),
            consumption_before=D("300"),
            consumption_after=D(after),
        )
        HousingGrantFactory(
            file=f,
            funder=agency,
            amount=D("8000"),
            status=GrantStatus.COMMITTED,
            committed_on=datetime.date(2025, 6, 15),
        )
    HousingGrantFactory(file=f, funder=agency, amount=D("900"), status=GrantStatus.PLANNED)
    for _ in range(2):
        f = file(
            t.la_porte_du_der,
            status=FileStatus.APPROVED,
            filed_on=datetime.date(2026, 1, 5),
            decided_on=datetime.date(2026, 2, 1),
            income_category=IncomeCategory.MODEST,
            works_amount_ht=D("10000"),
        )
    HousingGrantFactory(
        file=f,
        funder=agency,
        amount=D("5000"),
        status=GrantStatus.COMMITTED,
        committed_on=datetime.date(2026, 2, 15),
    )
    file(
        t.wassy,
        status=FileStatus.REJECTED,
        works_amount_ht=D("99999"),
        income_category=IncomeCategory.VERY_MODEST,
    )
    # Another programme's OPAH (and Saint-Dizier's, attached to no programme) do not count.
    other = HousingProgrammeFactory(programme=t.other_programme, owner=t.other_commune)
    HousingFileFactory(
        housing_programme=other,
        commune=t.other_commune,
        status=FileStatus.PAID,
        dwellings=9,
        paid_on=DAY,
        payment_requested_on=DAY,
    )
    HousingFileFactory(
        housing_programme=t.opah_ru,
        commune=t.saint_dizier,
        status=FileStatus.PAID,
        dwellings=9,
        paid_on=DAY,
        payment_requested_on=DAY,
    )


def test_dwellings_renovated(housing_data, territory: Territory) -> None:
    pid = territory.programme.pk
    assert housing.dwellings_renovated(pid, None, DAY) == D(7)  # 4 households + 3 rented dwellings
    assert housing.dwellings_renovated(pid, territory.wassy.pk, DAY) == D(7)
    assert housing.dwellings_renovated(pid, territory.la_porte_du_der.pk, DAY) == D(0)
    assert housing.dwellings_renovated(pid, None, datetime.date(2026, 2, 1)) == D(0)
    # 1 April: 3 files paid → 1 to 4 households are not told.
    assert housing.dwellings_renovated(pid, None, datetime.date(2026, 4, 1)) is None


def test_works_and_aid_of_the_approved_files(housing_data, territory: Territory) -> None:
    pid = territory.programme.pk
    assert housing.works_amount(pid, None, DAY) == D("120000.00")  # 5 × 20 000 + 2 × 10 000, not the rejected
    assert housing.works_amount(pid, territory.wassy.pk, DAY) == D("100000.00")
    assert housing.works_amount(pid, territory.la_porte_du_der.pk, DAY) is None  # 2 households
    assert housing.works_amount(pid, None, datetime.date(2025, 12, 31)) == D("100000.00")
    assert housing.aid_amount(pid, None, DAY) == D("45000.00")  # 5 × 8 000 + 5 000, not the planned grant
    assert housing.aid_amount(pid, territory.wassy.pk, DAY) == D("40000.00")
    assert housing.aid_amount(pid, territory.la_porte_du_der.pk, DAY) is None  # 1 household


def test_mean_energy_gain(housing_data, territory: Territory) -> None:
    pid = territory.programme.pk
    # (50 + 50 + 50 + 30 + 20) / 5 = 40 %; the files of La Porte du Der have no consumption.
    assert housing.energy_gain(pid, None, DAY) == D("40.00")
    assert housing.energy_gain(pid, territory.wassy.pk, DAY) == D("40.00")
    assert housing.energy_gain(pid, territory.la_porte_du_der.pk, DAY) is None


def test_target_rate_of_the_convention(housing_data, territory: Territory) -> None:
    pid = territory.programme.pk
    # Targets: 10 very modest owner-occupiers + 10 rented dwellings = 20; achieved 4 + 3 dwellings = 7 → 35 %.
    assert housing.target_rate(pid, None, DAY) == D("35.00")
    assert housing.target_rate(pid, territory.wassy.pk, DAY) is None  # targets are programme-wide


# --- Participation ---------------------------------------------------------------------------------------------


def test_attendance_of_the_events_held(territory: Territory) -> None:
    t = territory
    both = [t.wassy, t.la_porte_du_der]

    def event(count, on, communes, status=EventStatus.HELD, programme=None):
        ConcertationEventFactory(
            programme=programme or t.programme,
            attendance_count=count,
            starts_on=on,
            communes=communes,
            status=status,
        )

    event(40, datetime.date(2026, 3, 10), [t.wassy])
    event(25, datetime.date(2026, 4, 14), both)
    event(15, datetime.date(2026, 5, 1), [t.la_porte_du_der], status=EventStatus.PLANNED)
    event(50, datetime.date(2026, 5, 2), both, status=EventStatus.CANCELLED)
    event(30, datetime.date(2026, 7, 1), both)
    event(None, datetime.date(2026, 5, 3), both)
    event(100, datetime.date(2026, 3, 1), [t.other_commune], programme=t.other_programme)
    pid = t.programme.pk
    assert participation.attendance(pid, None, DAY) == D(65)
    assert participation.attendance(pid, t.wassy.pk, DAY) == D(65)
    assert participation.attendance(pid, t.la_porte_du_der.pk, DAY) == D(25)
    assert participation.attendance(pid, None, datetime.date(2026, 3, 31)) == D(40)


# --- A fixed number of queries whatever the data size --------------------------------------------------------


@pytest.mark.parametrize("factor", [1, 10])
def test_each_provider_costs_the_same_queries_at_any_size(
    territory: Territory, factor: int, django_assert_num_queries
) -> None:
    t = territory
    for n in range(factor):
        op = OperationFactory(programme=t.programme, status=S.DELIVERED, communes=[t.wassy])
        request = SubsidyRequestFactory(
            programme=t.programme,
            filed_on=datetime.date(2026, 1, 5),
            status=SubsidyStatus.AWARDED,
            awarded_amount=D("1000"),
            decided_on=datetime.date(2026, 2, 1),
        )
        SubsidyAllocationFactory(request=request, operation=op)
        SubsidyPaymentFactory(request=request, received_on=datetime.date(2026, 3, 10))
        ConcertationEventFactory(
            programme=t.programme, attendance_count=n, starts_on=datetime.date(2026, 3, 1), communes=[t.wassy]
        )
    housing_programme = HousingProgrammeFactory(programme=t.programme, owner=t.wassy)
    HousingTargetFactory(housing_programme=housing_programme)
    for _ in range(factor * 5):
        HousingFileFactory(
            housing_programme=housing_programme,
            commune=t.wassy,
            status=FileStatus.APPROVED,
            filed_on=datetime.date(2025, 5, 1),
            decided_on=datetime.date(2025, 6, 1),
        )
    past = datetime.date(2026, 1, 1)
    for key in PROVIDERS:
        provider = provider_for(key)
        expected = 2 if key == IndicatorComputation.HOUSING_TARGET_RATE else 1
        for commune in (None, t.wassy.pk):
            for day in (DAY, past):
                if key == IndicatorComputation.HOUSING_TARGET_RATE and commune is not None:
                    expected_here = 0
                else:
                    expected_here = expected
                with django_assert_num_queries(expected_here):
                    provider(t.programme.pk, commune, day)
