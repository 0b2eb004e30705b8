"""Contacts are personal data: managers, referents and partners of a programme (and staff) see those of
the organisations in their scope; mayors-only and operators-only users never see any (404)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from partners.models import Mandate, Person
from pvd.accounts.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.partners import objects
from tests.partners.factories import PersonFactory


@pytest.mark.parametrize("persona", ["mayor_of_wassy", "mayor_of_la_porte_du_der", "operator"])
def test_mayors_and_operators_get_404_on_every_contact_page(client_for, persona, territory) -> None:
    client = client_for(persona)
    person = objects.wassy_mayor_contact(territory)
    mandate = objects.wassy_mayor_mandate(territory)
    for url in [
        f"/partenaires/contacts/{person.pk}/",
        f"/partenaires/contacts/{objects.anah_contact(territory).pk}/",
        f"/partenaires/contacts/{person.pk}/modifier/",
        f"/partenaires/contacts/{person.pk}/mandats/nouveau/",
        f"/partenaires/mandats/{mandate.pk}/modifier/",
        "/partenaires/contacts/export.csv",
        "/partenaires/contacts/export.xlsx",
    ]:
        assert client.get(url).status_code == 404, url


def main(response: object) -> str:
    """The page's own content, without the header (which names the logged-in user)."""
    html = response.content.decode()  # type: ignore[attr-defined]
    return html[html.index("<main") : html.index("</main>")]


def test_the_mayor_reads_her_commune_partner_page_without_its_contacts(
    client_for, mayor_of_wassy, territory
) -> None:
    objects.wassy_mayor_mandate(territory)
    page = main(client_for("mayor_of_wassy").get(f"/partenaires/{territory.wassy.pk}/"))
    assert "<h1>Wassy</h1>" in page
    assert "Girard" not in page  # neither as a contact nor as an office holder
    assert "Contacts" not in page
    assert "export.csv" not in page


def test_the_referent_sees_the_contacts_and_current_mandates_of_a_commune(
    client_for, referent, territory
) -> None:
    objects.wassy_mayor_mandate(territory)
    page = client_for("referent").get(f"/partenaires/{territory.wassy.pk}/").content.decode()
    assert "Madame Hélène Girard" in page
    assert "Maire : <a" in page and "depuis le 28/03/2026" in page
    assert "Ajouter un contact" not in page  # reads, does not edit


def test_an_ended_mandate_is_no_longer_shown_as_current(client_for, manager, territory) -> None:
    mandate = objects.wassy_mayor_mandate(territory)
    Mandate.objects.filter(pk=mandate.pk).update(
        valid_from=datetime.date(2020, 5, 23), valid_until=datetime.date(2026, 3, 27)
    )
    page = client_for("manager").get(f"/partenaires/contacts/{mandate.person_id}/").content.decode()
    assert "badge text-bg-success" not in page  # the "en cours" badge
    assert "<td>23/05/2020</td><td>27/03/2026</td>" in page  # still listed, with its dates


def test_another_territory_manager_sees_national_partners_contacts_but_not_ours(
    client_for, outsider, territory
) -> None:
    client = client_for("outsider")
    assert client.get(f"/partenaires/contacts/{objects.anah_contact(territory).pk}/").status_code == 200
    assert (
        client.get(f"/partenaires/contacts/{objects.wassy_mayor_contact(territory).pk}/").status_code == 404
    )


def test_a_partner_on_a_housing_programme_only_sees_contacts(territory) -> None:
    user = UserFactory()
    MembershipFactory(user=user, role=Role.PARTNER, housing_programme=territory.opah_ru)
    anah = objects.anah_contact(territory)
    saint_dizier = PersonFactory(organisation=territory.saint_dizier)  # a commune of its housing programme
    wassy = objects.wassy_mayor_contact(territory)
    visible = set(Person.objects.visible_to(user))
    assert anah in visible and saint_dizier in visible
    assert wassy not in visible


def test_a_user_whose_role_ended_sees_no_contact(territory) -> None:
    user = UserFactory()
    MembershipFactory(
        user=user,
        role=Role.MANAGER,
        programme=territory.programme,
        valid_from=datetime.date(2022, 4, 1),
        valid_until=datetime.date(2026, 3, 27),
    )
    objects.anah_contact(territory)
    assert not Person.objects.visible_to(user).exists()
    assert not Mandate.objects.visible_to(user).exists()


def test_a_user_without_any_role_sees_neither_the_directory_nor_the_catalogue(territory) -> None:
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/partenaires/").status_code == 404
    assert client.get("/partenaires/offres/").status_code == 404
    assert client.get(f"/partenaires/offres/{objects.anah_offer(territory).pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["manager", "mayor_of_wassy", "operator", "partner", "staff"])
def test_the_menu_offers_the_directory_to_users_with_a_role(client_for, persona, territory) -> None:
    page = client_for(persona).get(reverse("accounts:password_change")).content.decode()
    assert '<a class="nav-link" href="/partenaires/">Partenaires</a>' in page


def test_the_menu_has_no_directory_for_a_user_without_role(db) -> None:
    client = Client()
    client.force_login(UserFactory())
    assert 'href="/partenaires/"' not in client.get(reverse("accounts:password_change")).content.decode()
