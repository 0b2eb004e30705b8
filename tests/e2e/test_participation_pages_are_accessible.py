"""Every participation page of the demo passes axe-core (no serious or critical violation) and shows its main
heading: the chargée de mission's pages (hub, plan, events, communication, publicity, lists, letters, network,
sheets, library, a document's status), the mayor of Wassy's (hub filtered on her commune, an event), and the
public pages of a published good-practice sheet, read without logging in."""

from collections.abc import Callable

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from operations.models import (
    CommunicationAction,
    ConcertationEvent,
    InformationLetter,
    MailingList,
    NetworkEvent,
    PracticeSheet,
)
from operations.participation.models import LetterStatus, SheetStatus
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


def _visit(page: Page, live_server: LiveServer, url: str, axe: Callable[[Page], None]) -> None:
    response = page.goto(f"{live_server.url}{url}")
    assert response is not None and response.status == 200, url
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe(page)


def test_participation_pages_pass_axe_for_the_manager_the_mayor_and_the_public(
    page: Page,
    live_server: LiveServer,
    demo: Programme,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    pk = demo.pk
    event = (
        ConcertationEvent.objects.filter(programme=demo, communes__insee_code="52550").order_by("pk").first()
    )
    action = CommunicationAction.objects.filter(programme=demo).order_by("pk").first()
    letter = InformationLetter.objects.filter(programme=demo, status=LetterStatus.SENT).order_by("pk").first()
    mailing_list = MailingList.objects.filter(programme=demo).order_by("pk").first()
    network_event = NetworkEvent.objects.filter(programme=demo).order_by("pk").first()
    sheet = PracticeSheet.objects.filter(programme=demo, status=SheetStatus.PUBLISHED).order_by("pk").first()
    assert None not in (event, action, letter, mailing_list, network_event, sheet), "démo incomplète"

    log_in(page, live_server, "cheffe-de-projet@pvd.example", DEMO_PASSWORD)
    for url in [
        f"/operations/programme/{pk}/participation/",
        f"/operations/programme/{pk}/participation/plan-de-concertation/",
        f"/operations/programme/{pk}/participation/concertation/",
        f"/operations/participation/concertation/{event.pk}/",
        f"/operations/programme/{pk}/participation/communication/",
        f"/operations/programme/{pk}/participation/communication/{action.pk}/",
        f"/budget/programme/{pk}/publicite/",
        f"/operations/programme/{pk}/participation/listes/",
        f"/operations/participation/listes/{mailing_list.pk}/",
        f"/operations/programme/{pk}/participation/lettres/",
        f"/operations/participation/lettres/{letter.pk}/",
        f"/operations/programme/{pk}/participation/reseau/",
        f"/operations/participation/reseau/{network_event.pk}/",
        f"/operations/programme/{pk}/participation/fiches/",
        f"/operations/participation/fiches/{sheet.pk}/",
        "/operations/participation/bibliotheque/",
    ]:
        _visit(page, live_server, url, axe)
    # Producing the sheet's PDF: the status page, then the download link once the (eager) task has run.
    page.goto(f"{live_server.url}/operations/participation/fiches/{sheet.pk}/")
    page.get_by_role("button", name="Produire le PDF").click()
    expect(page.get_by_role("link", name="Télécharger")).to_be_visible()
    axe(page)

    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, live_server, "maire-wassy@pvd.example", DEMO_PASSWORD)
    for url in [
        f"/operations/programme/{pk}/participation/?commune=52550",
        f"/operations/participation/concertation/{event.pk}/",
    ]:
        _visit(page, live_server, url, axe)

    page.get_by_role("button", name="Se déconnecter").click()
    for url in ["/retours-experience/", f"/retours-experience/{sheet.slug}/"]:
        _visit(page, live_server, url, axe)
