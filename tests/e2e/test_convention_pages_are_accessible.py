"""Every convention page of the demo passes axe-core (no serious or critical violation) and shows its main heading:
for the chargée de mission (conventions, the convention-cadre, its signed version, the draft avenant, deliberations,
a deliberation, ORT perimeters), for the mayor of Wassy (the same pages she may read), and for an anonymous visitor
(the public verification page of the signed version)."""

from collections.abc import Callable

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from operations.conventions.models import ConventionKind
from operations.models import Convention
from programmes.models import Deliberation, Programme
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


def test_convention_pages_pass_axe_for_the_manager_the_mayor_and_the_public(
    page: Page,
    live_server: LiveServer,
    demo: Programme,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    pk = demo.pk
    framework = Convention.objects.get(programme=demo, kind=ConventionKind.FRAMEWORK)
    version = framework.versions.get(signed=True)
    amendment = framework.amendments.get()
    deliberation = Deliberation.objects.filter(programme=demo, organisation__insee_code="52550").first()
    assert deliberation is not None, "démo incomplète"
    shared = [
        f"/operations/programme/{pk}/conventions/",
        f"/operations/conventions/{framework.pk}/",
        f"/operations/conventions/versions/{version.pk}/",
        f"/programmes/{pk}/deliberations/",
        f"/programmes/deliberations/{deliberation.pk}/",
        f"/programmes/{pk}/perimetres-ort/",
    ]

    log_in(page, live_server, "cheffe-de-projet@pvd.example", DEMO_PASSWORD)
    for url in [*shared, f"/operations/conventions/{amendment.pk}/"]:
        _visit(page, live_server, url, axe)

    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, live_server, "maire-wassy@pvd.example", DEMO_PASSWORD)
    for url in shared:
        _visit(page, live_server, url, axe)
    response = page.goto(f"{live_server.url}/operations/conventions/{amendment.pk}/")
    assert response is not None and response.status == 404  # a draft avenant stays with the managers

    page.get_by_role("button", name="Se déconnecter").click()
    _visit(page, live_server, f"/verification/{version.token}/", axe)
