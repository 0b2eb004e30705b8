"""factory_boy factories for every domain model; later issues add theirs here (or in tests/<app>/)."""

import datetime
import itertools

import factory
from factory.django import DjangoModelFactory

from operations.models import HousingProgramme, HousingProgrammeKind
from partners.models import Offer, OfferKind, Organisation, OrganisationKind
from programmes.models import Programme
from pvd.accounts.models import Membership, Role, User

_insee = itertools.count(10001)
_siren = itertools.count(300000001)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    full_name = factory.Faker("name", locale="fr_FR")
    password = factory.django.Password("mot-de-passe-de-test")


class EpciFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.EPCI
    name = factory.Sequence(lambda n: f"Communauté de communes n° {n}")
    siren = factory.LazyFunction(lambda: str(next(_siren)))
    epci_type = "CC"


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.COMMUNE
    name = factory.Sequence(lambda n: f"Commune n° {n}")
    insee_code = factory.LazyFunction(lambda: f"{next(_insee):05d}")
    siren = factory.LazyFunction(lambda: str(next(_siren)))
    department_code = "52"
    population = 2000
    epci = factory.SubFactory(EpciFactory)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.AGENCY
    name = factory.Sequence(lambda n: f"Organisme partenaire n° {n}")


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Petites Villes de Demain n° {n}")
    epci = factory.SubFactory(EpciFactory)
    selected_on = datetime.date(2020, 12, 14)
    adhesion_signed_on = datetime.date(2021, 10, 29)
    ends_on = datetime.date(2026, 12, 31)

    @factory.post_generation
    def communes(self, create: bool, extracted: list[Organisation] | None, **kwargs: object) -> None:
        if create and extracted:
            self.communes.set(extracted)


class HousingProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = HousingProgramme
        skip_postgeneration_save = True

    kind = HousingProgrammeKind.OPAH_RU
    name = factory.Sequence(lambda n: f"OPAH-RU n° {n}")
    owner = factory.SubFactory(CommuneFactory)
    starts_on = datetime.date(2021, 7, 1)
    ends_on = datetime.date(2026, 12, 31)

    @factory.post_generation
    def communes(self, create: bool, extracted: list[Organisation] | None, **kwargs: object) -> None:
        if create and extracted:
            self.communes.set(extracted)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.MANAGER
    valid_from = datetime.date(2020, 1, 1)


class OfferFactory(DjangoModelFactory):
    class Meta:
        model = Offer
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Offre n° {n}")
    kind = OfferKind.ENGINEERING

    @factory.post_generation
    def themes(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.themes.set(extracted)
