"""The mayor of Wassy reads her commune's page — operations by status, money, what the commune still has to
finance — asks for the one-page summary, waits for it on the document's page and downloads it. axe-core runs on
the commune page and the document page (issue 10)."""

import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, Response, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from operations.models import OperationStatus as S
from pvd.accounts.models import User
from tests.budget.subsidy_rows import awarded_request
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.operations.factories import OperationFactory

pytestmark = pytest.mark.browser


def test_mayor_of_wassy_reads_her_commune_page_and_downloads_its_one_page_summary(
    page: Page,
    live_server: LiveServer,
    territory: Territory,
    manager: User,
    mayor_of_wassy: User,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    t = territory
    halle = OperationFactory(
        programme=t.programme,
        code="W-01",
        title="Réhabilitation de la halle",
        owner=t.wassy,
        communes=[t.wassy],
        status=S.WORKS,
        estimated_cost_ht=Decimal("500000.00"),
        estimated_cost_ttc=Decimal("600000.00"),
    )
    OperationFactory(
        programme=t.programme,
        code="W-02",
        title="Jardin du presbytère",
        owner=t.wassy,
        communes=[t.wassy],
        status=S.DELIVERED,
        estimated_cost_ht=Decimal("100000.00"),
        estimated_cost_ttc=Decimal("120000.00"),
    )
    OperationFactory(
        programme=t.programme,
        code="W-03",
        title="Maison de santé",
        owner=t.wassy,
        communes=[t.wassy],
        status=S.IDEA,
        estimated_cost_ht=Decimal("25000.00"),
        estimated_cost_ttc=Decimal("30000.00"),
    )
    awarded_request(t, manager, operation=halle, awarded=Decimal("100000.00"))

    log_in(page, live_server, mayor_of_wassy.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/communes/52550/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wassy")

    # Operations by status group, each with its progress.
    operations = page.get_by_role("region", name="Opérations de la commune", exact=True)
    expect(operations).to_contain_text("Réhabilitation de la halle")
    expect(operations).to_contain_text("Jardin du presbytère")
    expect(operations).to_contain_text("Maison de santé")
    expect(page.get_by_role("heading", name="Ce qui a changé depuis votre dernière visite")).to_be_visible()
    # What the commune still has to finance: 600 000 + 120 000 + 30 000 € TTC minus the 100 000 € awarded.
    to_finance = page.get_by_role("region", name="Reste à financer par la commune", exact=True)
    expect(to_finance).to_contain_text("650\u00a0000,00\u00a0€")
    axe(page)

    page.get_by_role("button", name="Synthèse imprimable (PDF)").click()
    expect(page.get_by_text("État : Prêt")).to_be_visible()
    axe(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le PDF").click()
    with open(download_info.value.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Wassy" in text and "Réhabilitation de la halle" in text
