"""The chargée de mission opens a consultation in analysis with three bids, scores each bid on the two
technical sub-criteria, reads the ranking (price 40 % computed, technical value 60 %) and awards the lot to
the best-ranked bid. axe-core runs on every page visited."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from operations.models import ConsultationStatus, CriterionKind
from operations.procurement.services.bids import award_of_lot
from pvd.accounts.models import User
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.operations.factories import OperationFactory
from tests.operations.procurement_factories import (
    BidFactory,
    CompanyFactory,
    ConsultationFactory,
    CriterionFactory,
    LotFactory,
)

pytestmark = pytest.mark.browser

# bidder, price HT, (methodology /10, materials /10): totals 91,47 · 80,79 · 77,20 on 100.
BIDS = [
    ("SARL Pierres et Pavés de Haute-Marne", "240000.00", ("9", "8.5")),
    ("Eurovia Champagne-Ardenne", "255000.00", ("7", "8")),
    ("Colas France", "232000.00", ("6", "6.5")),
]


def test_manager_scores_three_bids_and_awards_the_lot_to_the_best_ranked(
    page: Page,
    live_server: LiveServer,
    manager: User,
    territory: Territory,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    operation = OperationFactory(
        programme=territory.programme, code="W-01", owner=territory.wassy, communes=[territory.wassy]
    )
    consultation = ConsultationFactory(
        programme=territory.programme,
        buyer=territory.wassy,
        reference="W01-PAV",
        title="Place Notre-Dame — pavage et mobilier",
        operations=[operation],
        status=ConsultationStatus.ANALYSIS,
        launch_date=datetime.date(2026, 3, 2),
        published_on=datetime.date(2026, 3, 3),
        opened_on=datetime.date(2026, 4, 3),
    )
    lot = LotFactory(consultation=consultation, number=1, title="Pavage et mobilier urbain")
    CriterionFactory(
        consultation=consultation, kind=CriterionKind.PRICE, name="Prix", weight=Decimal("0.40"), position=0
    )
    technical = CriterionFactory(consultation=consultation, name="Valeur technique", position=1)
    CriterionFactory(
        consultation=consultation, parent=technical, name="Méthodologie", weight=Decimal("0.60"), position=2
    )
    CriterionFactory(
        consultation=consultation, parent=technical, name="Matériaux", weight=Decimal("0.40"), position=3
    )
    bids = {
        name: BidFactory(lot=lot, bidder=CompanyFactory(name=name), price_ht=Decimal(price))
        for name, price, _ in BIDS
    }

    log_in(page, live_server, manager.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/programmes/{territory.programme.pk}/")
    page.goto(f"{live_server.url}/operations/marches/{consultation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Place Notre-Dame")
    axe(page)

    for name, _price, (methodology, materials) in BIDS:
        page.get_by_role("link", name=f"Noter l'offre de {name}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Noter l'offre de {name}")
        page.get_by_label("Note sur 10 — Méthodologie (Valeur technique)").fill(methodology)
        page.get_by_label("Note sur 10 — Matériaux (Valeur technique)").fill(materials)
        axe(page)
        page.get_by_role("button", name="Enregistrer les notes").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Place Notre-Dame")

    # The ranking: the pavement company first although Colas is the cheapest.
    table = page.get_by_role("table", name=re.compile("Offres du lot 1"))
    best = table.get_by_role("row", name=re.compile("SARL Pierres et Pavés"))
    expect(best).to_contain_text("Mieux classée")
    expect(best).to_contain_text("91,47")
    expect(table.get_by_role("row", name=re.compile("Colas France"))).to_contain_text("77,20")
    axe(page)

    page.get_by_role("link", name="Attribuer le lot 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Attribuer le Lot 1 — Pavage et mobilier urbain"
    )
    axe(page)
    expect(page.get_by_role("radio", name=re.compile("SARL Pierres et Pavés.*rang 1"))).to_be_checked()
    page.get_by_label("Date de la décision d'attribution").fill("2026-04-20")
    page.get_by_role("button", name="Attribuer le lot").click()

    table = page.get_by_role("table", name=re.compile("Offres du lot 1"))
    expect(table.get_by_role("row", name=re.compile("SARL Pierres et Pavés"))).to_contain_text("Attributaire")
    axe(page)
    awarded, award = award_of_lot(lot)
    assert (awarded, award.decided_on) == (bids[BIDS[0][0]], datetime.date(2026, 4, 20))
