"""factory_boy factories of the directory: contacts, mandates, offers."""

import datetime

import factory
from factory.django import DjangoModelFactory

from partners.models import Mandate, MandateRole, Offer, OfferKind, Person
from tests.factories import OrganisationFactory


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    function = "Chargé(e) de mission"
    email = factory.Sequence(lambda n: f"contact{n}@exemple.fr")


class MandateFactory(DjangoModelFactory):
    class Meta:
        model = Mandate

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    role = MandateRole.OTHER
    valid_from = datetime.date(2026, 3, 28)


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
