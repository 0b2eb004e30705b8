"""Invitations (issue 8, H1): queued on commit, one e-mail per invitee with an address and the iCal attachment that
parses back, `invited_at` and `invitations_sent_at` set, no second e-mail on retry unless the meeting changed."""

import icalendar
from django.core import mail
from django.urls import reverse

from pvd.governance.ical import PARIS
from pvd.governance.models import Attendance, Meeting
from pvd.governance.services.meetings import send_invitations
from tests.conftest import Territory
from tests.governance.factories import AgendaItemFactory, AttendanceFactory, CommitteeFactory, MeetingFactory


def _meeting(territory: Territory) -> Meeting:
    meeting = MeetingFactory(
        committee=CommitteeFactory(programme=territory.programme, name="Comité de projet")
    )
    AgendaItemFactory(meeting=meeting, order=1, title="Avancement du plan d'actions")
    AttendanceFactory(meeting=meeting, name="Anne Martin", email="anne@wassy.fr")
    AttendanceFactory(meeting=meeting, name="Sans adresse", email="")
    return meeting


def test_the_manager_sends_the_invitations_with_an_ical_attachment(
    territory: Territory, client_for, django_capture_on_commit_callbacks
) -> None:
    meeting = _meeting(territory)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("manager").post(reverse("governance:meeting_invite", args=[meeting.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Invitation : Comité de projet du 15/12/2026 à 14:00"
    assert message.to == ["anne@wassy.fr"]
    assert "Avancement du plan d'actions" in message.body and "Hôtel de ville de Wassy" in message.body
    name, content, mimetype = message.attachments[0]
    assert name == "invitation.ics" and mimetype.startswith("text/calendar") and "method=REQUEST" in mimetype
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["METHOD"] == "REQUEST"
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["SUMMARY"]) == "Comité de projet"
    assert str(event["LOCATION"]) == "Hôtel de ville de Wassy, salle du conseil"
    assert event.decoded("DTSTART").tzinfo.key == PARIS.key
    assert event.decoded("DTSTART").hour == 14
    assert str(event["UID"]).startswith(f"meeting-{meeting.pk}@")
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is not None
    assert Attendance.objects.get(name="Anne Martin").invited_at is not None


def test_a_retry_does_not_send_twice_but_a_changed_meeting_is_sent_again(
    territory: Territory, manager
) -> None:
    meeting = _meeting(territory)
    assert send_invitations(meeting_id=meeting.pk, site_url="https://pvd.example.fr") == 1
    assert send_invitations(meeting_id=meeting.pk, site_url="https://pvd.example.fr") == 0
    meeting.place = "Salle des fêtes"
    meeting._history_user = manager
    meeting.save()
    assert send_invitations(meeting_id=meeting.pk, site_url="https://pvd.example.fr") == 1
    assert len(mail.outbox) == 2 and "Salle des fêtes" in mail.outbox[1].body


def test_a_partner_cannot_send_invitations(territory: Territory, client_for) -> None:
    meeting = _meeting(territory)
    assert (
        client_for("partner").post(reverse("governance:meeting_invite", args=[meeting.pk])).status_code == 403
    )
    assert mail.outbox == []


def test_the_meeting_ics_downloads_and_parses(territory: Territory, client_for) -> None:
    meeting = _meeting(territory)
    response = client_for("mayor_of_wassy").get(reverse("governance:meeting_ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    event = next(iter(icalendar.Calendar.from_ical(response.content).walk("VEVENT")))
    assert str(event["UID"]).startswith(f"meeting-{meeting.pk}@")
