"""The alerts engine (issue 8): raised once per key, brought up to date and never duplicated across repeated
daily runs, resolved when the condition clears, escalated once when ignored, the right people notified, one
failing programme not stopping the others. Days are frozen by passing `day`/`now`."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from pvd.accounts.models import Role
from pvd.deadlines import ATTENTION, CRITICAL, AlertCandidate
from pvd.governance.alerts import engine
from pvd.governance.models import Alert, AlertStatus, Notification, NotificationKind
from pvd.governance.tasks import refresh_alerts
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.factories import MembershipFactory, UserFactory
from tests.operations.factories import OperationFactory, PhaseFactory

REPORTED: dict[int, list[AlertCandidate]] = {}


def fake_provider(programme: object, day: datetime.date) -> list[AlertCandidate]:
    return REPORTED.get(programme.pk, [])


def failing_provider(programme: object, day: datetime.date) -> list[AlertCandidate]:
    if programme.name == "PVD Joinville":
        raise RuntimeError("provider down")
    return REPORTED.get(programme.pk, [])


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> dict[int, list[AlertCandidate]]:
    REPORTED.clear()
    monkeypatch.setattr(engine, "PROVIDERS", [f"{__name__}.fake_provider"])
    yield REPORTED
    REPORTED.clear()


def candidate(key: str = "operations.late:1", level: int = ATTENTION, **kwargs: object) -> AlertCandidate:
    values = {
        "kind": key.split(":")[0],
        "key": key,
        "level": level,
        "title": "Opération en retard — W-01 Place de la mairie",
        "url": "/operations/1/",
        "due_on": DAY + datetime.timedelta(days=20),
        "decision_level": "cotech",
        **kwargs,
    }
    return AlertCandidate(**values)


DAY = timezone.localdate() + datetime.timedelta(days=1)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(6, 30)))


def run(territory: Territory, day: datetime.date = DAY) -> engine.RefreshReport:
    return engine.refresh_programme(programme=territory.programme, day=day, now=at(day))


def test_a_new_candidate_raises_one_alert_owned_by_the_manager_who_is_notified(
    fake: dict, territory: Territory, manager: object, referent: object
) -> None:
    fake[territory.programme.pk] = [candidate()]
    report = run(territory)
    assert report.raised == 1
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.OPEN
    assert alert.owner == manager
    assert alert.decision_level == "cotech"
    assert alert.raised_at == at(DAY)
    notification = Notification.objects.get()
    assert notification.user == manager
    assert notification.kind == NotificationKind.ALERT
    assert notification.alert == alert
    assert notification.url == f"/gouvernance/alertes/{alert.pk}/"
    assert StatusChange.objects.filter(object_id=alert.pk, target=AlertStatus.OPEN).exists()


def test_the_owner_is_the_programmes_first_active_manager(
    fake: dict, territory: Territory, manager: object
) -> None:
    later = UserFactory(full_name="Arrivée plus tard")
    MembershipFactory(user=later, role=Role.MANAGER, programme=territory.programme, valid_from=DAY)
    fake[territory.programme.pk] = [candidate()]
    run(territory)
    assert Alert.objects.get().owner == manager


def test_the_same_day_run_twice_changes_nothing_and_notifies_nobody_again(
    fake: dict, territory: Territory, manager: object
) -> None:
    fake[territory.programme.pk] = [candidate(), candidate("budget.subsidy_start:3", CRITICAL)]
    first = run(territory)
    assert (first.raised, first.updated, first.escalated, first.resolved) == (2, 0, 0, 0)
    second = run(territory)
    assert (second.raised, second.updated, second.escalated, second.resolved) == (0, 0, 0, 0)
    assert Alert.objects.count() == 2
    assert Notification.objects.count() == 2


def test_a_candidate_reported_every_day_updates_its_alert_without_duplicating_it(
    fake: dict, territory: Territory, manager: object
) -> None:
    fake[territory.programme.pk] = [candidate()]
    run(territory)
    later = DAY + datetime.timedelta(days=1)
    fake[territory.programme.pk] = [candidate(level=CRITICAL, title="Opération en retard — W-01 (3 mois)")]
    report = run(territory, later)
    assert (report.raised, report.updated) == (0, 1)
    alert = Alert.objects.get()
    assert alert.level == CRITICAL
    assert alert.title == "Opération en retard — W-01 (3 mois)"
    assert alert.last_seen_at == at(later)
    assert alert.raised_at == at(DAY)
    assert Notification.objects.count() == 1


def test_an_alert_no_longer_reported_is_resolved_and_a_new_occurrence_raises_a_new_one(
    fake: dict, territory: Territory, manager: object
) -> None:
    fake[territory.programme.pk] = [candidate()]
    run(territory)
    fake[territory.programme.pk] = []
    report = run(territory, DAY + datetime.timedelta(days=1))
    assert report.resolved == 1
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.resolved_at == at(DAY + datetime.timedelta(days=1))
    assert run(territory, DAY + datetime.timedelta(days=2)).resolved == 0

    fake[territory.programme.pk] = [candidate()]
    assert run(territory, DAY + datetime.timedelta(days=3)).raised == 1
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() == 1
    assert Alert.objects.count() == 2


def test_an_ignored_critical_alert_is_escalated_once_after_three_days_and_the_referent_notified(
    fake: dict, territory: Territory, manager: object, referent: object
) -> None:
    fake[territory.programme.pk] = [candidate("budget.subsidy_start:9", CRITICAL, decision_level="referent")]
    run(territory)
    for offset in (1, 2):
        assert run(territory, DAY + datetime.timedelta(days=offset)).escalated == 0
    third = DAY + datetime.timedelta(days=3)
    assert run(territory, third).escalated == 1
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.ESCALATED
    assert alert.escalated_to == "referent"
    assert alert.escalated_at == at(third)
    escalations = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    assert [n.user for n in escalations] == [referent]
    # Escalated once: the following days send nothing more.
    for offset in (4, 5, 10):
        report = run(territory, DAY + datetime.timedelta(days=offset))
        assert (report.raised, report.escalated) == (0, 0)
    assert escalations.count() == 1
    assert Alert.objects.count() == 1


def test_below_the_referent_the_managers_are_told_of_an_escalation(
    fake: dict, territory: Territory, manager: object, referent: object
) -> None:
    fake[territory.programme.pk] = [candidate(level=ATTENTION, decision_level="cotech")]
    run(territory)
    assert run(territory, DAY + datetime.timedelta(days=9)).escalated == 0
    assert run(territory, DAY + datetime.timedelta(days=10)).escalated == 1
    escalation = Notification.objects.get(kind=NotificationKind.ESCALATION)
    assert escalation.user == manager
    assert "Comité technique" in escalation.title


def test_an_overdue_alert_is_escalated_the_day_after_it_was_raised(
    fake: dict, territory: Territory, manager: object
) -> None:
    fake[territory.programme.pk] = [candidate(due_on=DAY - datetime.timedelta(days=2))]
    assert run(territory).escalated == 0  # raised today: the owner is told first
    assert run(territory, DAY + datetime.timedelta(days=1)).escalated == 1


def test_an_acknowledged_alert_is_never_escalated(fake: dict, territory: Territory, manager: object) -> None:
    fake[territory.programme.pk] = [candidate(level=CRITICAL, due_on=DAY - datetime.timedelta(days=1))]
    run(territory)
    Alert.objects.update(status=AlertStatus.ACKNOWLEDGED, acknowledged_at=at(DAY), acknowledged_by=manager)
    report = run(territory, DAY + datetime.timedelta(days=30))
    assert report.escalated == 0
    assert Alert.objects.get().status == AlertStatus.ACKNOWLEDGED
    assert not Notification.objects.filter(kind=NotificationKind.ESCALATION).exists()


@override_settings(ALERT_ESCALATION_DAYS={3: 1})
def test_the_escalation_delay_is_configurable(fake: dict, territory: Territory, manager: object) -> None:
    fake[territory.programme.pk] = [candidate(level=CRITICAL)]
    run(territory)
    assert run(territory, DAY + datetime.timedelta(days=1)).escalated == 1


def test_an_alert_raised_concurrently_is_not_duplicated(
    fake: dict, territory: Territory, manager: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs racing: the other one inserted the key after this one read the active alerts."""
    fake[territory.programme.pk] = [candidate()]
    run(territory)
    real_filter = Alert.objects.filter

    def blind_filter(*args: object, **kwargs: object) -> object:
        return real_filter(*args, **kwargs).none() if "status__in" in kwargs else real_filter(*args, **kwargs)

    monkeypatch.setattr(Alert.objects, "filter", blind_filter)
    report = run(territory)
    assert report.raised == 0
    monkeypatch.undo()
    assert Alert.objects.count() == 1
    assert Notification.objects.count() == 1


