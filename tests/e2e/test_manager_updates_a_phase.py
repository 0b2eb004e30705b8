"""The chargée de mission updates a phase of a Wassy operation (the forecast slips: she gives the reason) and
posts a progress report with its weather; the mayor of Wassy logs in and reads it on her commune page.
axe-core runs on every page visited."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from operations.models import OperationStatus, Phase, ProgressReport
from pvd.accounts.models import User
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.operations.factories import OperationFactory, PhaseFactory

pytestmark = pytest.mark.browser


def test_manager_updates_a_phase_and_the_mayor_sees_it_on_her_commune_page(
    page: Page,
    live_server: LiveServer,
    manager: User,
    mayor_of_wassy: User,
    territory: Territory,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    operation = OperationFactory(
        programme=territory.programme,
        code="W-03",
        title="Réhabilitation de la halle",
        owner=territory.wassy,
        communes=[territory.wassy],
        status=OperationStatus.WORKS,
    )
    PhaseFactory(
        operation=operation,
        order=1,
        name="Maîtrise d'œuvre",
        weight=Decimal(1),
        progress=Decimal(1),
        baseline_start=datetime.date(2025, 9, 1),
        baseline_end=datetime.date(2026, 3, 31),
        actual_start=datetime.date(2025, 9, 1),
        actual_end=datetime.date(2026, 3, 20),
    )
    works = PhaseFactory(
        operation=operation,
        order=2,
        name="Travaux",
        weight=Decimal(3),
        baseline_start=datetime.date(2026, 5, 1),
        baseline_end=datetime.date(2027, 4, 30),
        forecast_start=datetime.date(2026, 5, 1),
        forecast_end=datetime.date(2027, 4, 30),
    )

    log_in(page, live_server, manager.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/programmes/{territory.programme.pk}/")
    page.goto(f"{live_server.url}/operations/{operation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Réhabilitation de la halle")
    axe(page)

    # The works slip by two months: the reason is required.
    phases = page.get_by_role("region", name="Phases et avancement")
    phases.get_by_role("link", name="Modifier la phase Travaux").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier la phase « Travaux »")
    axe(page)
    page.get_by_label("Avancement (%)").fill("30")
    page.get_by_label("Début réel").fill("2026-05-04")
    page.get_by_label("Fin prévisionnelle").fill("2027-06-30")
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_text(
            "La fin prévisionnelle (30/06/2027) dépasse la fin prévue au référentiel (30/04/2027) : "
            "indiquez le motif du glissement."
        )
    ).to_be_visible()
    axe(page)
    page.get_by_label("Motif du glissement").fill("Découverte d'amiante dans la charpente.")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page).to_have_url(re.compile(rf"/operations/{operation.pk}/#phases$"))
    expect(page.get_by_role("status")).to_have_text("La phase « Travaux » a été enregistrée.")
    timeline = page.get_by_role("table", name="Calendrier des phases : référence, prévision et réalisé")
    row = timeline.get_by_role("row", name=re.compile("Travaux"))
    expect(row).to_contain_text("30\u00a0%")
    expect(row).to_contain_text("Motif du glissement : Découverte d'amiante dans la charpente.")
    expect(row).to_contain_text("En retard")
    # (1 × 100 % + 3 × 30 %) / 4 = 47,5 % -> shown rounded to 48 %
    expect(phases.get_by_role("progressbar", name="Avancement technique de l'opération")).to_be_visible()
    expect(phases).to_contain_text("48\u00a0%")
    axe(page)
    works.refresh_from_db()
    assert (works.progress, works.slip_reason) == (
        Decimal("0.3000"),
        "Découverte d'amiante dans la charpente.",
    )

    # A progress report with its weather.
    page.get_by_role("link", name="Publier un point d'avancement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publier un point d'avancement")
    axe(page)
    page.get_by_label("Date").fill("2026-11-27")
    page.get_by_label("Vigilance").check()
    page.get_by_label("Point d'avancement").fill(
        "Désamiantage en cours ; reprise de la charpente en janvier."
    )
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status")).to_have_text("Le point d'avancement a été publié dans le journal.")
    journal = page.get_by_role("region", name="Journal de l'opération")
    expect(journal).to_contain_text("Dernier point : le 27/11/2026 — Météo : Vigilance")
    axe(page)
    assert ProgressReport.objects.get().weather == "at_risk"

    page.get_by_role("button", name="Se déconnecter").click()

    # The mayor of Wassy lands on her commune page and finds the operation, late, with the latest report.
    log_in(page, live_server, mayor_of_wassy.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/communes/52550/")
    section = page.get_by_role("region", name="Opérations de la commune")
    table = section.get_by_role("table", name="En travaux (1)")
    row = table.get_by_role("row", name=re.compile("W-03"))
    expect(row).to_contain_text("48\u00a0%")
    expect(row).to_contain_text("En retard")
    expect(row).to_contain_text("27/11/2026 — Météo : Vigilance")
    axe(page)

    # She opens the operation: she reads the phases and the journal, with no edit links.
    row.get_by_role("link", name="W-03 — Réhabilitation de la halle").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Réhabilitation de la halle")
    expect(page.get_by_role("region", name="Journal de l'opération")).to_contain_text("Désamiantage en cours")
    expect(page.get_by_role("link", name="Publier un point d'avancement")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Modifier la phase"))).to_have_count(0)
    axe(page)
    assert Phase.objects.count() == 2
