"""The alerts list, an alert's page and acknowledging it (issue 8): scoped rows (mayors and partners see an empty
list), active by default, filters, the most serious first, a constant query count; the page's timeline and
notifications; acknowledging stops the escalation and records who and when."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pvd.governance.alerts import engine
from pvd.governance.models import Alert, AlertLevel, AlertStatus, NotificationKind
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.governance.factories import AlertFactory, NotificationFactory

LIST = reverse("governance:alerts")


def titles(response: object) -> list[str]:
    return [a.title for a in response.context["alerts"]]


def test_a_manager_sees_the_active_alerts_of_the_programme_most_serious_first(
    territory: Territory, client_for: object
) -> None:
    AlertFactory(programme=territory.programme, title="Attention tardive", due_on=datetime.date(2027, 3, 1))
    AlertFactory(programme=territory.programme, title="Attention proche", due_on=datetime.date(2027, 1, 1))
    AlertFactory(programme=territory.programme, title="Critique", level=AlertLevel.CRITICAL, due_on=None)
    AlertFactory(
        programme=territory.programme,
        title="Résolue",
        status=AlertStatus.RESOLVED,
        resolved_at=timezone.now(),
    )
    AlertFactory(programme=territory.other_programme, title="Autre EPCI")
    response = client_for("manager").get(LIST)
    assert response.status_code == 200
    assert titles(response) == ["Critique", "Attention proche", "Attention tardive"]
    assert "Alertes en cours (3)" in response.content.decode()


@pytest.mark.parametrize("persona", ["mayor_of_wassy", "partner", "operator"])
def test_mayors_partners_and_operators_see_an_empty_list(
    persona: str, territory: Territory, client_for: object
) -> None:
    AlertFactory(programme=territory.programme, commune=territory.wassy)
    response = client_for(persona).get(LIST)
    assert response.status_code == 200
    assert titles(response) == []
    assert "aucune ne vous est adressée" in response.content.decode()


def test_the_filters_narrow_the_list(territory: Territory, client_for: object) -> None:
    AlertFactory(
        programme=territory.programme,
        title="Wassy critique",
        commune=territory.wassy,
        level=3,
        due_on=datetime.date(2027, 6, 1),
    )
    AlertFactory(
        programme=territory.programme,
        title="Subvention",
        kind="budget.subsidy_start",
        key="budget.subsidy_start:1",
        due_on=datetime.date(2027, 1, 10),
    )
    AlertFactory(
        programme=territory.programme,
        title="Résolue",
        status=AlertStatus.RESOLVED,
        resolved_at=timezone.now(),
    )
    client = client_for("referent")
    assert titles(client.get(LIST, {"commune": territory.wassy.pk})) == ["Wassy critique"]
    assert titles(client.get(LIST, {"niveau": 3})) == ["Wassy critique"]
    assert titles(client.get(LIST, {"regle": "budget.subsidy_start"})) == ["Subvention"]
    assert titles(client.get(LIST, {"echeance_avant": "2027-01-31"})) == ["Subvention"]
    assert titles(client.get(LIST, {"statut": "resolved"})) == ["Résolue"]
    assert len(titles(client.get(LIST, {"statut": "all"}))) == 3
    assert titles(client.get(LIST, {"programme": territory.programme.pk, "niveau": 3})) == ["Wassy critique"]


def test_an_invalid_filter_is_reported_in_french_and_not_applied(
    territory: Territory, client_for: object
) -> None:
    AlertFactory(programme=territory.programme, title="Une alerte")
    response = client_for("manager").get(LIST, {"echeance_avant": "pas une date", "niveau": "9"})
    assert response.status_code == 200
    assert titles(response) == ["Une alerte"]
    assert "Certains filtres ne sont pas valides" in response.content.decode()


def _list_queries(client: object) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_the_same_queries_with_ten_times_the_alerts(
    territory: Territory, client_for: object
) -> None:
    client = client_for("manager")
    AlertFactory(programme=territory.programme, commune=territory.wassy)
    one = _list_queries(client)
    for i in range(9):
        AlertFactory(
            programme=territory.programme, commune=territory.la_porte_du_der if i % 2 else territory.wassy
        )
    assert _list_queries(client) == one


def test_the_alert_page_shows_what_why_when_the_owner_the_decision_level_and_the_notifications(
    territory: Territory, client_for: object, manager: object
) -> None:
    alert = AlertFactory(
        programme=territory.programme,
        title="Opération en retard — W-01 Place de la mairie",
        detail="Phase « Travaux » en retard sur sa fin prévue de référence.",
        url="/operations/1/",
        owner=manager,
        decision_level="cotech",
        due_on=datetime.date(2026, 12, 14),
        status=AlertStatus.ESCALATED,
        escalated_to="cotech",
        escalated_at=timezone.now(),
    )
    NotificationFactory(user=manager, alert=alert, kind=NotificationKind.ALERT)
    response = client_for("manager").get(reverse("governance:alert", args=[alert.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Phase « Travaux » en retard",
        "14/12/2026",
        "Camille Martin",
        "Comité technique (COTECH)",
        "Levée",
        "Remontée",
        "Nouvelle alerte",
        'href="/operations/1/"',
        "Préparer un arbitrage",
        "Prendre en compte",
    ]:
        assert text in html, text


def test_the_referent_acknowledges_but_does_not_prepare_an_arbitration(
    territory: Territory, client_for: object
) -> None:
    alert = AlertFactory(programme=territory.programme)
    html = client_for("referent").get(reverse("governance:alert", args=[alert.pk])).content.decode()
    assert "Prendre en compte" in html
    assert "Préparer un arbitrage" not in html


def test_acknowledging_records_who_and_when_and_stops_the_escalation(
    territory: Territory, client_for: object, referent: object, manager: object
) -> None:
    alert = AlertFactory(
        programme=territory.programme, level=AlertLevel.CRITICAL, due_on=datetime.date(2026, 1, 1)
    )
    response = client_for("referent").post(
        reverse("governance:alert_acknowledge", args=[alert.pk]), {"commentaire": "Vu avec le maire"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == referent
    assert alert.acknowledged_at is not None
    change = StatusChange.objects.get(object_id=alert.pk, target=AlertStatus.ACKNOWLEDGED)
    assert (change.by, change.comment) == (referent, "Vu avec le maire")
    # Past the escalation delay, an acknowledged alert does not go up (the engine test runs the full refresh).
    day = timezone.localdate() + datetime.timedelta(days=30)
    assert not engine._should_escalate(alert, day, engine.escalation_days())


def test_acknowledging_twice_is_refused_with_a_french_message(
    territory: Territory, client_for: object
) -> None:
    alert = AlertFactory(programme=territory.programme)
    client = client_for("manager")
    client.post(reverse("governance:alert_acknowledge", args=[alert.pk]))
    response = client.post(reverse("governance:alert_acknowledge", args=[alert.pk]), follow=True)
    assert "Cette alerte est déjà prise en compte." in response.content.decode()
    assert StatusChange.objects.filter(object_id=alert.pk, target=AlertStatus.ACKNOWLEDGED).count() == 1


@pytest.mark.parametrize("persona", ["mayor_of_wassy", "partner", "outsider"])
def test_who_cannot_see_the_alert_cannot_acknowledge_it(
    persona: str, territory: Territory, client_for: object
) -> None:
    alert = AlertFactory(programme=territory.programme, commune=territory.wassy)
    response = client_for(persona).post(reverse("governance:alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN
