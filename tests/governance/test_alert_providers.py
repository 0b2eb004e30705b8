"""The alert providers (issue 8), each on a minimal fixture: what each app reports to the alerts engine — the
rule, a stable key, the level, the due date, the object's page, the commune, the decision level it should reach
— and a query count that does not grow with the number of rows (1× and 10×)."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budget.models import SubsidyStatus
from budget.selectors.alerts import budget_overruns, subsidy_deadlines
from operations.conventions.models import ConventionKind, ConventionStatus
from operations.conventions.selectors.alerts import convention_validity
from operations.housing.models import FileStatus
from operations.housing.selectors.alerts import household_file_deadlines
from operations.procurement.selectors.alerts import consultation_deadlines, contract_deadlines
from operations.selectors.alerts import late_operations
from programmes.selectors.alerts import deliberations_not_enforceable
from pvd.deadlines import ATTENTION, CRITICAL, AlertCandidate
from pvd.governance.alerts.engine import collect
from tests.budget.factories import (
    BudgetLineFactory,
    ExpenseFactory,
    ProgrammeAuthorisationFactory,
    SubsidyRequestFactory,
    scheme,
)
from tests.conftest import Territory
from tests.operations.convention_factories import ConventionFactory, DeliberationFactory, SignatoryFactory
from tests.operations.factories import OperationFactory, PhaseFactory
from tests.operations.housing_factories import HousingFileFactory
from tests.operations.procurement_factories import (
    ConsultationFactory,
    ContractAmendmentFactory,
    ContractFactory,
    InvoiceFactory,
    LotFactory,
)

D = datetime.date
DAY = D(2026, 12, 1)


def by_kind(candidates: object) -> dict[str, AlertCandidate]:
    return {c.kind: c for c in candidates}


# --- budget ---------------------------------------------------------------------------------------------------


def make_subsidy(t: Territory) -> None:
    SubsidyRequestFactory(
        programme=t.programme,
        beneficiary=t.wassy,
        scheme=scheme("detr"),
        status=SubsidyStatus.NOTIFIED,
        filed_on=D(2024, 1, 15),
        decided_on=D(2024, 5, 20),
        notified_on=D(2024, 6, 1),
        awarded_amount=Decimal("100000.00"),
    )


def test_a_lapsing_subsidy_start_is_critical_for_the_referent(territory: Territory) -> None:
    make_subsidy(territory)
    found = by_kind(subsidy_deadlines(territory.programme, DAY))
    start = found["budget.subsidy_start"]
    request_pk = start.obj.pk
    assert start.key == f"budget.subsidy_start:{request_pk}"
    assert (start.level, start.decision_level) == (CRITICAL, "referent")
    assert start.due_on == D(2026, 6, 1)
    assert start.commune_id == territory.wassy.pk
    assert start.url == f"/budget/subventions/{request_pk}/"
    # The start not yet due a year earlier: nothing to report.
    assert "budget.subsidy_start" not in by_kind(subsidy_deadlines(territory.programme, D(2025, 6, 1)))


def test_the_extension_request_is_reported_before_the_start_deadline(territory: Territory) -> None:
    make_subsidy(territory)
    found = by_kind(subsidy_deadlines(territory.programme, D(2026, 3, 20)))
    assert "budget.subsidy_start_extension" in found
    assert found["budget.subsidy_start_extension"].decision_level == "manager"


def make_overrun(t: Territory) -> None:
    line = BudgetLineFactory(
        programme=t.programme, organisation=t.wassy, year=2026, voted_amount=Decimal(10000)
    )
    ExpenseFactory(budget_line=line, amount_ht=Decimal(10000), amount_ttc=Decimal("12000.00"))


def test_a_budget_line_committed_beyond_its_credits_is_critical(territory: Territory) -> None:
    make_overrun(territory)
    found = by_kind(budget_overruns(territory.programme, DAY))
    overrun = found["budget.line_overrun"]
    assert overrun.level == CRITICAL
    assert overrun.decision_level == "referent"
    assert "2 000,00 €" in overrun.detail.replace("\u202f", " ").replace("\xa0", " ")
    assert overrun.commune_id == territory.wassy.pk


def test_an_authorisation_committed_beyond_its_amount_is_critical(territory: Territory) -> None:
    ap = ProgrammeAuthorisationFactory(programme=territory.programme, initial_amount=Decimal("5000.00"))
    line = BudgetLineFactory(programme=territory.programme, authorisation=ap, organisation=ap.organisation)
    ExpenseFactory(budget_line=line, amount_ht=Decimal("5000.00"), amount_ttc=Decimal("6000.00"))
    found = by_kind(budget_overruns(territory.programme, DAY))
    assert found["budget.authorisation_overrun"].key == f"budget.authorisation_overrun:{ap.pk}"


# --- operations ---------------------------------------------------------------------------------------------


def make_late_operation(t: Territory, days_late: int = 10) -> None:
    operation = OperationFactory(programme=t.programme, status="works", communes=[t.wassy])
    PhaseFactory(operation=operation, name="Travaux", baseline_end=DAY - datetime.timedelta(days=days_late))


def test_a_late_operation_goes_to_the_cotech_then_to_the_project_committee(territory: Territory) -> None:
    make_late_operation(territory, 10)
    make_late_operation(territory, 120)
    found = sorted(late_operations(territory.programme, DAY), key=lambda c: c.due_on)
    assert [(c.level, c.decision_level) for c in found] == [
        (CRITICAL, "project_committee"),
        (ATTENTION, "cotech"),
    ]
    assert all(c.commune_id == territory.wassy.pk for c in found)
    assert "Travaux" in found[0].detail


def test_an_operation_on_time_is_not_reported(territory: Territory) -> None:
    operation = OperationFactory(programme=territory.programme, status="works")
    PhaseFactory(operation=operation, baseline_end=DAY + datetime.timedelta(days=10))
    assert list(late_operations(territory.programme, DAY)) == []


# --- housing ------------------------------------------------------------------------------------------------


def make_housing_file(t: Territory) -> None:
    if t.opah_ru.programme_id != t.programme.pk:
        t.opah_ru.programme = t.programme
        t.opah_ru.save()
    HousingFileFactory(
        housing_programme=t.opah_ru,
        commune=t.saint_dizier,
        status=FileStatus.FILED,
        applicant_name="Famille Dupont-Secret",
        filed_on=D(2026, 3, 2),
        receipt_on=D(2026, 3, 5),
    )


def test_a_household_file_without_decision_after_four_months_names_its_reference_never_the_household(
    territory: Territory,
) -> None:
    make_housing_file(territory)
    (candidate,) = household_file_deadlines(territory.programme, DAY)
    assert candidate.kind == "housing.implicit_rejection"
    assert candidate.due_on == D(2026, 7, 5)
    assert candidate.level == CRITICAL
    assert candidate.obj.reference in candidate.title
    assert "Dupont" not in candidate.title + candidate.detail
    assert candidate.commune_id == territory.saint_dizier.pk


# --- procurement --------------------------------------------------------------------------------------------


def make_consultation(t: Territory) -> None:
    ConsultationFactory(
        programme=t.programme,
        buyer=t.wassy,
        procedure="open",
        computed_procedure="open",
        rejections_sent_on=DAY - datetime.timedelta(days=3),
    )


def test_the_standstill_forbids_the_signature_until_its_end(territory: Territory) -> None:
    make_consultation(territory)
    found = by_kind(consultation_deadlines(territory.programme, DAY))
    standstill = found["procurement.standstill"]
    assert standstill.level == ATTENTION
    assert standstill.decision_level == "manager"
    assert standstill.due_on == DAY + datetime.timedelta(days=8)
    assert "pas de signature avant le 09/12/2026" in standstill.title
    # Once the standstill is over, nothing is reported any more.
    assert "procurement.standstill" not in by_kind(
        consultation_deadlines(territory.programme, D(2026, 12, 20))
    )


def make_contract(t: Territory) -> None:
    consultation = ConsultationFactory(programme=t.programme, buyer=t.wassy)
    contract = ContractFactory(lot=LotFactory(consultation=consultation), status="in_progress")
    InvoiceFactory(contract=contract, received_on=DAY - datetime.timedelta(days=40))
    ContractAmendmentFactory(contract=contract, amount_ht=Decimal("35000.00"))


def test_an_unpaid_invoice_past_30_days_and_amendments_over_15_percent_are_critical(
    territory: Territory,
) -> None:
    make_contract(territory)
    found = by_kind(contract_deadlines(territory.programme, DAY))
    invoice = found["procurement.invoice_payment"]
    assert invoice.level == CRITICAL
    assert invoice.due_on == DAY - datetime.timedelta(days=10)
    amendments = found["procurement.amendments_over_cap"]
    assert (amendments.level, amendments.decision_level) == (CRITICAL, "referent")
    assert "15" in amendments.title


def test_amendments_over_5_percent_of_a_cao_awarded_contract_need_its_opinion(territory: Territory) -> None:
    consultation = ConsultationFactory(programme=territory.programme, cao_on=D(2026, 4, 2))
    contract = ContractFactory(lot=LotFactory(consultation=consultation))
    ContractAmendmentFactory(contract=contract, amount_ht=Decimal("12000.00"))  # 6 %
    found = by_kind(contract_deadlines(territory.programme, DAY))
    assert found["procurement.amendments_cao"].level == ATTENTION


# --- conventions and deliberations ----------------------------------------------------------------------------


def test_a_convention_cadre_ending_within_six_months_then_ended(territory: Territory) -> None:
    ConventionFactory(programme=territory.programme, status=ConventionStatus.IN_FORCE, ends_on=D(2027, 3, 31))
    ending = by_kind(convention_validity(territory.programme, DAY))["conventions.framework_ending"]
    assert (ending.level, ending.decision_level) == (ATTENTION, "referent")
    ended = by_kind(convention_validity(territory.programme, D(2027, 4, 2)))["conventions.framework_ending"]
    assert ended.level == CRITICAL
    assert ended.key == ending.key


def test_a_convention_cadre_not_signed_18_months_after_the_adhesion(territory: Territory) -> None:
    ConventionFactory(
        programme=territory.programme,
        kind=ConventionKind.ADHESION,
        status=ConventionStatus.IN_FORCE,
        signed_on=D(2025, 3, 1),
    )
    ConventionFactory(programme=territory.programme, status=ConventionStatus.DRAFT)
    found = by_kind(convention_validity(territory.programme, DAY))
    late = found["conventions.framework_not_signed"]
    assert late.due_on == D(2026, 9, 1)
    assert (late.level, late.decision_level) == (CRITICAL, "referent")


def test_a_deliberation_not_enforceable_after_15_days_and_critical_when_a_convention_needs_it(
    territory: Territory,
) -> None:
    deliberation = DeliberationFactory(
        programme=territory.programme,
        organisation=territory.wassy,
        adopted_on=DAY - datetime.timedelta(days=20),
        published_on=DAY - datetime.timedelta(days=18),
        transmitted_on=None,
    )
    DeliberationFactory(
        programme=territory.programme,
        adopted_on=DAY - datetime.timedelta(days=5),
        published_on=None,
        transmitted_on=None,
    )
    (candidate,) = deliberations_not_enforceable(territory.programme, DAY)
    assert candidate.key == f"programmes.deliberation_not_enforceable:{deliberation.pk}"
    assert candidate.level == ATTENTION
    assert "la transmission au préfet" in candidate.detail
    assert candidate.commune_id == territory.wassy.pk

    convention = ConventionFactory(programme=territory.programme, status=ConventionStatus.APPROVED)
    SignatoryFactory(convention=convention, organisation=territory.wassy, deliberation=deliberation)
    merged = collect(territory.programme, DAY)[candidate.key]
    assert (merged.level, merged.decision_level) == (CRITICAL, "referent")


# --- bounded queries ----------------------------------------------------------------------------------------

CASES: list[tuple[Callable, Callable]] = [
    (subsidy_deadlines, make_subsidy),
    (budget_overruns, make_overrun),
    (late_operations, make_late_operation),
    (household_file_deadlines, make_housing_file),
    (consultation_deadlines, make_consultation),
    (contract_deadlines, make_contract),
    (
        deliberations_not_enforceable,
        lambda t: DeliberationFactory(programme=t.programme, transmitted_on=None),
    ),
]


def _count(provider: Callable, t: Territory) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        found = list(provider(t.programme, DAY))
    return len(ctx.captured_queries), len(found)


@pytest.mark.parametrize(("provider", "make"), CASES, ids=lambda x: getattr(x, "__name__", ""))
def test_each_provider_runs_the_same_queries_with_ten_times_the_rows(
    provider: Callable, make: Callable, territory: Territory
) -> None:
    make(territory)
    _count(provider, territory)  # content types and reference data warm
    queries_1, found_1 = _count(provider, territory)
    for _ in range(9):
        make(territory)
    queries_10, found_10 = _count(provider, territory)
    assert found_10 >= found_1 * 10 > 0
    assert queries_10 == queries_1
