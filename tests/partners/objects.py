"""The directory's objects the access matrix and the tests point to, created on first use.

A contact of the Anah (a national partner every member sees), the mayor of Wassy as a contact with
her mandate (a contact of a commune of our programme), and one offer.
"""

import datetime

from partners.models import Mandate, MandateRole, Offer, OfferKind, Person
from tests.conftest import Territory


def anah_contact(t: Territory) -> Person:
    person, _ = Person.objects.get_or_create(
        organisation=t.anah,
        first_name="Karim",
        last_name="Benali",
        defaults={"function": "Délégation locale de l'Anah", "email": "anah@ddt-52.example"},
    )
    return person


def wassy_mayor_contact(t: Territory) -> Person:
    person, _ = Person.objects.get_or_create(
        organisation=t.wassy,
        first_name="Hélène",
        last_name="Girard",
        defaults={"civility": "mme", "function": "Maire de Wassy", "email": "maire@wassy.example"},
    )
    return person


def wassy_mayor_mandate(t: Territory) -> Mandate:
    mandate, _ = Mandate.objects.get_or_create(
        person=wassy_mayor_contact(t),
        organisation=t.wassy,
        role=MandateRole.MAYOR,
        defaults={"valid_from": datetime.date(2026, 3, 28)},
    )
    return mandate


def anah_offer(t: Territory) -> Offer:
    offer, _ = Offer.objects.get_or_create(
        organisation=t.anah, name="Ingénierie habitat de test", defaults={"kind": OfferKind.ENGINEERING}
    )
    return offer
