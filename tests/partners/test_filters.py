"""The directory filters by kind, theme (of the organisation's offers) and name; the catalogue by kind,
theme and validity today. Reference data (partners/migrations/0005) is present in every test."""

import datetime
import html
import re

from partners.models import OfferKind, OrganisationKind, Theme
from tests.factories import OfferFactory, OrganisationFactory


def row_names(response) -> list[str]:
    """The names in the first column (row headers) of the page's table, in order."""
    found = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', response.content.decode())
    return [html.unescape(name) for name in found]


def test_directory_lists_partners_but_no_commune(client_for, manager, territory) -> None:
    names = row_names(client_for("manager").get("/partenaires/"))
    assert "Banque des Territoires" in names and "CA du Grand Saint-Dizier Der et Vallées" in names
    assert "Wassy" not in names


def test_directory_filters_by_kind(client_for, manager) -> None:
    response = client_for("manager").get("/partenaires/", {"kind": OrganisationKind.STATE_SERVICE})
    assert row_names(response) == [
        "Direction départementale des territoires de la Haute-Marne",
        "Préfecture de la Haute-Marne",
    ]


def test_directory_filters_by_the_theme_of_offers_once_per_organisation(
    client_for, manager, territory
) -> None:
    participation = Theme.objects.get(code="participation")
    company = OrganisationFactory(name="Concertation & Territoires", kind=OrganisationKind.COMPANY)
    OfferFactory(organisation=company, themes=[participation])
    OfferFactory(organisation=company, themes=[participation])
    response = client_for("manager").get("/partenaires/", {"theme": participation.pk})
    assert row_names(response) == ["CAUE de la Haute-Marne", "Cerema", "Concertation & Territoires"]


def test_directory_search_on_name(client_for, manager) -> None:
    response = client_for("manager").get("/partenaires/", {"q": "  grand est "})
    assert row_names(response) == ["EPF Grand Est", "Région Grand Est"]
    assert "2 organismes" in response.content.decode()


def test_an_unknown_kind_is_reported_not_ignored(client_for, manager) -> None:
    response = client_for("manager").get("/partenaires/", {"kind": "commune"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_catalogue_filters_by_kind_and_theme(client_for, manager) -> None:
    habitat = Theme.objects.get(code="habitat")
    response = client_for("manager").get(
        "/partenaires/offres/", {"kind": OfferKind.FUNDING, "theme": habitat.pk}
    )
    assert row_names(response) == [
        "Aide au poste de chef de projet d'OPAH-RU",
        "Aides aux propriétaires pour leurs travaux",
        "Financement du suivi-animation des OPAH et PIG",
        "Part de l'Anah dans le co-financement du chef de projet PVD",
    ]


def test_catalogue_filters_offers_valid_today(client_for, manager, territory) -> None:
    OfferFactory(
        organisation=territory.anah, name="Appel à projets à venir", valid_from=datetime.date(2027, 1, 1)
    )
    client = client_for("manager")
    in_force = row_names(client.get("/partenaires/offres/", {"valid_today": "yes", "q": "chef de projet"}))
    assert in_force == [
        "Aide au poste de chef de projet d'OPAH-RU"
    ]  # the PVD co-financing closed on 31/03/2026
    not_in_force = row_names(client.get("/partenaires/offres/", {"valid_today": "no"}))
    assert not_in_force == [  # ordered by organisation (Anah, then ANCT), then name
        "Appel à projets à venir",
        "Part de l'Anah dans le co-financement du chef de projet PVD",
        "Co-financement du poste de chef de projet Petites Villes de Demain",
    ]


def test_catalogue_marks_expired_offers(client_for, manager) -> None:
    page = client_for("manager").get("/partenaires/offres/", {"q": "pvd-chef-de-projet"}).content.decode()
    assert "jusqu'au 31/03/2026" in page
    assert '<span class="badge text-bg-secondary">échue</span>' in page
