"""Factories of housing: income ceilings, aid versions, targets and envelopes, top-up rules, household files,
grants and payments. Shared by every housing test module; add new factories at the end, never change these."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from operations.housing.models import (
    EnvelopeKind,
    FileStatus,
    GrantStatus,
    IncomeCategory,
    OwnerType,
    TargetCategory,
    Theme,
    Zone,
)
from operations.models import (
    AidScheme,
    HousingAmendment,
    HousingEnvelope,
    HousingFile,
    HousingGrant,
    HousingGrantPayment,
    HousingSector,
    HousingTarget,
    IncomeCeiling,
    TopUpRule,
)
from tests.factories import CommuneFactory, HousingProgrammeFactory, OrganisationFactory


class IncomeCeilingFactory(DjangoModelFactory):
    """A made-up table (round figures), for tests that need a year the migration does not ship."""

    class Meta:
        model = IncomeCeiling
        django_get_or_create = ("year", "zone", "category")

    year = 2030
    zone = Zone.OTHER
    category = IncomeCategory.VERY_MODEST
    one_person = Decimal(20000)
    two_people = Decimal(30000)
    three_people = Decimal(36000)
    four_people = Decimal(42000)
    five_people = Decimal(48000)
    per_extra_person = Decimal(6000)
    source = "Table d'essai"


class AidSchemeFactory(DjangoModelFactory):
    class Meta:
        model = AidScheme

    code = factory.Sequence(lambda n: f"aide-essai-{n}")
    name = "Aide d'essai"
    funder = factory.SubFactory(
        OrganisationFactory, name=factory.Sequence(lambda n: f"Anah (essai {n})"), kind="agency"
    )
    theme = Theme.ENERGY
    owner_types = factory.LazyFunction(lambda: [OwnerType.OCCUPIER])
    valid_from = datetime.date(2020, 1, 1)
    rate_very_modest = Decimal("0.80")
    rate_modest = Decimal("0.60")
    works_cap_ht = Decimal(30000)
    legal_reference = "Référence d'essai"


class HousingAmendmentFactory(DjangoModelFactory):
    class Meta:
        model = HousingAmendment

    housing_programme = factory.SubFactory(HousingProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    signed_on = datetime.date(2024, 6, 1)
    subject = "Prorogation et ajustement des objectifs"


class HousingSectorFactory(DjangoModelFactory):
    class Meta:
        model = HousingSector

    housing_programme = factory.SubFactory(HousingProgrammeFactory)
    name = factory.Sequence(lambda n: f"Secteur {n}")
    commune = factory.SubFactory(CommuneFactory)
    streets = "Rue Gambetta, rue de la République"


class HousingTargetFactory(DjangoModelFactory):
    class Meta:
        model = HousingTarget

    housing_programme = factory.SubFactory(HousingProgrammeFactory)
    category = TargetCategory.PO_VERY_MODEST
    year = 2025
    count = 10


class HousingEnvelopeFactory(DjangoModelFactory):
    class Meta:
        model = HousingEnvelope

    housing_programme = factory.SubFactory(HousingProgrammeFactory)
    funder = factory.SubFactory(OrganisationFactory, kind="agency")
    kind = EnvelopeKind.WORKS
    year = 2025
    amount = Decimal("100000.00")


class TopUpRuleFactory(DjangoModelFactory):
    class Meta:
        model = TopUpRule

    housing_programme = factory.SubFactory(HousingProgrammeFactory)
    funder = factory.SubFactory(OrganisationFactory, kind="epci")
    label = "Prime complémentaire"
    rate = Decimal("0.10")
    cap = Decimal("3000.00")
    valid_from = datetime.date(2020, 1, 1)


class HousingFileFactory(DjangoModelFactory):
    class Meta:
        model = HousingFile

    housing_programme = factory.SubFactory(HousingProgrammeFactory)
    reference = factory.Sequence(lambda n: f"D-{n:05d}")
    status = FileStatus.CONTACT
    owner_type = OwnerType.OCCUPIER
    applicant_name = factory.Sequence(lambda n: f"Ménage Essai {n}")
    household_size = 2
    address = factory.Sequence(lambda n: f"{n} rue de la Gare")
    commune = factory.SubFactory(CommuneFactory)
    first_contact_on = datetime.date(2025, 1, 15)
    theme_energy = True


class HousingGrantFactory(DjangoModelFactory):
    class Meta:
        model = HousingGrant

    file = factory.SubFactory(HousingFileFactory)
    funder = factory.SubFactory(OrganisationFactory, kind="agency")
    label = "Aide aux travaux"
    amount = Decimal("10000.00")
    status = GrantStatus.PLANNED


class HousingGrantPaymentFactory(DjangoModelFactory):
    class Meta:
        model = HousingGrantPayment

    grant = factory.SubFactory(
        HousingGrantFactory, status=GrantStatus.COMMITTED, committed_on=datetime.date(2025, 5, 1)
    )
    kind = "advance"
    amount = Decimal("3000.00")
    paid_on = datetime.date(2025, 6, 1)
