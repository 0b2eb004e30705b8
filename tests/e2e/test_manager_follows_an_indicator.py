"""The chargée de mission opens the indicators of the programme, opens Wassy's commercial vacancy rate (as in the
demo: a baseline in 2021, a measurement a year, targets), adds this year's measurement with a French decimal and
finds it in the table under the chart. axe-core runs on the list and on the indicator's page."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from programmes.indicators.models import Measurement
from pvd.accounts.models import User
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.programmes.indicator_factories import IndicatorFactory, MeasurementFactory, TargetFactory

pytestmark = pytest.mark.browser


def test_manager_adds_a_measurement_to_the_commercial_vacancy_rate(
    page: Page,
    live_server: LiveServer,
    manager: User,
    territory: Territory,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    year = timezone.localdate().year
    vacancy = IndicatorFactory(
        programme=territory.programme,
        commune=territory.wassy,
        name="Taux de vacance commerciale",
        unit="%",
        direction="down",
        baseline_on=datetime.date(2021, 6, 1),
        baseline_value=Decimal("14.5"),
        baseline_source="Relevé de terrain 2021",
    )
    for offset, value in ((3, "13.2"), (2, "12.1"), (1, "11.4")):
        MeasurementFactory(
            indicator=vacancy, measured_on=datetime.date(year - offset, 6, 1), value=Decimal(value)
        )
    for target_year, value in ((year, "11"), (year + 1, "10")):
        TargetFactory(indicator=vacancy, year=target_year, value=Decimal(value))

    log_in(page, live_server, manager.email, PASSWORD)
    page.goto(f"{live_server.url}/programmes/{territory.programme.pk}/indicateurs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs de suivi")
    wassy = page.get_by_role("region", name="Wassy")
    expect(wassy.get_by_role("row", name="Taux de vacance commerciale")).to_contain_text("En progrès")
    axe(page)

    wassy.get_by_role("link", name="Taux de vacance commerciale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Taux de vacance commerciale")
    expect(page.get_by_role("img", name="Évolution : Taux de vacance commerciale")).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Ajouter une mesure").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nouvelle mesure")
    page.get_by_label("Date de la mesure").fill(f"{year}-06-01")
    page.get_by_label("Valeur (%)").fill("10,6")
    page.get_by_label("Source").fill("Relevé de terrain")
    page.get_by_role("button", name="Enregistrer la mesure").click()

    expect(page.get_by_text("La mesure a été enregistrée.")).to_be_visible()
    row = page.get_by_role("table", name="Mesures de l'indicateur").get_by_role("row", name=f"01/06/{year}")
    expect(row).to_contain_text("10,6")
    expect(row).to_contain_text("Saisie")
    axe(page)
    assert Measurement.objects.get(indicator=vacancy, measured_on=datetime.date(year, 6, 1)).value == Decimal(
        "10.60"
    )
