"""The referent reads the programme dashboard: from the programme page to the dashboard, reads how many operations
are delivered, then opens the list behind the figure. axe-core runs on every page of the journey."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from operations.models import OperationStatus
from pvd.accounts.models import User
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.operations.factories import OperationFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def action_plan(territory: Territory) -> None:
    """Four operations: two delivered, one in works, one abandoned (it still counts in the plan)."""
    for code, status in (
        ("W-01", OperationStatus.DELIVERED),
        ("W-02", OperationStatus.DELIVERED),
        ("W-03", OperationStatus.WORKS),
        ("L-01", OperationStatus.ABANDONED),
    ):
        OperationFactory(
            programme=territory.programme,
            code=code,
            title=f"Opération {code}",
            status=status,
            owner=territory.wassy,
            communes=[territory.wassy],
        )


def test_referent_opens_the_dashboard_reads_the_delivered_figure_and_its_list(
    page: Page,
    live_server: LiveServer,
    referent: User,
    territory: Territory,
    action_plan: None,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    log_in(page, live_server, referent.email, PASSWORD)

    # One programme: the home page sends him to its overview, which links to the dashboard.
    expect(page).to_have_url(f"{live_server.url}/programmes/{territory.programme.pk}/")
    page.get_by_role("link", name="Tableau de bord", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/programmes/{territory.programme.pk}/tableau-de-bord/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord du programme")
    headline = page.get_by_test_id("delivered")
    expect(headline).to_contain_text("2 livrées sur 4 opérations du plan d'actions, soit 50")
    axe(page)

    # The delivered operations, with the list's own filter.
    page.get_by_role("link", name="2 livrée", exact=True).click()
    expect(page).to_have_url(
        f"{live_server.url}/operations/programme/{territory.programme.pk}/?statut=delivered"
    )
    expect(page.get_by_role("link", name="W-01", exact=False).first).to_be_visible()
    expect(page.get_by_text("Opération W-03")).to_have_count(0)
    axe(page)
