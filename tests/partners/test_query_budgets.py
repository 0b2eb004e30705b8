"""Each page of the directory costs the same number of queries with 1× and 10× the data."""

import pytest

from partners.models import MandateRole, OrganisationKind, Theme
from tests.factories import OfferFactory, OrganisationFactory
from tests.partners import objects
from tests.partners.factories import MandateFactory, PersonFactory


def grow(territory, factor: int) -> None:
    """Multiply what the pages read: organisations, their offers and themes, contacts and mandates, history."""
    themes = list(Theme.objects.order_by("pk")[:3])
    for n in range(factor):
        organisation = OrganisationFactory(kind=OrganisationKind.ASSOCIATION)
        OfferFactory(organisation=organisation, themes=themes)
        OfferFactory(organisation=territory.anah, themes=themes)
        for body in (organisation, territory.anah, territory.wassy):
            person = PersonFactory(organisation=body)
            MandateFactory(person=person, organisation=territory.epci, role=MandateRole.COUNCILLOR)
            MandateFactory(person=person, organisation=body, role=MandateRole.OTHER)
        territory.anah.phone = f"03 53 01 00 {n:02d}"
        territory.anah.save()


@pytest.mark.parametrize("factor", [1, 10])
def test_directory_query_budget_is_flat(
    client_for, manager, territory, factor, django_assert_num_queries
) -> None:
    grow(territory, factor)
    client = client_for("manager")
    habitat = Theme.objects.get(code="habitat")
    # session, user, memberships (scope), the chosen theme (filter validation), count + page of organisations
    # (offer and contact counts are subqueries), menu: programmes, themes of the filter's select,
    # session refresh (savepoint, update, release)
    with django_assert_num_queries(12):  # +1: the bell's unread count (issue 8)
        assert client.get("/partenaires/", {"theme": habitat.pk}).status_code == 200


@pytest.mark.parametrize("factor", [1, 10])
def test_offers_catalogue_query_budget_is_flat(
    client_for, manager, territory, factor, django_assert_num_queries
) -> None:
    grow(territory, factor)
    client = client_for("manager")
    # session, user, memberships (scope), count + page of offers with their organisation, their themes,
    # menu: programmes, themes of the filter's select, session refresh (savepoint, update, release)
    with django_assert_num_queries(12):  # +1: the bell's unread count (issue 8)
        assert client.get("/partenaires/offres/").status_code == 200


@pytest.mark.parametrize("factor", [1, 10])
def test_partner_page_query_budget_is_flat(
    client_for, manager, territory, factor, django_assert_num_queries
) -> None:
    grow(territory, factor)
    client = client_for("manager")
    # session, user, memberships (scope), organisation + EPCI, contacts, their current mandates,
    # office holders, offers, their themes, housing programmes owned or operated, strategic documents it
    # authored, engineering needs mobilising its offers, menu: programmes, history, session refresh
    # (savepoint, update, release); an agency has no programme as EPCI or commune
    with django_assert_num_queries(18):  # +1: the bell's unread count (issue 8)
        assert client.get(f"/partenaires/{territory.anah.pk}/").status_code == 200


@pytest.mark.parametrize("factor", [1, 10])
def test_commune_partner_page_query_budget_is_flat(
    client_for, manager, territory, factor, django_assert_num_queries
) -> None:
    grow(territory, factor)
    objects.wassy_mayor_mandate(territory)
    client = client_for("manager")
    # the agency's 17, plus the commune's accounts (memberships + users), its programmes and the names
    # in its history (its EPCI); minus the offers' themes (a commune carries no offer: no prefetch)
    with django_assert_num_queries(20):  # +1: the bell's unread count (issue 8)
        assert client.get(f"/partenaires/{territory.wassy.pk}/").status_code == 200


@pytest.mark.parametrize("factor", [1, 10])
def test_contact_page_query_budget_is_flat(
    client_for, manager, territory, factor, django_assert_num_queries
) -> None:
    grow(territory, factor)
    person = objects.anah_contact(territory)
    for n in range(factor):
        MandateFactory(person=person, organisation=territory.epci)
        person.phone = f"03 53 01 00 {n:02d}"
        person.save()
    client = client_for("manager")
    # session, user, memberships (scope), contact + organisation, mandates + bodies, menu: programmes,
    # history (records + authors), names in the history (organisation), session refresh (savepoint,
    # update, release)
    with django_assert_num_queries(12):  # +1: the bell's unread count (issue 8)
        assert client.get(f"/partenaires/contacts/{person.pk}/").status_code == 200


@pytest.mark.parametrize("factor", [1, 10])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_contacts_export_query_budget_is_flat(
    client_for, manager, territory, factor, fmt, django_assert_num_queries
) -> None:
    grow(territory, factor)
    client = client_for("manager")
    # session, user, memberships (scope), contacts + organisations, their current mandates + bodies,
    # session refresh (savepoint, update, release)
    with django_assert_num_queries(8):
        assert client.get(f"/partenaires/contacts/export.{fmt}").status_code == 200
