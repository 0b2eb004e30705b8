"""Bodies and their members (issue 8, H1): list by kind with next/last meeting and member count (constant queries),
create with French validation, the « next meeting expected before » line, stale edits refused, mandates ended."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Person
from pvd.governance.models import Committee, CommitteeKind, MeetingStatus
from tests.conftest import Territory
from tests.governance.factories import PARIS, CommitteeFactory, CommitteeMemberFactory, MeetingFactory
from tests.partners.factories import PersonFactory


def _data(**extra: object) -> dict:
    return {
        "kind": "project_committee",
        "name": "Comité de projet PVD",
        "frequency": "quarterly",
        "active": "on",
        **extra,
    }


def test_a_manager_creates_a_project_committee(territory: Territory, client_for) -> None:
    response = client_for("manager").post(
        reverse("governance:committee_create", args=[territory.programme.pk]), _data()
    )
    committee = Committee.objects.get(name="Comité de projet PVD")
    assert response.status_code == 302 and response["Location"] == reverse(
        "governance:committee", args=[committee.pk]
    )
    assert committee.history.first().history_user is not None


def test_a_council_must_name_its_authority(territory: Territory, client_for) -> None:
    response = client_for("manager").post(
        reverse("governance:committee_create", args=[territory.programme.pk]),
        _data(kind="community_council", name="Conseil communautaire"),
    )
    assert response.status_code == 200
    assert "indiquez laquelle" in response.content.decode()
    assert not Committee.objects.filter(name="Conseil communautaire").exists()


def test_a_project_committee_cannot_name_a_housing_programme(territory: Territory, client_for) -> None:
    territory.opah_ru.programme = territory.programme
    territory.opah_ru.save()
    response = client_for("manager").post(
        reverse("governance:committee_create", args=[territory.programme.pk]),
        _data(housing_programme=territory.opah_ru.pk),
    )
    assert "Seuls un COPIL ou un COTECH" in response.content.decode()
    assert not Committee.objects.exists()


def test_a_copil_names_the_housing_programme_of_the_programme(territory: Territory, client_for) -> None:
    territory.opah_ru.programme = territory.programme
    territory.opah_ru.save()
    client_for("manager").post(
        reverse("governance:committee_create", args=[territory.programme.pk]),
        _data(kind="copil", name="COPIL OPAH-RU", housing_programme=territory.opah_ru.pk),
    )
    assert Committee.objects.get(name="COPIL OPAH-RU").housing_programme == territory.opah_ru


def test_a_stale_committee_edit_is_refused(territory: Territory, client_for) -> None:
    committee = CommitteeFactory(programme=territory.programme, name="Comité")
    client = client_for("manager")
    url = reverse("governance:committee_edit", args=[committee.pk])
    client.post(url, _data(name="Comité A", version=committee.version))
    response = client.post(url, _data(name="Comité B", version=committee.version), follow=True)
    committee.refresh_from_db()
    assert committee.name == "Comité A"
    assert "pendant votre saisie" in response.content.decode()


def test_the_committee_page_shows_when_the_next_meeting_is_expected(territory: Territory, client_for) -> None:
    committee = CommitteeFactory(programme=territory.programme, frequency="quarterly")
    MeetingFactory(
        committee=committee,
        starts_at=datetime.datetime(2026, 10, 6, 14, tzinfo=PARIS),
        ends_at=None,
        status=MeetingStatus.HELD,
    )
    response = client_for("referent").get(reverse("governance:committee", args=[committee.pk]))
    assert "avant le 06/01/2027" in response.content.decode()


def test_ending_a_mandate_moves_the_member_to_the_past_members(territory: Territory, client_for) -> None:
    committee = CommitteeFactory(programme=territory.programme)
    member = CommitteeMemberFactory(committee=committee, organisation=territory.wassy)
    response = client_for("manager").post(
        reverse("governance:member_edit", args=[member.pk]),
        {
            "organisation": territory.wassy.pk,
            "role": "Membre",
            "voting": "on",
            "valid_from": "2024-01-01",
            "valid_until": "2025-06-30",
            "version": member.version,
        },
    )
    assert response.status_code == 302
    page = client_for("manager").get(reverse("governance:committee", args=[committee.pk]))
    assert page.context["page"].past_members == [member] and page.context["page"].current_members == []


def test_a_member_needs_an_organisation_or_a_person(territory: Territory, client_for) -> None:
    committee = CommitteeFactory(programme=territory.programme)
    response = client_for("manager").post(
        reverse("governance:member_create", args=[committee.pk]),
        {"role": "Membre", "valid_from": "2026-01-01"},
    )
    assert "Indiquez un organisme ou une personne." in response.content.decode()
    assert not committee.members.exists()


def test_a_person_can_be_a_member(territory: Territory, client_for, manager) -> None:
    committee = CommitteeFactory(programme=territory.programme)
    person = PersonFactory(organisation=territory.wassy, first_name="Anne", last_name="Martin")
    assert Person.objects.visible_to(manager).filter(pk=person.pk).exists()
    client_for("manager").post(
        reverse("governance:member_create", args=[committee.pk]),
        {"person": person.pk, "role": "Président", "voting": "on", "valid_from": "2026-01-01"},
    )
    assert committee.members.filter(person=person, role="Président").exists()


def _committees(territory: Territory, n: int) -> None:
    for i in range(n):
        committee = CommitteeFactory(programme=territory.programme, kind=list(CommitteeKind.values)[i % 3])
        CommitteeMemberFactory(committee=committee)
        MeetingFactory(committee=committee)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_committee_list_query_count_does_not_grow_with_the_data(territory: Territory, client_for) -> None:
    client = client_for("manager")
    url = reverse("governance:committees", args=[territory.programme.pk])
    _committees(territory, 1)
    once = _count(client, url)
    _committees(territory, 9)
    assert _count(client, url) == once
