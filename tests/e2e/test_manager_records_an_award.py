"""The chargée de mission records the DETR award of a Wassy operation and a first instalment received; the
plan's line turns "Accordé"; the mayor of Wassy then reads received vs expected on her commune page.
axe-core runs on every page visited."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from budget.models import FinancingLineStatus, FundingCategory, SubsidyPayment, SubsidyStatus
from operations.models import OperationStatus
from pvd.accounts.models import User
from tests.budget.factories import (
    FinancingLineFactory,
    FinancingPlanFactory,
    SubsidyAllocationFactory,
    SubsidyRequestFactory,
    scheme,
)
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.operations.factories import OperationFactory

pytestmark = pytest.mark.browser


def test_manager_records_an_award_and_an_instalment_and_the_mayor_sees_them(
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
        code="W-07",
        title="Rénovation énergétique de l'école",
        owner=territory.wassy,
        communes=[territory.wassy],
        status=OperationStatus.WORKS,
    )
    plan = FinancingPlanFactory(
        operation=operation, eligible_cost_ht=Decimal("500000.00"), eligible_cost_ttc=Decimal("600000.00")
    )
    detr = scheme("detr")
    line = FinancingLineFactory(
        plan=plan,
        category=FundingCategory.STATE_DOTATION,
        funder=detr.organisation,
        scheme=detr,
        base_ht=Decimal("500000.00"),
        amount_ht=Decimal("150000.00"),
        status=FinancingLineStatus.REQUESTED,
    )
    FinancingLineFactory(
        plan=plan, amount_ht=Decimal("350000.00"), amount_ttc=Decimal("450000.00"), funder=territory.wassy
    )
    request = SubsidyRequestFactory(
        programme=territory.programme,
        beneficiary=territory.wassy,
        funder=detr.organisation,
        scheme=detr,
        title="DETR 2026 — rénovation énergétique de l'école",
        status=SubsidyStatus.COMPLETE,
        deliberation_on=datetime.date(2026, 1, 15),
        filed_on=datetime.date(2026, 1, 30),
        acknowledged_on=datetime.date(2026, 2, 3),
        complete_on=datetime.date(2026, 3, 10),
        requested_base_ht=Decimal("500000.00"),
        requested_amount=Decimal("150000.00"),
    )
    SubsidyAllocationFactory(
        request=request, operation=operation, financing_line=line, amount=Decimal("150000.00")
    )

    log_in(page, live_server, manager.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/programmes/{territory.programme.pk}/")
    page.goto(f"{live_server.url}/budget/operations/{operation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rénovation énergétique de l'école")
    axe(page)
    page.get_by_role("link", name=re.compile("DETR 2026")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("DETR 2026 — rénovation énergétique de l'école")
    axe(page)

    # The préfet's arrêté: 140 000 € on a retained base of 480 000 € HT.
    status = page.get_by_role("region", name="Faire avancer la demande")
    status.get_by_label("Nouveau statut").select_option(label="Attribuée")
    status.get_by_label("Date de l'événement").fill("2026-06-12")
    status.get_by_label("Référence (délibération, dossier, décision)").fill("Arrêté 2026-DETR-052")
    status.get_by_label("Montant attribué (€)").fill("140000")
    status.get_by_label("Assiette retenue (€ HT)").fill("480000")
    status.get_by_role("button", name="Enregistrer le statut").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("region", name="Montants")).to_contain_text("140\u00a0000,00\u00a0€")
    axe(page)

    # An instalment beyond the 80 % cap is refused; 40 000 € received with its revenue order passes.
    page.get_by_role("link", name="Enregistrer un versement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Enregistrer un versement")
    axe(page)
    page.get_by_label("Nature").select_option(label="Acompte")
    page.get_by_label("Montant").fill("120000")
    page.get_by_label("Demandé le").fill("2026-10-05")
    page.get_by_role("button", name="Enregistrer").click()
    # 80 % of 140 000 € = 112 000 €: the refusal says so, and what remains possible.
    expect(page.get_by_text(re.compile("au-delà du plafond de 112 000,00 €"))).to_be_visible()
    assert not SubsidyPayment.objects.exists()
    axe(page)
    page.get_by_label("Montant").fill("40000")
    page.get_by_label("Demandé le").fill("2026-10-05")
    page.get_by_label("Encaissé le").fill("2026-11-02")
    page.get_by_label("Titre de recette").fill("T-2026-0318")
    page.get_by_role("button", name="Enregistrer").click()
    versements = page.get_by_role("region", name="Versements", exact=True)
    expect(versements).to_contain_text("40\u00a0000,00\u00a0€")
    expect(versements).to_contain_text("T-2026-0318")
    axe(page)

    line.refresh_from_db()
    request.refresh_from_db()
    assert (request.status, request.awarded_amount, line.status) == (
        SubsidyStatus.AWARDED,
        Decimal("140000.00"),
        FinancingLineStatus.GRANTED,
    )

    page.get_by_role("button", name="Se déconnecter").click()

    # The mayor of Wassy reads what was awarded, received and remains to receive for her commune.
    log_in(page, live_server, mayor_of_wassy.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/communes/52550/")
    money = page.get_by_role("region", name="Financement des opérations de la commune")
    table = money.get_by_role(
        "table", name="Subventions par opération : attribué, encaissé et reste à percevoir"
    )
    row = table.get_by_role("row", name=re.compile("W-07"))
    expect(row).to_contain_text("140\u00a0000,00\u00a0€")
    expect(row).to_contain_text("40\u00a0000,00\u00a0€")
    expect(row).to_contain_text("100\u00a0000,00\u00a0€")
    axe(page)
