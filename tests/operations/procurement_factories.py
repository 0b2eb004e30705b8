"""Factories of procurement: consultations, lots, criteria, bids and scores, contracts and their execution.
Shared by every procurement test module; add new factories at the end, never change these."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from operations.models import (
    Bid,
    BidScore,
    Consultation,
    Contract,
    ContractAmendment,
    Criterion,
    CriterionKind,
    Invoice,
    Lot,
    Procedure,
    PurchaseNature,
)
from tests.factories import CommuneFactory, OrganisationFactory, ProgrammeFactory


class CompanyFactory(OrganisationFactory):
    kind = "company"
    name = factory.Sequence(lambda n: f"Entreprise n° {n}")


def siret(n: int) -> str:
    return f"{n:014d}"


class ConsultationFactory(DjangoModelFactory):
    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    buyer = factory.SubFactory(CommuneFactory)
    reference = factory.Sequence(lambda n: f"2026-{n:03d}")
    title = factory.Sequence(lambda n: f"Consultation n° {n}")
    nature = PurchaseNature.WORKS
    cpv_code = "45233140"
    estimated_value_ht = Decimal("250000.00")
    launch_date = datetime.date(2026, 3, 2)
    procedure = Procedure.ADAPTED
    computed_procedure = Procedure.ADAPTED

    @factory.post_generation
    def operations(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.operations.set(extracted)


class LotFactory(DjangoModelFactory):
    class Meta:
        model = Lot

    consultation = factory.SubFactory(ConsultationFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lot n° {n + 1}")
    estimated_value_ht = Decimal("250000.00")


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = Criterion

    consultation = factory.SubFactory(ConsultationFactory)
    position = factory.Sequence(lambda n: n)
    kind = CriterionKind.TECHNICAL
    name = "Valeur technique"
    weight = Decimal("0.60")
    max_score = Decimal(10)


class BidFactory(DjangoModelFactory):
    class Meta:
        model = Bid

    lot = factory.SubFactory(LotFactory)
    bidder = factory.SubFactory(CompanyFactory)
    bidder_siret = factory.Sequence(lambda n: siret(n + 10_000))
    received_at = factory.LazyFunction(lambda: timezone.make_aware(datetime.datetime(2026, 4, 2, 10, 0)))
    price_ht = Decimal("240000.00")


class BidScoreFactory(DjangoModelFactory):
    class Meta:
        model = BidScore

    bid = factory.SubFactory(BidFactory)
    criterion = factory.SubFactory(
        CriterionFactory, consultation=factory.SelfAttribute("..bid.lot.consultation")
    )
    score = Decimal(7)
    max_score = factory.LazyAttribute(lambda o: o.criterion.max_score)


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract

    lot = factory.SubFactory(LotFactory)
    number = factory.Sequence(lambda n: f"M2026-{n:03d}")
    holder = factory.SubFactory(CompanyFactory)
    holder_siret = factory.Sequence(lambda n: siret(n + 20_000))
    amount_ht = Decimal("200000.00")
    amount_ttc = Decimal("240000.00")
    duration_months = 10
    signed_on = datetime.date(2026, 5, 4)
    notified_on = datetime.date(2026, 5, 6)


class ContractAmendmentFactory(DjangoModelFactory):
    class Meta:
        model = ContractAmendment

    contract = factory.SubFactory(ContractFactory)
    number = factory.Sequence(lambda n: n + 1)
    signed_on = datetime.date(2026, 9, 1)
    ground = "additional"
    amount_ht = Decimal("10000.00")
    description = "Travaux supplémentaires"


class InvoiceFactory(DjangoModelFactory):
    class Meta:
        model = Invoice

    contract = factory.SubFactory(ContractFactory)
    number = factory.Sequence(lambda n: f"F-{n:04d}")
    received_on = datetime.date(2026, 7, 1)
    amount_ht = Decimal("50000.00")
    amount_ttc = Decimal("60000.00")
