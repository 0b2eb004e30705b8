"""Every money and procurement page of the demo, as the chargée de mission and as the mayor of Wassy, passes
axe-core (no serious or critical violation) and shows its main heading: the pages the two journeys do not walk
through (budget with its SVG charts, PPI, pipeline, contract, invoices at risk, analysis report, DECP)."""

import re
from collections.abc import Callable

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from budget.models import SubsidyRequest
from operations.models import Consultation, Contract, Operation
from programmes.models import Programme
from pvd.demo import DEMO_PASSWORD
from tests.e2e.test_mayor_journey import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings) -> Programme:
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    return Programme.objects.get(communes__insee_code="52550")


def test_money_and_procurement_pages_pass_axe_for_the_manager_and_the_mayor(
    page: Page,
    live_server: LiveServer,
    demo: Programme,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    pk = demo.pk
    w01 = Operation.objects.get(programme=demo, code="W-01")
    request = SubsidyRequest.objects.filter(allocations__operation=w01).order_by("pk").first()
    consultation = Consultation.objects.get(programme=demo, reference="W01-PAV")
    contract = Contract.objects.get(number="M-2023-011")
    manager_pages = [
        (f"/budget/operations/{w01.pk}/", "Financement"),
        (f"/budget/programme/{pk}/subventions/", "Subventions"),
        (f"/budget/subventions/{request.pk}/", request.title),
        (f"/budget/programme/{pk}/budget/?annee=2026", "Budget du programme"),
        (f"/budget/programme/{pk}/ppi/", "Plan pluriannuel"),
        (f"/operations/programme/{pk}/marches/", "Marchés publics"),
        (f"/operations/marches/{consultation.pk}/", consultation.reference),
        (f"/operations/marches/{consultation.pk}/rapport-analyse/", "Rapport d'analyse"),
        (f"/operations/contrats/{contract.pk}/", contract.number),
        (f"/operations/programme/{pk}/factures-a-risque/", "Factures"),
        (f"/operations/programme/{pk}/decp/", "Données essentielles"),
    ]
    log_in(page, live_server, "cheffe-de-projet@pvd.example", DEMO_PASSWORD)
    for url, heading in manager_pages:
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            re.compile(re.escape(heading), re.IGNORECASE)
        )
        axe(page)

    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, live_server, "maire-wassy@pvd.example", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/communes/52550/")
    expect(page.get_by_role("region", name="Financement des opérations de la commune")).to_be_visible()
    axe(page)
    for url in [f"/budget/programme/{pk}/subventions/", f"/budget/programme/{pk}/budget/?annee=2026"]:
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        axe(page)
