"""The chargée de mission issues a version of the draft convention-cadre: from the programme's conventions, the
convention's page, the issue form, the version's page, then the document's page once « Prêt », and downloads the
PDF. axe-core runs on every page visited."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from operations.models import ConventionVersion
from pvd.accounts.models import User
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.operations.convention_rows import convention_rows

pytestmark = pytest.mark.browser


def test_manager_issues_a_version_of_the_draft_convention_cadre_and_downloads_its_pdf(
    page: Page,
    live_server: LiveServer,
    manager: User,
    territory: Territory,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    draft = convention_rows(territory).draft
    log_in(page, live_server, manager.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/programmes/{territory.programme.pk}/")

    page.get_by_role("main").get_by_role("link", name="Conventions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conventions")
    axe(page)

    page.get_by_role("link", name=draft.title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(draft.title)
    axe(page)

    page.get_by_role("link", name="Émettre une version").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Émettre une version")
    axe(page)
    page.get_by_role("button", name="Émettre la version").click()

    version = ConventionVersion.objects.get(convention=draft)
    expect(page).to_have_url(f"{live_server.url}/operations/conventions/versions/{version.pk}/")
    expect(page.get_by_role("status").first).to_contain_text("La version est émise")
    axe(page)

    page.get_by_role("link", name="Détails du document").click()
    expect(page.get_by_text("État : Prêt")).to_be_visible()
    axe(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le PDF").click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