def test_refresh_all_runs_every_programme_and_a_failing_one_does_not_stop_the_others(
    territory: Territory, manager: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    REPORTED.clear()
    monkeypatch.setattr(engine, "PROVIDERS", [f"{__name__}.failing_provider"])
    REPORTED[territory.programme.pk] = [candidate()]
    counts = engine.refresh_all(day=DAY, now=at(DAY))
    assert counts == {"raised": 1, "updated": 0, "escalated": 0, "resolved": 0, "failed": 1}
    assert Alert.objects.filter(programme=territory.programme).count() == 1
    REPORTED.clear()


def test_the_daily_task_raises_an_alert_for_a_late_operation_once(
    territory: Territory, manager: object
) -> None:
    operation = OperationFactory(programme=territory.programme, code="W-01", status="works")
    PhaseFactory(
        operation=operation,
        name="Travaux",
        baseline_end=timezone.localdate() - datetime.timedelta(days=10),
        actual_end=None,
    )
    first = refresh_alerts.delay().get()
    second = refresh_alerts.delay().get()
    assert first["raised"] >= 1
    assert second["raised"] == 0
    alert = Alert.objects.get(kind="operations.late")
    assert alert.obj == operation
    assert alert.title.startswith("Opération en retard — W-01")
    assert alert.url == f"/operations/{operation.pk}/"
    assert Alert.objects.filter(key=f"operations.late:{operation.pk}").count() == 1
