"""The revitalisation project's validation: the chargée de mission submits her draft, the élu référent
logs in, opens the validation page, validates with a comment and the deliberation reference, and reads
the version frozen. axe-core runs on every page of the journey (STYLE.md §4, tests/e2e).
"""

from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from programmes.models import ProjectStatus, RevitalisationProject
from pvd.accounts.models import User
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.programmes.project_rows import write_version

pytestmark = pytest.mark.browser


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def test_manager_submits_and_the_referent_validates_the_project(
    page: Page,
    live_server: LiveServer,
    territory: Territory,
    manager: User,
    referent: User,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    write_version(
        territory.programme, axes=2, objectives=2, vision="Deux bourgs vivants autour du lac du Der."
    )
    project_url = f"{live_server.url}/programmes/{territory.programme.pk}/projet/"

    # The chargée de mission reads her draft on the strategy overview, then submits it from the project page.
    log_in(page, live_server, manager.email, PASSWORD)
    page.goto(f"{live_server.url}/programmes/{territory.programme.pk}/strategie/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stratégie du programme")
    axe(page)
    page.get_by_role("link", name="Ouvrir le projet").click()
    expect(page).to_have_url(project_url)
    expect(page.get_by_text("Version 1 — brouillon.")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Soumettre à l'élu référent").click()
    expect(page.get_by_text("La version 1 est soumise à l'élu référent.")).to_be_visible()
    expect(page.get_by_role("link", name="Ajouter un axe")).to_have_count(0)  # submitted: no more editing
    axe(page)
    log_out(page)

    # The élu référent is invited to decide from the project page.
    log_in(page, live_server, referent.email, PASSWORD)
    page.goto(project_url)
    page.get_by_role("link", name="Examiner et valider la version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Validation du projet de revitalisation")
    expect(page.get_by_role("heading", name="Axe 1 — Axe écrit n° 1")).to_be_visible()
    expect(page.get_by_label("Date de la décision")).to_have_value(timezone.localdate().isoformat())
    axe(page)

    page.get_by_label("Valider cette version du projet").check()
    page.get_by_label("Référence de la délibération").fill(
        "Délibération du conseil communautaire n° 2026-112"
    )
    page.get_by_label("Commentaire").fill("Validé en comité de projet, à l'unanimité.")
    page.get_by_role("button", name="Enregistrer la décision").click()

    # The version page now shows the frozen content and who validated it, when, under which deliberation.
    expect(page).to_have_url(f"{project_url}versions/1/")
    expect(
        page.get_by_text("La version 1 du projet est validée : son contenu est désormais figé.")
    ).to_be_visible()
    status = page.locator(".pvd-status")
    expect(status).to_contain_text("Version 1 — validée")
    expect(status).to_contain_text(f"par {referent.full_name}")
    expect(status).to_contain_text("Délibération du conseil communautaire n° 2026-112")
    expect(status).to_contain_text("Validé en comité de projet, à l'unanimité.")
    expect(page.get_by_text("Contenu affiché tel qu'il a été validé")).to_be_visible()
    axe(page)

    project = RevitalisationProject.objects.get(programme=territory.programme)
    assert (project.status, project.validated_by, project.validated_on) == (
        ProjectStatus.VALIDATED,
        referent,
        timezone.localdate(),
    )
    assert [axis["title"] for axis in project.snapshot["axes"]] == ["Axe écrit n° 1", "Axe écrit n° 2"]

    # The printable summary of the frozen version.
    page.get_by_role("link", name="Version imprimable").click()
    expect(page.locator(".pvd-print-axis")).to_have_count(2)
    axe(page)
