"""Meetings (issue 8, H1): create, status transitions recorded (a held meeting cannot be in the future), agenda
add/move/delete with links checked, attendance prefilled from the members with the quorum, documents validated and
downloaded through the access check, the list's query count."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pvd.governance.models import AgendaItem, Attendance, Meeting, MeetingStatus
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.governance.factories import (
    PARIS,
    AgendaItemFactory,
    ArbitrationFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    MeetingFactory,
)
from tests.governance.rows_h1 import PDF
from tests.partners.factories import PersonFactory


def _edit(client, meeting: Meeting, **extra: object):
    data = {
        "starts_at": meeting.starts_at.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M"),
        "place": meeting.place,
        "status": meeting.status,
        "version": meeting.version,
        **extra,
    }
    return client.post(reverse("governance:meeting_edit", args=[meeting.pk]), data, follow=True)


def test_a_manager_plans_a_meeting_of_a_committee(territory: Territory, client_for) -> None:
    committee = CommitteeFactory(programme=territory.programme)
    response = client_for("manager").post(
        reverse("governance:meeting_create", args=[committee.pk]),
        {"starts_at": "2026-12-15T14:00", "ends_at": "2026-12-15T16:00", "place": "Mairie de Wassy"},
    )
    meeting = Meeting.objects.get(committee=committee)
    assert response["Location"] == reverse("governance:meeting", args=[meeting.pk])
    assert meeting.status == MeetingStatus.PLANNED


def test_a_future_meeting_cannot_be_recorded_as_held(territory: Territory, client_for) -> None:
    meeting = MeetingFactory(committee=CommitteeFactory(programme=territory.programme))
    response = _edit(client_for("manager"), meeting, status="held")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert "ne peut pas être notée comme tenue" in response.content.decode()


def test_cancelling_a_meeting_is_recorded_with_who_and_why(territory: Territory, client_for, manager) -> None:
    meeting = MeetingFactory(committee=CommitteeFactory(programme=territory.programme))
    _edit(client_for("manager"), meeting, status="cancelled", comment="Quorum impossible")
    meeting.refresh_from_db()
    change = StatusChange.objects.get(object_id=meeting.pk, target="cancelled")
    assert meeting.status == MeetingStatus.CANCELLED
    assert (change.source, change.by, change.comment) == ("planned", manager, "Quorum impossible")


def test_a_held_meeting_cannot_go_back_to_planned(territory: Territory, client_for) -> None:
    meeting = MeetingFactory(
        committee=CommitteeFactory(programme=territory.programme),
        starts_at=datetime.datetime(2026, 10, 6, 14, tzinfo=PARIS),
        ends_at=None,
        status=MeetingStatus.HELD,
    )
    response = _edit(client_for("manager"), meeting, status="planned")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert "définitif" in response.content.decode()


def test_agenda_items_are_added_in_order_and_moved(territory: Territory, client_for) -> None:
    meeting = MeetingFactory(committee=CommitteeFactory(programme=territory.programme))
    client = client_for("manager")
    for title in ("Ouverture", "Plan d'actions"):
        client.post(reverse("governance:agenda_item_create", args=[meeting.pk]), {"title": title})
    second = AgendaItem.objects.get(title="Plan d'actions")
    client.post(reverse("governance:agenda_item_move", args=[second.pk]), {"direction": "up"})
    assert list(meeting.items.order_by("order").values_list("title", flat=True)) == [
        "Plan d'actions",
        "Ouverture",
    ]
    client.post(reverse("governance:agenda_item_delete", args=[second.pk]))
    assert list(meeting.items.values_list("title", "order")) == [("Ouverture", 1)]


def test_an_item_cannot_name_another_programmes_arbitration(territory: Territory, client_for) -> None:
    meeting = MeetingFactory(committee=CommitteeFactory(programme=territory.programme))
    foreign = ArbitrationFactory(programme=territory.other_programme)
    response = client_for("manager").post(
        reverse("governance:agenda_item_create", args=[meeting.pk]), {"title": "X", "arbitration": foreign.pk}
    )
    assert response.status_code == 200 and not meeting.items.exists()


def test_attendance_is_prefilled_from_the_members_and_the_quorum_shown(
    territory: Territory, client_for
) -> None:
    committee = CommitteeFactory(programme=territory.programme)
    person = PersonFactory(
        organisation=territory.wassy, first_name="Anne", last_name="Martin", email="a@wassy.fr"
    )
    CommitteeMemberFactory(committee=committee, organisation=None, person=person)
    CommitteeMemberFactory(committee=committee, organisation=territory.la_porte_du_der)
    CommitteeMemberFactory(
        committee=committee, organisation=territory.anah, valid_until=datetime.date(2025, 1, 1)
    )  # ended: not invited
    meeting = MeetingFactory(committee=committee)
    client = client_for("manager")
    url = reverse("governance:attendance", args=[meeting.pk])
    client.post(url, {"prefill": "1"})
    rows = list(Attendance.objects.filter(meeting=meeting).order_by("name"))
    assert [(a.name, a.email) for a in rows] == [
        ("Anne Martin", "a@wassy.fr"),
        (territory.la_porte_du_der.name, territory.la_porte_du_der.email),
    ]
    data = {
        "p-TOTAL_FORMS": "2",
        "p-INITIAL_FORMS": "2",
        "n-name": "Invitée libre",
        "n-email": "",
        "n-status": "invited",
    }
    for i, a in enumerate(rows):
        data |= {
            f"p-{i}-id": a.pk,
            f"p-{i}-version": a.version,
            f"p-{i}-email": a.email,
            f"p-{i}-status": "present",
        }
    data["p-1-status"] = "excused"
    client.post(url, data)
    assert Attendance.objects.filter(meeting=meeting).count() == 3
    page = client.get(url)
    assert "1 membre(s) à voix délibérative présent(s) ou représenté(s) sur 2" in page.content.decode()


def test_a_document_is_uploaded_and_downloaded_by_a_mayor(territory: Territory, client_for) -> None:
    meeting = MeetingFactory(committee=CommitteeFactory(programme=territory.programme))
    client_for("manager").post(
        reverse("governance:meeting_document_create", args=[meeting.pk]),
        {
            "title": "Diaporama",
            "file": SimpleUploadedFile("diaporama.pdf", PDF, content_type="application/pdf"),
        },
    )
    document = meeting.documents.get()
    response = client_for("mayor_of_wassy").get(reverse("governance:meeting_document", args=[document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_a_renamed_file_is_refused(territory: Territory, client_for) -> None:
    meeting = MeetingFactory(committee=CommitteeFactory(programme=territory.programme))
    response = client_for("manager").post(
        reverse("governance:meeting_document_create", args=[meeting.pk]),
        {
            "title": "Faux",
            "file": SimpleUploadedFile("faux.pdf", b"MZ not a pdf", content_type="application/pdf"),
        },
    )
    assert "renommé" in response.content.decode() and not meeting.documents.exists()


def test_the_meeting_page_shows_everything_and_h2_blocks(territory: Territory, client_for) -> None:
    meeting = MeetingFactory(committee=CommitteeFactory(programme=territory.programme))
    AgendaItemFactory(meeting=meeting, title="Avancement")
    content = client_for("partner").get(reverse("governance:meeting", args=[meeting.pk])).content.decode()
    assert "Avancement" in content and "Compte rendu" in content and "Décisions" in content
    assert "Modifier la réunion" not in content


def _meetings(territory: Territory, n: int) -> None:
    for i in range(n):
        committee = CommitteeFactory(programme=territory.programme)
        MeetingFactory(
            committee=committee, starts_at=datetime.datetime(2026, 1 + i % 12, 3, 10, tzinfo=PARIS)
        )
        AgendaItemFactory(meeting=MeetingFactory(committee=committee))


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_meeting_list_query_count_does_not_grow_with_the_data(territory: Territory, client_for) -> None:
    client = client_for("manager")
    url = reverse("governance:meetings", args=[territory.programme.pk])
    _meetings(territory, 1)
    once = _count(client, url)
    _meetings(territory, 9)
    assert _count(client, url) == once
