"""« Ma semaine » (issue 8, H6): by role — the manager's alerts by level, tasks, 14-day deadlines and meetings of
this week and next; the referent's decisions to take and escalated alerts; the mayor's meetings and commune page;
the partner's meetings and latest decisions — the navbar links, the bell, the programme page's governance card,
and a query budget flat at ten times the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from operations.models import Risk, RiskKind, RiskStatus
from pvd.governance.models import (
    AlertLevel,
    AlertStatus,
    Arbitration,
    ArbitrationOutcome,
    ArbitrationStatus,
    MeetingStatus,
)
from pvd.governance.selectors.week import week_bounds
from tests.factories import UserFactory
from tests.governance.factories import (
    PARIS,
    AlertFactory,
    ArbitrationFactory,
    ArbitrationOptionFactory,
    CommitteeFactory,
    DecisionFactory,
    MeetingFactory,
    NotificationFactory,
)
from tests.operations.factories import OperationFactory

D = datetime.timedelta


def today() -> datetime.date:
    return timezone.localdate()


def on(day: datetime.date, hour: int = 14) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS)


def meeting(territory, day: datetime.date, name: str = "Comité de projet PVD", **fields):
    committee = CommitteeFactory(programme=territory.programme, name=name)
    return MeetingFactory(committee=committee, starts_at=on(day), ends_at=on(day, 16), **fields)


def approved(territory, title: str):
    """A decided arbitration whose option A was approved, awaiting implementation."""
    arbitration = ArbitrationFactory(
        programme=territory.programme, title=title, status=ArbitrationStatus.SUBMITTED
    )
    option = ArbitrationOptionFactory(arbitration=arbitration, letter="A")
    Arbitration.objects.filter(pk=arbitration.pk).update(
        status=ArbitrationStatus.DECIDED,
        outcome=ArbitrationOutcome.APPROVED,
        chosen_option=option,
        decided_at=timezone.now(),
        snapshot={},
    )
    return arbitration


def page(client_for, persona: str) -> str:
    response = client_for(persona).get(reverse("governance:my_week"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_manager_reads_alerts_by_level_tasks_deadlines_and_meetings_of_this_week_and_next(
    territory, manager, client_for
) -> None:
    monday, sunday = week_bounds(today())
    AlertFactory(
        programme=territory.programme, level=AlertLevel.CRITICAL, title="Subvention DETR menacée", due_on=None
    )
    AlertFactory(
        programme=territory.programme,
        level=AlertLevel.INFO,
        title="Échéance proche",
        due_on=today() + D(days=10),
    )
    AlertFactory(programme=territory.programme, title="Échéance lointaine", due_on=today() + D(days=30))
    AlertFactory(
        programme=territory.programme,
        title="Alerte résolue",
        status=AlertStatus.RESOLVED,
        resolved_at=timezone.now(),
    )
    AlertFactory(programme=territory.other_programme, title="Alerte d'un autre EPCI")
    ArbitrationFactory(programme=territory.programme, title="Note en brouillon")
    approved(territory, "Décision à appliquer")
    meeting(territory, today() - D(days=20), name="COTECH sans compte rendu", status=MeetingStatus.HELD)
    Risk.objects.create(
        operation=OperationFactory(programme=territory.programme, code="OP-HALLE"),
        kind=RiskKind.DIFFICULTY,
        description="Fouilles archéologiques imprévues",
        status=RiskStatus.ESCALATED,
        escalated_on=today(),
    )
    meeting(territory, sunday, name="COPIL de fin de semaine prochaine")
    meeting(territory, sunday + D(days=1), name="COPIL de dans deux semaines")

    html = page(client_for, "manager")

    assert html.index("Critique") < html.index("Subvention DETR menacée") < html.index("Information")
    assert "Alerte résolue" not in html and "Alerte d&#x27;un autre EPCI" not in html
    assert "Note en brouillon" in html and "Décision à appliquer" in html
    assert "Compte rendu à rédiger" in html and "COTECH sans compte rendu" in html
    assert "Fouilles archéologiques imprévues" in html
    assert "Échéances des 14 prochains jours (1)" in html
    assert "COPIL de fin de semaine prochaine" in html and "COPIL de dans deux semaines" not in html
    assert f"Du {monday:%d/%m/%Y} au {sunday:%d/%m/%Y}" in html


def test_the_referent_reads_the_decisions_awaiting_them_and_the_escalated_alerts_not_the_drafts(
    territory, referent, client_for
) -> None:
    ArbitrationFactory(
        programme=territory.programme, title="Report de la phase 2", status=ArbitrationStatus.SUBMITTED
    )
    ArbitrationFactory(programme=territory.programme, title="Note en brouillon")
    AlertFactory(
        programme=territory.programme,
        title="Retard remonté",
        status=AlertStatus.ESCALATED,
        escalated_at=timezone.now(),
    )
    AlertFactory(programme=territory.programme, title="Alerte ouverte")
    meeting(territory, today() + D(days=1), name="Comité de projet de demain")

    html = page(client_for, "referent")

    assert "Report de la phase 2" in html and "Note en brouillon" not in html
    assert reverse("governance:inbox") in html
    assert "Retard remonté" in html and "Alerte ouverte" not in html
    assert "Comité de projet de demain" in html
    assert "Mes tâches" not in html


def test_a_mayor_reads_the_meetings_of_their_programme_and_a_link_to_their_commune_page(
    territory, mayor_of_wassy, client_for
) -> None:
    meeting(territory, today() + D(days=2), name="Comité de projet de Wassy")
    AlertFactory(programme=territory.programme, title="Alerte interne")
    ArbitrationFactory(
        programme=territory.programme, title="Note interne", status=ArbitrationStatus.SUBMITTED
    )

    html = page(client_for, "mayor_of_wassy")

    assert "Comité de projet de Wassy" in html
    assert reverse("commune", args=[territory.wassy.insee_code]) in html
    assert "Alerte interne" not in html and "Note interne" not in html


def test_a_partner_reads_the_meetings_and_the_latest_decisions(territory, partner, client_for) -> None:
    meeting(territory, today() + D(days=3), name="COPIL OPAH-RU")
    DecisionFactory(
        programme=territory.programme, text="Le comité valide le plan de financement de la halle."
    )
    AlertFactory(programme=territory.programme, title="Alerte interne")

    html = page(client_for, "partner")

    assert "COPIL OPAH-RU" in html
    assert "Le comité valide le plan de financement de la halle." in html
    assert "Alerte interne" not in html


def test_a_user_without_role_reads_that_there_is_nothing_to_follow(territory, client) -> None:
    client.force_login(UserFactory())
    html = client.get(reverse("governance:my_week")).content.decode()
    assert "Aucun rôle actif" in html


def test_the_menu_offers_my_week_to_users_with_a_role_only(territory, manager, client) -> None:
    client.force_login(manager)
    assert 'href="/gouvernance/ma-semaine/"' in client.get(reverse("governance:preferences")).content.decode()
    client.force_login(UserFactory())
    assert (
        'href="/gouvernance/ma-semaine/"'
        not in client.get(reverse("governance:preferences")).content.decode()
    )


def test_the_bell_shows_the_unread_count_as_text(territory, manager, client) -> None:
    NotificationFactory(user=manager)
    NotificationFactory(user=manager)
    NotificationFactory(user=manager, read_at=timezone.now())
    NotificationFactory(user=UserFactory())
    client.force_login(manager)

    html = client.get(reverse("governance:my_week")).content.decode()

    assert f'href="{reverse("governance:notifications")}"' in html
    assert '<span class="visually-hidden">Notifications : </span>' in html
    assert '>2</span><span class="visually-hidden"> non lue(s)</span>' in html
    assert f'href="{reverse("governance:preferences")}"' in html


def test_the_programme_page_links_governance_with_the_active_alerts_count(
    territory, manager, partner, client_for
) -> None:
    AlertFactory(programme=territory.programme)
    AlertFactory(programme=territory.programme, status=AlertStatus.ESCALATED, escalated_at=timezone.now())
    AlertFactory(programme=territory.programme, status=AlertStatus.RESOLVED, resolved_at=timezone.now())
    url = reverse("programme", args=[territory.programme.pk])

    html = client_for("manager").get(url).content.decode()
    assert "Gouvernance" in html
    for name in ("committees", "meetings", "decisions", "arbitrations"):
        assert reverse(f"governance:{name}", args=[territory.programme.pk]) in html
    assert '>2</span><span class="visually-hidden"> active(s)</span>' in html

    html = client_for("partner").get(url).content.decode()
    assert reverse("governance:meetings", args=[territory.programme.pk]) in html
    assert reverse("governance:arbitrations", args=[territory.programme.pk]) not in html
    assert "active(s)" not in html


def grow(territory, factor: int) -> None:
    for n in range(factor):
        AlertFactory(
            programme=territory.programme, level=AlertLevel.CRITICAL, due_on=today() + D(days=n % 14)
        )
        ArbitrationFactory(programme=territory.programme)
        approved(territory, f"Approuvé {factor}-{n}")
        meeting(territory, today() + D(days=n % 7), name=f"Comité {factor}-{n}")
        meeting(
            territory, today() - D(days=30 + n), name=f"Réunion tenue {factor}-{n}", status=MeetingStatus.HELD
        )
        Risk.objects.create(
            operation=OperationFactory(programme=territory.programme),
            kind=RiskKind.DIFFICULTY,
            description="Difficulté",
            status=RiskStatus.ESCALATED,
            escalated_on=today(),
        )
        DecisionFactory(programme=territory.programme)


@pytest.mark.parametrize("persona", ["manager", "referent", "mayor_of_wassy", "partner"])
def test_my_week_costs_the_same_queries_with_ten_times_the_data(territory, client_for, persona) -> None:
    client = client_for(persona)
    counts = []
    for factor in (1, 9):
        grow(territory, factor)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("governance:my_week")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
