"""The programme dashboard's query budget: the same number of queries with ten times the data."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import FinancingLineStatus, PaymentKind, SubsidyStatus
from operations.housing.models import FileStatus, IncomeCategory, OwnerType, TargetCategory
from operations.procurement.models import ConsultationStatus, ContractStatus
from partners.models import Theme
from programmes.indicators.models import Indicator, IndicatorTarget, Measurement
from programmes.models import Axis, RevitalisationProject
from pvd.accounts import policy
from pvd.deadlines import add_months
from tests.budget.factories import (
    BudgetLineFactory,
    ExpenseFactory,
    FinancingLineFactory,
    FinancingPlanFactory,
    PaymentCreditFactory,
    PlannedInvestmentFactory,
    ProgrammeAuthorisationFactory,
    SubsidyAllocationFactory,
    SubsidyPaymentFactory,
    SubsidyRequestFactory,
    scheme,
)
from tests.conftest import Territory
from tests.factories import HousingProgrammeFactory, OrganisationFactory
from tests.operations.factories import OperationFactory, PhaseFactory
from tests.operations.housing_factories import HousingFileFactory, HousingTargetFactory
from tests.operations.procurement_factories import (
    ConsultationFactory,
    ContractFactory,
    InvoiceFactory,
    LotFactory,
)


def grow(territory: Territory, factor: int) -> None:
    """`factor` times everything the dashboard reads: axes, operations (late, with themes and communes), financing
    plans and lines, subsidy requests with allocations and payments and deadlines, AP/CP with budget lines and
    expenses, PPI, consultations, contracts and invoices, housing programmes with targets and files, indicators
    with measurements and targets."""
    programme = territory.programme
    today = policy.today()
    project = RevitalisationProject.objects.create(programme=programme, number=1)
    themes = list(Theme.objects.order_by("order", "pk")[:3])
    funder = OrganisationFactory(name="Préfecture", kind="state_service")
    for n in range(factor):
        axis = Axis.objects.create(project=project, order=n + 1, title=f"Axe {n}")
        communes = [territory.wassy, territory.la_porte_du_der][: 1 + n % 2]
        operation = OperationFactory(
            programme=programme,
            axis=axis,
            status=["works", "committed", "delivered", "idea"][n % 4],
            owner=territory.wassy,
            communes=communes,
            themes=themes[: 1 + n % 3],
        )
        PhaseFactory(operation=operation, baseline_end=today - datetime.timedelta(days=10))
        financing_plan = FinancingPlanFactory(operation=operation)
        FinancingLineFactory(
            plan=financing_plan,
            funder=funder,
            category="state_dotation",
            status=FinancingLineStatus.REQUESTED,
        )
        notified = add_months(today, -(20 + n % 6))
        request = SubsidyRequestFactory(
            programme=programme,
            beneficiary=territory.wassy,
            funder=funder,
            scheme=scheme("detr"),
            status=SubsidyStatus.NOTIFIED,
            awarded_amount=Decimal(30000),
            filed_on=notified - datetime.timedelta(days=90),
            notified_on=notified,
        )
        SubsidyAllocationFactory(request=request, operation=operation)
        SubsidyPaymentFactory(
            request=request, kind=PaymentKind.ADVANCE, requested_on=notified, received_on=notified
        )
        PlannedInvestmentFactory(operation=operation, year=2025 + n % 3)
        authorisation = ProgrammeAuthorisationFactory(programme=programme, organisation=territory.wassy)
        PaymentCreditFactory(authorisation=authorisation, year=today.year)
        line = BudgetLineFactory(
            programme=programme,
            organisation=territory.wassy,
            authorisation=authorisation,
            operation=operation,
        )
        ExpenseFactory(budget_line=line, operation=operation)
        consultation = ConsultationFactory(
            programme=programme,
            buyer=territory.wassy,
            status=ConsultationStatus.SIGNED,
            operations=[operation],
        )
        ConsultationFactory(programme=programme, buyer=territory.wassy, status=ConsultationStatus.PUBLISHED)
        contract = ContractFactory(
            lot=LotFactory(consultation=consultation), status=ContractStatus.IN_PROGRESS
        )
        InvoiceFactory(contract=contract, received_on=today - datetime.timedelta(days=20))
        hp = HousingProgrammeFactory(programme=programme, owner=territory.wassy, communes=[territory.wassy])
        HousingTargetFactory(housing_programme=hp, category=TargetCategory.PO_VERY_MODEST, year=2025)
        HousingTargetFactory(housing_programme=hp, category=TargetCategory.LANDLORD, year=2026)
        for owner_type in (OwnerType.OCCUPIER, OwnerType.LANDLORD):
            HousingFileFactory(
                housing_programme=hp,
                commune=territory.wassy,
                owner_type=owner_type,
                income_category=IncomeCategory.VERY_MODEST,
                status=FileStatus.APPROVED,
                filed_on=datetime.date(2025, 3, 3),
                decided_on=datetime.date(2025, 5, 5),
            )
        indicator = Indicator.objects.create(programme=programme, name=f"Indicateur {n}", unit="%")
        Measurement.objects.create(
            indicator=indicator, measured_on=datetime.date(2025, 6, 30), value=Decimal(n)
        )
        IndicatorTarget.objects.create(indicator=indicator, year=today.year, value=Decimal(10))


@pytest.mark.parametrize("factor", [1, 10])
def test_dashboard_query_budget_is_flat(
    client_for, referent, territory, factor, django_assert_num_queries
) -> None:
    grow(territory, factor)
    client = client_for("referent")
    url = reverse("programme_dashboard", args=[territory.programme.pk])
    # session, user, memberships (scope), the programme + EPCI, the main menu's programmes (5);
    # action plan: by axis (with totals and costs), by theme, by commune, the late operations (4);
    # money: plan by funder, the pipeline (requests with their money, allocations, scheme rules), plan totals,
    # execution by year (PPI, CP, paid), AP/CP (9);
    # procurement: consultations by status, contracts by status, open consultations' deadlines, open contracts'
    # deadlines (contracts, late-payment rates, invoices, sub-contractors) (7);
    # housing: the programmes, targets by category, files by category and stage (3);
    # indicators: the indicators, measurements, targets (3);
    # issue 8: active alerts by level, arbitrations awaiting a decision (2); the navbar's unread notifications (1);
    # session refresh (savepoint, update, release: sliding expiry) (3)
    with django_assert_num_queries(37):
        response = client.get(url)
    assert response.status_code == 200
    # every operation has a phase past its baseline end; the delivered ones (one in four) are not late
    assert len(response.context["dashboard"].action_plan.progress.late_operations) == {1: 1, 10: 8}[factor]
