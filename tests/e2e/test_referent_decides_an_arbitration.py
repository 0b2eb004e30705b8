"""An arbitration from the difficulty to its effect (issue 8): the chargée de mission escalates the difficulty of
a late operation from its page, opens the draft note it became, adds two options (B shifts the schedule by 90 days,
re-estimates the cost and lowers a financing line), submits; the élu référent finds it in his inbox and decides
option B with a comment; the chargée de mission implements it; the operation's phases, cost and financing line
changed and its history says why (« Arbitrage ARB-… »). axe-core runs on every page of the journey.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from budget.models import FinancingLine
from operations.models import Operation, Phase, Risk, RiskKind
from pvd.accounts.models import User
from pvd.governance.models import Arbitration, ArbitrationStatus
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.e2e.test_referent_validates_the_project import log_out
from tests.governance.rows_h4 import late_operation

pytestmark = pytest.mark.browser


def test_the_referent_decides_an_escalated_difficulty_and_the_manager_implements_it(
    page: Page,
    live_server: LiveServer,
    territory: Territory,
    manager: User,
    referent: User,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    late = late_operation(territory)
    Risk.objects.create(
        operation=late.operation,
        kind=RiskKind.DIFFICULTY,
        description="Le lot charpente est infructueux : les travaux ne peuvent pas commencer.",
    )
    operation_url = live_server.url + reverse("operations:detail", args=[late.operation.pk])

    # The chargée de mission escalates the difficulty from the operation page.
    log_in(page, live_server, manager.email, PASSWORD)
    page.goto(operation_url)
    axe(page)
    page.get_by_role("link", name="Remonter pour arbitrage").first.click()
    axe(page)
    page.get_by_label("Question posée à l'instance de décision").fill(
        "Faut-il relancer le lot charpente et décaler les travaux ?"
    )
    page.get_by_role("button", name="Remonter pour arbitrage").click()
    expect(page.get_by_text("La difficulté a été remontée pour arbitrage.")).to_be_visible()

    # The draft note it became, in the programme's arbitrations.
    arbitration = Arbitration.objects.get(risk__operation=late.operation)
    assert arbitration.status == ArbitrationStatus.DRAFT
    note_url = live_server.url + reverse("governance:arbitration", args=[arbitration.pk])
    page.goto(live_server.url + reverse("governance:arbitrations", args=[territory.programme.pk]))
    axe(page)
    page.get_by_role("link", name=arbitration.reference).first.click()
    expect(page).to_have_url(note_url)
    axe(page)

    # Option A: keep the schedule, no change. Option B: shift by 90 days, new cost, Region line lowered.
    page.get_by_role("link", name="Ajouter une option").click()
    axe(page)
    page.get_by_label("Intitulé").fill("Attendre une nouvelle consultation sans rien changer")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Option A — Attendre une nouvelle consultation")).to_be_visible()

    page.get_by_role("link", name="Ajouter une option").click()
    page.get_by_label("Intitulé").fill("Relancer le lot et décaler de 90 jours")
    page.get_by_label("Opération modifiée").select_option(str(late.operation.pk))
    page.get_by_label("Nouveau coût estimé HT").fill("110000")
    page.get_by_label("Taux de TVA").fill("0.2")
    page.get_by_label("Décalage du calendrier (jours)").fill("90")
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_role("heading", name="Option B — Relancer le lot et décaler de 90 jours")
    ).to_be_visible()
    expect(page.get_by_text("caducité").first).to_be_visible()  # the DETR start deadline would be crossed
    axe(page)

    page.get_by_role("link", name="Financement de l'option B").click()
    axe(page)
    page.locator("#id_financement-0-action").select_option("change")
    page.locator("#id_financement-0-line").select_option(str(late.region.pk))
    page.locator("#id_financement-0-amount_ht").fill("20000")
    page.get_by_role("button", name="Enregistrer les changements").click()
    expect(page.get_by_text("Les changements de financement de l'option B sont enregistrés.")).to_be_visible()
    axe(page)

    # The recommendation, then the submission to the élu référent.
    page.get_by_role("link", name="Modifier", exact=True).click()
    page.get_by_label("Recommandation du chef de projet").fill("Retenir l'option B : la DETR reste tenable.")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("button", name="Soumettre pour décision").click()
    expect(page.get_by_text("En attente de la décision de l'élu(e) référent(e)")).to_be_visible()
    log_out(page)

    # The élu référent decides option B from his inbox.
    log_in(page, live_server, referent.email, PASSWORD)
    page.goto(live_server.url + reverse("governance:inbox"))
    axe(page)
    page.get_by_role("link", name=arbitration.reference).first.click()
    expect(page).to_have_url(note_url)
    axe(page)
    page.get_by_role("radio", name="Approuver une option").check()
    page.get_by_role("radio", name="Option B — Relancer le lot et décaler de 90 jours").check()
    page.get_by_label("Commentaire", exact=True).fill("D'accord pour relancer ; tenir la date de la DETR.")
    page.get_by_role("button", name="Enregistrer ma décision").click()
    expect(page.get_by_text("D'accord pour relancer ; tenir la date de la DETR.").first).to_be_visible()
    axe(page)
    log_out(page)

    # The chargée de mission implements it.
    log_in(page, live_server, manager.email, PASSWORD)
    page.goto(note_url)
    page.get_by_role("button", name="Mettre en œuvre l'option B").click()
    expect(page.get_by_text("a été mise en œuvre")).to_be_visible()
    expect(page.get_by_role("heading", name="Effets appliqués")).to_be_visible()
    axe(page)

    works = Phase.objects.get(pk=late.works.pk)
    assert works.forecast_end == datetime.date(2027, 12, 29)
    assert FinancingLine.objects.get(pk=late.region.pk).amount_ht == Decimal("20000.00")
    assert Operation.objects.get(pk=late.operation.pk).estimated_cost_ht == Decimal("110000.00")

    # The operation page's history says why.
    page.goto(operation_url)
    page.get_by_text("Historique des modifications").click()
    expect(page.get_by_text(f"Arbitrage {arbitration.reference}, option B").first).to_be_visible()
    axe(page)
