"""The chargée de mission reads the action plan, filters the late operations and opens the Gantt;
axe-core runs on both pages."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from operations.models import OperationStatus
from pvd.accounts.models import User
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.operations.factories import OperationFactory, PhaseFactory

pytestmark = pytest.mark.browser


def test_manager_filters_late_operations_and_reads_the_gantt(
    page: Page,
    live_server: LiveServer,
    manager: User,
    territory: Territory,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    late = OperationFactory(
        programme=territory.programme,
        code="W-01",
        title="Requalification de la place",
        owner=territory.wassy,
        communes=[territory.wassy],
        status=OperationStatus.WORKS,
    )
    PhaseFactory(
        operation=late,
        name="Travaux",
        progress=Decimal("0.4"),
        baseline_start=datetime.date(2026, 3, 1),
        baseline_end=datetime.date(2026, 9, 30),
        forecast_start=datetime.date(2026, 3, 1),
        forecast_end=datetime.date(2027, 3, 31),
        slip_reason="Appel d'offres infructueux",
    )
    OperationFactory(
        programme=territory.programme,
        code="LPD-02",
        title="Maison de santé",
        owner=territory.la_porte_du_der,
        communes=[territory.la_porte_du_der],
        status=OperationStatus.IDEA,
    )
    log_in(page, live_server, manager.email, PASSWORD)
    page.goto(f"{live_server.url}/operations/programme/{territory.programme.pk}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="W-01", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="LPD-02", exact=True)).to_be_visible()
    axe(page)

    page.goto(f"{live_server.url}/operations/programme/{territory.programme.pk}/?en_retard=oui")
    expect(page.get_by_role("link", name="W-01", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="LPD-02", exact=True)).to_have_count(0)

    page.goto(f"{live_server.url}/operations/programme/{territory.programme.pk}/gantt/")
    expect(page.locator("svg[role='img']")).to_be_visible()
    axe(page)
