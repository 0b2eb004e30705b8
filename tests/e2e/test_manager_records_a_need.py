"""The chargée de mission records an engineering need, mobilises an offer the page suggests, records the
partner's answer; she adds a study to the documents inventory. axe-core runs on every page visited."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from partners.models import OfferKind
from programmes.models import EngineeringNeed, NeedStatus, StrategicDocument
from pvd.accounts.models import User
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.factories import OfferFactory, OrganisationFactory
from tests.programmes.factories import PDF_BYTES, theme

pytestmark = pytest.mark.browser


def test_manager_records_a_need_and_mobilises_a_suggested_offer(
    page: Page,
    live_server: LiveServer,
    manager: User,
    territory: Territory,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    cerema = OrganisationFactory(name="Cerema")
    OfferFactory(
        organisation=cerema, name="Expertise mobilité", kind=OfferKind.EXPERTISE, themes=[theme("mobilite")]
    )
    log_in(page, live_server, manager.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/programmes/{territory.programme.pk}/")

    page.goto(f"{live_server.url}/programmes/{territory.programme.pk}/besoins/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Besoins d'ingénierie")
    axe(page)

    page.get_by_role("link", name="Ajouter un besoin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter un besoin d'ingénierie")
    axe(page)
    page.get_by_label("Besoin").fill("Plan de circulation et de stationnement de Wassy")
    page.get_by_label("Thème").select_option(label="Mobilité")
    page.get_by_label("Commune").select_option(label="Wassy")
    page.get_by_label("Nature").select_option(label="Étude")
    page.get_by_label("Coût estimé (€ HT)").fill("25000")
    page.get_by_role("button", name="Enregistrer").click()

    need = EngineeringNeed.objects.get()
    expect(page).to_have_url(f"{live_server.url}/programmes/besoins/{need.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Plan de circulation et de stationnement de Wassy"
    )
    expect(page.get_by_role("status")).to_have_text("Le besoin d'ingénierie a été enregistré.")
    axe(page)

    # "Qui peut aider ?" suggests the Cerema's expertise on mobility: she mobilises it.
    help_block = page.get_by_role("region", name="Qui peut aider ?")
    expect(help_block.get_by_role("row", name=re.compile("Expertise mobilité"))).to_contain_text(
        "Une expertise peut cadrer ou co-réaliser l'étude (thème « Mobilité »)."
    )
    help_block.get_by_role("button", name="Solliciter « Expertise mobilité »").click()
    expect(page.get_by_role("status")).to_have_text(
        "Statut du besoin : « Sollicité auprès d'un partenaire »."
    )
    expect(
        page.locator("dt", has_text="Offre mobilisée").locator("xpath=following-sibling::dd[1]")
    ).to_have_text("Expertise mobilité — Cerema")
    axe(page)

    grant = page.get_by_role("form", name="Enregistrer l'accord du partenaire")
    grant.get_by_label("Réponse du partenaire").fill("Accord pour 10 jours d'expertise.")
    grant.get_by_role("button", name="Enregistrer l'accord du partenaire").click()
    expect(page.get_by_role("status")).to_have_text("Statut du besoin : « Accordé ».")
    history = page.get_by_role("table", name="Changements de statut du besoin, du plus récent au plus ancien")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Sollicité auprès d'un partenaire → Accordé")
    axe(page)
    need.refresh_from_db()
    assert (need.status, need.partner_answer) == (NeedStatus.GRANTED, "Accord pour 10 jours d'expertise.")

    page.get_by_role("link", name="Besoins d'ingénierie").first.click()
    totals = page.get_by_role("table", name="Nombre de besoins et coût estimé hors taxes par statut")
    granted_row = totals.get_by_role("row", name=re.compile("^Accordé"))
    assert granted_row.text_content() is not None
    assert "25\u00a0000,00\u00a0€" in granted_row.inner_text()
    axe(page)


def test_manager_adds_a_study_with_its_pdf_to_the_inventory(
    page: Page,
    live_server: LiveServer,
    manager: User,
    territory: Territory,
    tmp_path: Path,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    theme("commerce")  # browser tests empty the tables: make sure the vocabulary is there
    pdf = tmp_path / "etude-commerce.pdf"
    pdf.write_bytes(PDF_BYTES)
    log_in(page, live_server, manager.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/programmes/{territory.programme.pk}/")

    page.goto(f"{live_server.url}/programmes/{territory.programme.pk}/documents/nouveau/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter un document ou une étude")
    axe(page)
    page.get_by_label("Titre").fill("Étude de revitalisation commerciale")
    page.get_by_label("Nature").select_option(label="Étude commerce")
    page.get_by_label("Année").fill("2023")
    page.get_by_label("Commerces, services et activités").check()
    page.get_by_label("Wassy").check()
    page.get_by_label("Fichier").set_input_files(str(pdf))
    page.get_by_role("button", name="Enregistrer").click()

    document = StrategicDocument.objects.get()
    expect(page).to_have_url(f"{live_server.url}/programmes/documents/{document.pk}/")
    # The storage may add a suffix when the name is taken: « etude-commerce_a1B2c3d.pdf ».
    expect(
        page.get_by_role("link", name=re.compile(r"^Télécharger etude-commerce(_\w+)?\.pdf$"))
    ).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Documents et études").first.click()
    expect(page.get_by_role("table")).to_contain_text("Étude de revitalisation commerciale")
    axe(page)
    page.get_by_role("link", name="Enjeux").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enjeux du programme")
    axe(page)
