"""The chargée de mission keeps the partner directory: filters it, opens a partner, adds a contact and a
mandate. axe-core runs on every page (directory, catalogue, partner, forms, contact)."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from pvd.accounts.models import User
from tests.e2e.test_mayor_journey import PASSWORD, log_in

pytestmark = pytest.mark.browser


def test_manager_filters_the_directory_and_records_a_contact_with_his_mandate(
    page: Page,
    live_server: LiveServer,
    manager: User,
    territory,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    log_in(page, live_server, manager.email, PASSWORD)
    page.get_by_role("link", name="Partenaires", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire des partenaires")
    axe(page)

    page.get_by_label("Thème de leurs offres").select_option(label="Participation")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("table").get_by_role("rowheader")).to_have_text(
        ["CAUE de la Haute-Marne", "Cerema"]
    )
    axe(page)

    page.get_by_role("link", name="Catalogue des offres et dispositifs").click()
    page.get_by_label("Rechercher").fill("detr")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("table").get_by_role("rowheader")).to_have_text(
        ["DETR (Dotation d'équipement des territoires ruraux)"]
    )
    axe(page)

    page.goto(f"{live_server.url}/partenaires/{territory.wassy.pk}/")
    page.get_by_role("link", name="Ajouter un contact").click()
    axe(page)
    page.get_by_label("Civilité").select_option(label="Monsieur")
    page.get_by_label("Prénom").fill("Olivier")
    page.locator("#id_last_name").fill("Mercier")  # label "Nom*": not exact
    page.get_by_label("Fonction").fill("Directeur général des services")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monsieur Olivier Mercier")
    axe(page)

    page.get_by_role("link", name="Ajouter un mandat ou une fonction").click()
    page.get_by_label("Rôle").select_option(label="Directeur(rice)")
    page.get_by_label("Depuis le").fill("2026-04-01")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le mandat a été ajouté.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Directeur(rice) en cours")).to_be_visible()
    axe(page)
