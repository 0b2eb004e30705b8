"""Operations ↔ indicators (issue 10, H2): the edit form offers the programme's indicators only, the operation's
page lists its indicators with their latest value."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from operations.services import operation as services
from programmes.indicators.models import Indicator, Measurement
from tests.conftest import Territory
from tests.operations.factories import OperationFactory
from tests.programmes.factories import theme


def _indicator(programme, name: str, **fields: object) -> Indicator:
    return Indicator.objects.create(programme=programme, name=name, unit=fields.pop("unit", "%"), **fields)


@pytest.fixture
def indicators(territory: Territory) -> dict[str, Indicator]:
    return {
        "vacancy": _indicator(territory.programme, "Vacance commerciale", commune=territory.wassy),
        "delivered": _indicator(territory.programme, "Actions livrées", unit="actions"),
        "archived": _indicator(territory.programme, "Ancien indicateur", archived=True),
        "foreign": _indicator(territory.other_programme, "Vacance commerciale de Joinville"),
    }


def form_data(territory: Territory, **overrides: object) -> dict[str, object]:
    data = {
        "code": "W-10",
        "title": "Maison de santé",
        "communes": [territory.wassy.pk],
        "owner": territory.wassy.pk,
        "themes": [theme("habitat").pk],
        "priority": 1,
        "maturity": 2,
        "version": 1,
    }
    data.update(overrides)
    return data


def test_the_form_offers_the_programme_indicators_not_archived(
    client_for, territory: Territory, indicators
) -> None:
    op = OperationFactory(programme=territory.programme, communes=[territory.wassy])
    form = client_for("manager").get(reverse("operations:edit", args=[op.pk])).context["form"]
    assert list(form.fields["indicators"].queryset) == [indicators["delivered"], indicators["vacancy"]]


def test_an_operation_is_linked_to_its_indicators(client_for, territory: Territory, indicators) -> None:
    op = OperationFactory(programme=territory.programme, code="W-10", communes=[territory.wassy])
    data = form_data(territory, indicators=[indicators["vacancy"].pk, indicators["delivered"].pk])
    response = client_for("manager").post(reverse("operations:edit", args=[op.pk]), data)
    assert response.status_code == 302
    assert set(op.indicators.all()) == {indicators["vacancy"], indicators["delivered"]}
    # Saving again without them unlinks them.
    response = client_for("manager").post(
        reverse("operations:edit", args=[op.pk]), form_data(territory, version=2)
    )
    assert response.status_code == 302
    assert not op.indicators.exists()


def test_another_programme_indicator_is_refused_in_french(
    client_for, territory: Territory, indicators
) -> None:
    op = OperationFactory(programme=territory.programme, code="W-10", communes=[territory.wassy])
    data = form_data(territory, indicators=[indicators["foreign"].pk])
    response = client_for("manager").post(reverse("operations:edit", args=[op.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["indicators"] == [
        "Cet indicateur n'est pas suivi par le programme de l'opération : choisissez parmi ceux de la liste."
    ]
    op.refresh_from_db()
    assert op.version == 1 and not op.indicators.exists()


def test_the_service_refuses_another_programme_indicator(manager, territory: Territory, indicators) -> None:
    with pytest.raises(ValidationError) as error:
        services.operation_create(
            programme=territory.programme,
            by=manager,
            code="X-01",
            title="Mauvais indicateur",
            owner=territory.wassy,
            communes=[territory.wassy],
            indicators=[indicators["foreign"]],
        )
    assert error.value.message_dict == {
        "indicators": ["Indicateurs d'un autre programme : Vacance commerciale de Joinville."]
    }


def test_the_page_lists_the_indicators_with_their_latest_value(
    client_for, territory: Territory, indicators
) -> None:
    op = OperationFactory(programme=territory.programme, communes=[territory.wassy])
    op.indicators.set([indicators["vacancy"], indicators["delivered"]])
    for on, value in ((datetime.date(2025, 6, 1), "11.40"), (datetime.date(2026, 6, 1), "10.60")):
        Measurement.objects.create(indicator=indicators["vacancy"], measured_on=on, value=Decimal(value))
    response = client_for("mayor_of_wassy").get(reverse("operations:detail", args=[op.pk]))
    rows = {i.name: (i.latest_value, i.latest_on) for i in response.context["indicators"]}
    assert rows == {
        "Vacance commerciale": (Decimal("10.60"), datetime.date(2026, 6, 1)),
        "Actions livrées": (None, None),
    }
    html = response.content.decode()
    assert reverse("programmes:indicator", args=[indicators["vacancy"].pk]) in html
    assert "10,60 %" in html and "01/06/2026" in html and "Pas encore mesuré" in html
