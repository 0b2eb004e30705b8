"""The weekly digest (issue 8, H6): one e-mail per user with a role who wants it and has something to read — by
role (manager, referent, mayor with their commune's summary and never a household's name, partner) — with its
in-app copy; none when the preference is off, none when empty, and only one a week when the task runs twice."""

import datetime

from django.core import mail
from django.utils import timezone

from operations.models import OperationStatus, Risk, RiskKind, RiskStatus
from pvd.governance.models import AlertLevel, AlertStatus, ArbitrationStatus, Notification, NotificationKind
from pvd.governance.services.digest import digest_for, send_weekly_digests
from pvd.governance.services.notify import preferences_for
from pvd.governance.tasks import send_weekly_digests as digest_task
from tests.factories import HousingProgrammeFactory
from tests.governance.factories import (
    PARIS,
    AlertFactory,
    ArbitrationFactory,
    CommitteeFactory,
    DecisionFactory,
    MeetingFactory,
)
from tests.operations.factories import OperationFactory
from tests.operations.housing_factories import HousingFileFactory

D = datetime.timedelta


def today() -> datetime.date:
    return timezone.localdate()


def at(days: int, hour: int = 14) -> datetime.datetime:
    day = today() + D(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS)


def upcoming_meeting(territory, name: str = "Comité de projet PVD", days: int = 3):
    committee = CommitteeFactory(programme=territory.programme, name=name)
    return MeetingFactory(committee=committee, starts_at=at(days), ends_at=at(days, 16))


def mail_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def html_of(message) -> str:
    return message.alternatives[0][0]


def test_the_manager_reads_alerts_tasks_deadlines_meetings_and_what_changed(territory, manager) -> None:
    upcoming_meeting(territory, "COPIL de la semaine")
    AlertFactory(
        programme=territory.programme,
        level=AlertLevel.CRITICAL,
        title="Subvention DETR menacée",
        raised_at=timezone.now() - D(days=2),
        due_on=today() + D(days=4),
    )
    AlertFactory(
        programme=territory.programme,
        title="Retard levé",
        status=AlertStatus.RESOLVED,
        resolved_at=timezone.now() - D(days=1),
    )
    ArbitrationFactory(programme=territory.programme, title="Note en brouillon")
    Risk.objects.create(
        operation=OperationFactory(programme=territory.programme, code="OP-HALLE"),
        kind=RiskKind.DIFFICULTY,
        description="Fouilles imprévues",
        status=RiskStatus.ESCALATED,
        escalated_on=today(),
    )
    DecisionFactory(
        programme=territory.programme, decided_on=today() - D(days=2), text="Plan validé par le comité."
    )
    DecisionFactory(programme=territory.programme, decided_on=today() - D(days=30), text="Décision ancienne.")

    assert send_weekly_digests() >= 1

    [message] = mail_to(manager)
    assert message.subject.startswith("[PVD Pilot] Votre semaine du ")
    for text in (
        "COPIL de la semaine",
        "Subvention DETR menacée",
        "Note en brouillon",
        "Fouilles imprévues",
        "Retard levé",
        "Plan validé par le comité.",
    ):
        assert text in message.body and text in html_of(message)
    assert "ÉCHÉANCES DE LA SEMAINE (1)" in message.body
    assert "Décision ancienne." not in message.body
    assert "http://" in message.body or "https://" in message.body
    notification = Notification.objects.get(user=manager, kind=NotificationKind.DIGEST)
    assert notification.emailed_at is not None and notification.read_at is None


def test_the_referent_reads_the_decisions_awaiting_them(territory, referent) -> None:
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

    send_weekly_digests()

    [message] = mail_to(referent)
    assert "Report de la phase 2" in message.body
    assert "Retard remonté" in message.body
    assert "Note en brouillon" not in message.body and "Note en brouillon" not in html_of(message)
    assert "/gouvernance/a-decider/" in message.body


def test_the_mayor_gets_the_communes_summary_and_meetings_never_a_households_name(
    territory, mayor_of_wassy
) -> None:
    upcoming_meeting(territory, "Comité de projet de Wassy")
    OperationFactory(
        programme=territory.programme,
        owner=territory.wassy,
        communes=[territory.wassy],
        status=OperationStatus.WORKS,
        title="Rénovation de la halle",
    )
    housing = HousingProgrammeFactory(communes=[territory.wassy], owner=territory.wassy)
    HousingFileFactory(housing_programme=housing, commune=territory.wassy, applicant_name="Famille Secrète")
    AlertFactory(programme=territory.programme, title="Alerte interne")

    send_weekly_digests()

    [message] = mail_to(mayor_of_wassy)
    html = html_of(message)
    assert "WASSY" in message.body and "Opérations : 1" in message.body
    assert "Comité de projet de Wassy" in message.body and "Comité de projet de Wassy" in html
    assert "/communes/52550/" in message.body
    for text in ("Famille Secrète", "Alerte interne"):
        assert text not in message.body and text not in html


def test_the_partner_reads_meetings_and_the_decisions_of_the_week(territory, partner) -> None:
    upcoming_meeting(territory, "COPIL OPAH-RU")
    DecisionFactory(programme=territory.programme, decided_on=today() - D(days=1), text="Avenant approuvé.")
    AlertFactory(programme=territory.programme, title="Alerte interne")

    send_weekly_digests()

    [message] = mail_to(partner)
    assert "COPIL OPAH-RU" in message.body and "Avenant approuvé." in message.body
    assert "Alerte interne" not in message.body


def test_no_digest_when_the_preference_is_off(territory, partner) -> None:
    preference = preferences_for(partner)
    preference.weekly_digest = False
    preference.save()
    upcoming_meeting(territory)

    send_weekly_digests()

    assert mail_to(partner) == []
    assert not Notification.objects.filter(user=partner, kind=NotificationKind.DIGEST).exists()


def test_no_digest_when_there_is_nothing_to_say(territory, outsider, partner) -> None:
    assert digest_for(outsider).is_empty
    assert send_weekly_digests() == 0
    assert mail.outbox == []


def test_running_the_task_twice_sends_one_digest(territory, partner) -> None:
    upcoming_meeting(territory)

    assert digest_task.delay().get() == 1
    assert digest_task.delay().get() == 0

    assert len(mail_to(partner)) == 1
    assert Notification.objects.filter(user=partner, kind=NotificationKind.DIGEST).count() == 1
    assert preferences_for(partner).last_digest_at is not None


def test_last_weeks_digest_does_not_stop_this_weeks(territory, partner) -> None:
    upcoming_meeting(territory)
    preference = preferences_for(partner)
    preference.last_digest_at = timezone.now() - D(days=7)
    preference.save()

    assert send_weekly_digests() == 1
