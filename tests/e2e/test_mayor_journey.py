"""The mayor of Wassy's first visit: log in, read her commune's page, find La Porte du Der closed to her.

axe-core runs on every page of the journey (STYLE.md §4, tests/e2e).
"""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from pvd.accounts.models import User

pytestmark = pytest.mark.browser

PASSWORD = "mot-de-passe-de-test"  # tests/factories.py UserFactory


def log_in(page: Page, live_server: LiveServer, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/comptes/connexion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_mayor_of_wassy_logs_in_and_reads_her_commune_page(
    page: Page,
    live_server: LiveServer,
    mayor_of_wassy: User,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    page.goto(f"{live_server.url}/comptes/connexion/")
    axe(page)

    log_in(page, live_server, mayor_of_wassy.email, PASSWORD)

    # One commune and nothing else: the home page sends her straight to it.
    expect(page).to_have_url(f"{live_server.url}/communes/52550/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wassy")
    population = page.locator("dt", has_text="Population municipale").locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(population).to_be_visible()
    # Exact text, not Playwright's whitespace-normalising matchers: the `integer` filter groups thousands
    # with a non-breaking space, so the figure never wraps.
    assert population.text_content() == "2\u00a0771 habitants"
    axe(page)

    # La Porte du Der is in the same programme but not hers: it does not exist for her.
    response = page.goto(f"{live_server.url}/communes/52331/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page).to_have_title(re.compile(r"^Page introuvable"))
    axe(page)


def test_wrong_password_shows_a_french_error_on_the_login_page(
    page: Page,
    live_server: LiveServer,
    mayor_of_wassy: User,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    log_in(page, live_server, mayor_of_wassy.email, "pas-le-bon-mot-de-passe")

    expect(page).to_have_url(f"{live_server.url}/comptes/connexion/")
    expect(page.get_by_text("Adresse e-mail ou mot de passe incorrect.")).to_be_visible()
    axe(page)
