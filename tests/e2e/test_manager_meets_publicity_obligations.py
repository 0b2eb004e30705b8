"""The manager opens the financers' publicity page and sees the DETR site panel missing for the maison de santé
in works; she records the panel as a signage action linked to that operation and crediting the préfecture, marks
it done, and back on the publicity page the obligation is met; the action's history shows who recorded it.
axe-core runs on every page visited."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from budget.models import FinancingLineStatus, FundingCategory
from operations.models import CommunicationAction, OperationStatus
from operations.participation.models import CommunicationStatus
from pvd.accounts.models import User
from tests.budget.factories import FinancingLineFactory, FinancingPlanFactory, scheme
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.operations.factories import OperationFactory

pytestmark = pytest.mark.browser
DETR_PANEL = "Panneau de chantier mentionnant la participation de l'État (DETR)"


def test_manager_records_the_missing_detr_panel_and_the_obligation_is_met(
    page: Page,
    live_server: LiveServer,
    manager: User,
    territory: Territory,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    detr = scheme("detr")
    prefecture = detr.organisation
    operation = OperationFactory(
        programme=territory.programme,
        code="W-03",
        title="Maison de santé pluriprofessionnelle",
        owner=territory.wassy,
        communes=[territory.wassy],
        status=OperationStatus.WORKS,
    )
    FinancingLineFactory(
        plan=FinancingPlanFactory(operation=operation),
        category=FundingCategory.STATE_DOTATION,
        funder=prefecture,
        scheme=detr,
        label="DETR 2025",
        amount_ht=Decimal("30000.00"),
        status=FinancingLineStatus.GRANTED,
    )
    publicity_url = f"{live_server.url}/budget/programme/{territory.programme.pk}/publicite/"

    # The publicity page: the DETR panel of W-03 is missing.
    log_in(page, live_server, manager.email, PASSWORD)
    page.goto(publicity_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Obligations de publicité des financeurs")
    missing = page.get_by_role("region", name="Ce qui manque")
    expect(missing).to_contain_text("W-03 — Maison de santé pluriprofessionnelle")
    expect(missing).to_contain_text(DETR_PANEL)
    axe(page)

    # She records the site panel, linked to W-03 and crediting the préfecture.
    page.get_by_role("link", name="Nouvelle action de communication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle action de communication")
    axe(page)
    page.get_by_label("Canal").select_option(label="Panneau de chantier ou signalétique")
    page.get_by_label("Intitulé").fill("Panneau de chantier de la maison de santé")
    page.get_by_label("Date").fill((datetime.date.today() - datetime.timedelta(days=3)).isoformat())
    page.get_by_label("Opérations").select_option(label="W-03 — Maison de santé pluriprofessionnelle")
    page.get_by_label("Financeurs mentionnés (logo ou mention)").select_option(label=prefecture.name)
    page.get_by_label("Justificatif (description ou lien)").fill("Photo du panneau prise le jour de la pose")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Panneau de chantier de la maison de santé")
    expect(page.get_by_text("L'action de communication a été enregistrée.")).to_be_visible()
    axe(page)

    # She marks it done.
    status = page.get_by_role("region", name="Changer le statut")
    status.get_by_label("Nouveau statut").select_option(label="Réalisée")
    status.get_by_role("button", name="Changer le statut").click()
    expect(page.get_by_text("Le statut de l'action a été modifié.")).to_be_visible()
    expect(page.locator(".badge", has_text="Réalisée")).to_be_visible()
    axe(page)
    action = CommunicationAction.objects.get()
    assert action.status == CommunicationStatus.DONE
    assert list(action.operations.all()) == [operation]

    # Back on the publicity page, anchored on the action: nothing is missing any more.
    page.get_by_role("link", name="Vérifier les obligations des financeurs").click()
    expect(page).to_have_url(f"{publicity_url}#action-{action.pk}")
    expect(page.get_by_role("region", name="Ce qui manque")).to_contain_text("Aucune obligation manquante")
    every = page.get_by_role("region", name="Toutes les obligations, par opération")
    row = every.get_by_role("row", name=re.compile("W-03"))
    expect(row).to_contain_text("Respectée")
    expect(row).to_contain_text("Panneau de chantier de la maison de santé")
    expect(page.locator(f"#action-{action.pk}")).to_contain_text("Tous les financeurs sont mentionnés.")
    axe(page)

    # The action's history shows who recorded it.
    page.locator(f"#action-{action.pk}").get_by_role("link").click()
    page.get_by_text("Historique des modifications").click()
    history = page.get_by_role("region", name="Historique des modifications")
    expect(history).to_contain_text("par Camille Martin")
    transitions = page.get_by_role("region", name="Changements de statut")
    expect(transitions).to_contain_text("Camille Martin")
    axe(page)
