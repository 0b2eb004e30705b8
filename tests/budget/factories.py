"""Factories of the money records: financing plans and lines, subsidy requests, payments, the programme
budget (PPI, AP/CP, budget lines, expenses). Shared by every budget test module.

Reference data (parameters, scheme rules, M57 accounts) comes from the data migration: use
`scheme("detr")` and `account("2313")` rather than creating rows."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from budget.models import (
    BudgetAccount,
    BudgetLine,
    Expense,
    FinancingLine,
    FinancingPlan,
    FundingCategory,
    PaymentCredit,
    PaymentKind,
    PlannedInvestment,
    ProgrammeAuthorisation,
    SubsidyAllocation,
    SubsidyPayment,
    SubsidyRequest,
)
from partners.models import Offer
from tests.factories import CommuneFactory, OrganisationFactory, ProgrammeFactory
from tests.operations.factories import OperationFactory


def scheme(code: str) -> Offer:
    """A funding scheme shipped by the reference-data migrations (detr, dsil, fonds-vert…)."""
    return Offer.objects.get(code=code)


def account(code: str) -> BudgetAccount:
    return BudgetAccount.objects.get(code=code)


class FinancingPlanFactory(DjangoModelFactory):
    class Meta:
        model = FinancingPlan

    operation = factory.SubFactory(OperationFactory)
    eligible_cost_ht = Decimal("100000.00")
    eligible_cost_ttc = Decimal("120000.00")


class FinancingLineFactory(DjangoModelFactory):
    """A line of a plan; by default the owner's own funds for the whole cost."""

    class Meta:
        model = FinancingLine

    plan = factory.SubFactory(FinancingPlanFactory)
    position = factory.Sequence(lambda n: n)
    category = FundingCategory.OWN_FUNDS
    funder = factory.LazyAttribute(lambda o: o.plan.operation.owner)
    amount_ht = Decimal("100000.00")
    amount_ttc = factory.LazyAttribute(lambda o: o.amount_ht)


class SubsidyRequestFactory(DjangoModelFactory):
    class Meta:
        model = SubsidyRequest

    programme = factory.SubFactory(ProgrammeFactory)
    beneficiary = factory.SubFactory(CommuneFactory)
    funder = factory.SubFactory(OrganisationFactory, kind="state_service")
    title = factory.Sequence(lambda n: f"Demande de subvention n° {n}")
    requested_amount = Decimal("30000.00")


class SubsidyAllocationFactory(DjangoModelFactory):
    class Meta:
        model = SubsidyAllocation

    request = factory.SubFactory(SubsidyRequestFactory)
    operation = factory.SubFactory(OperationFactory, programme=factory.SelfAttribute("..request.programme"))
    amount = factory.LazyAttribute(lambda o: o.request.requested_amount)


class SubsidyPaymentFactory(DjangoModelFactory):
    class Meta:
        model = SubsidyPayment

    request = factory.SubFactory(SubsidyRequestFactory)
    kind = PaymentKind.INSTALMENT
    amount = Decimal("5000.00")
    requested_on = datetime.date(2026, 3, 2)


class PlannedInvestmentFactory(DjangoModelFactory):
    class Meta:
        model = PlannedInvestment

    operation = factory.SubFactory(OperationFactory)
    year = 2026
    amount_ttc = Decimal("60000.00")


class ProgrammeAuthorisationFactory(DjangoModelFactory):
    class Meta:
        model = ProgrammeAuthorisation
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SubFactory(CommuneFactory)
    number = factory.Sequence(lambda n: f"AP-{n:03d}")
    label = factory.Sequence(lambda n: f"Autorisation de programme n° {n}")
    voted_on = datetime.date(2024, 3, 28)
    deliberation_reference = "DEL-2024-012"
    initial_amount = Decimal("500000.00")

    @factory.post_generation
    def operations(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.operations.set(extracted)


class PaymentCreditFactory(DjangoModelFactory):
    class Meta:
        model = PaymentCredit

    authorisation = factory.SubFactory(ProgrammeAuthorisationFactory)
    year = 2026
    amount = Decimal("200000.00")


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = BudgetLine

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SubFactory(CommuneFactory)
    year = 2026
    section = "investment"
    direction = "expense"
    account = factory.LazyFunction(lambda: account("2313"))
    label = factory.Sequence(lambda n: f"Travaux n° {n}")
    voted_amount = Decimal("300000.00")


class ExpenseFactory(DjangoModelFactory):
    class Meta:
        model = Expense

    budget_line = factory.SubFactory(BudgetLineFactory)
    label = factory.Sequence(lambda n: f"Situation de travaux n° {n}")
    supplier = "Entreprise Bâtisseurs de la Marne"
    amount_ht = Decimal("10000.00")
    amount_ttc = Decimal("12000.00")
    committed_on = datetime.date(2026, 2, 2)
