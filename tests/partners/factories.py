"""factory_boy factories of the directory: contacts, mandates, offers."""

import datetime

import factory
from factory.django import DjangoModelFactory

from partners.models import Mandate, MandateRole, Person
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
