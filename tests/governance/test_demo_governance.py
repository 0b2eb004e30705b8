"""The governance demo (issue 8, H7): the bodies of the Wassy / La Porte du Der programme, a past comité de projet
with its minutes and decisions, the upcoming meetings, two past arbitrations and one awaiting the referent, the
alerts raised by one run of the engine — loaded through the services, and a second load changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from operations.models import Operation, Phase
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.governance.models import (
    ACTIVE_STATUSES,
    Alert,
    Arbitration,
    ArbitrationEffect,
    ArbitrationOutcome,
    ArbitrationStatus,
    Committee,
    CommitteeKind,
    Decision,
    Meeting,
    MeetingStatus,
    Notification,
    VoteKind,
)
from pvd.models import StatusChange


@pytest.fixture
def demo(db, settings) -> Programme:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get()


def _counts() -> tuple[int, ...]:
    return (
        Committee.objects.count(),
        Meeting.objects.count(),
        Decision.objects.count(),
        Arbitration.objects.count(),
        Alert.objects.count(),
        Notification.objects.count(),
        Arbitration.history.count(),
        Meeting.history.count(),
    )


def test_the_demo_tells_the_governance_story_of_the_programme(demo) -> None:
    programme = demo
    kinds = set(Committee.objects.filter(programme=programme).values_list("kind", flat=True))
    assert kinds == {
        CommitteeKind.PROJECT_COMMITTEE,
        CommitteeKind.COPIL,
        CommitteeKind.COTECH,
        CommitteeKind.BUREAU,
        CommitteeKind.CAO,
    }
    project = Committee.objects.get(programme=programme, kind=CommitteeKind.PROJECT_COMMITTEE)
    members = {str(m) for m in project.members.all()}
    assert any("Hélène Girard" in m for m in members) and any("Claire Dubois" in m for m in members)
    assert project.members.count() == 11

    # A past comité de projet: held, attendance, minutes, decisions per item with a vote.
    held = Meeting.objects.get(committee=project, status=MeetingStatus.HELD)
    assert held.minutes.startswith("<h3>Ouverture</h3>") and held.minutes_written_by is not None
    assert held.attendances.filter(status="present").count() == 9
    votes = set(held.decisions.values_list("vote", flat=True))
    assert {VoteKind.UNANIMOUS, VoteKind.MAJORITY} <= votes
    # Upcoming meetings with an agenda: a comité de projet and a COTECH.
    upcoming = Meeting.objects.filter(status=MeetingStatus.PLANNED, starts_at__gte=timezone.now())
    assert {m.committee.kind for m in upcoming} == {CommitteeKind.PROJECT_COMMITTEE, CommitteeKind.COTECH}
    assert all(m.items.count() >= 3 for m in upcoming)

    # Two past arbitrations (approved and implemented; rejected by the comité) and one awaiting the referent.
    implemented, rejected = (
        Arbitration.objects.get(status=ArbitrationStatus.IMPLEMENTED),
        Arbitration.objects.get(outcome=ArbitrationOutcome.REJECTED),
    )
    assert implemented.snapshot["decision"]["outcome"] == ArbitrationOutcome.APPROVED
    assert ArbitrationEffect.objects.filter(arbitration=implemented).exists()
    pvd03 = Operation.objects.get(programme=programme, code="PVD-03")
    shifted = Phase.history.filter(
        operation=pvd03, history_change_reason__startswith=f"Arbitrage {implemented.reference}"
    )
    assert shifted.exists()
    assert rejected.decided_in == held and rejected.snapshot is not None
    assert timezone.localtime(rejected.decided_at).date() == timezone.localtime(held.starts_at).date()
    pending = Arbitration.objects.get(status=ArbitrationStatus.SUBMITTED)
    assert pending.options.count() == 3 and pending.recommended_option is not None
    assert pending.options.get(letter="C").financing_changes.count() == 1
    assert StatusChange.objects.filter(object_id=pending.pk, target="submitted").exists()

    # The referent is asked to decide; the engine raised alerts.
    referent = User.objects.get(email="elu-referent@pvd.example")
    assert Notification.objects.filter(user=referent, arbitration=pending).exists()
    assert Alert.objects.filter(programme=programme, status__in=ACTIVE_STATUSES).exists()

    # Loading again changes nothing.
    before = _counts()
    call_command("load_demo", stdout=StringIO())
    assert _counts() == before


def test_the_demo_pages_open_for_the_demo_accounts(demo) -> None:
    programme = demo
    pending = Arbitration.objects.get(status=ArbitrationStatus.SUBMITTED)
    held = Meeting.objects.get(committee__kind=CommitteeKind.PROJECT_COMMITTEE, status=MeetingStatus.HELD)
    client = Client()
    client.force_login(User.objects.get(email="elu-referent@pvd.example"))
    assert client.get(reverse("governance:arbitration", args=[pending.pk])).status_code == 200
    assert (
        pending.reference in client.get(reverse("programme_dashboard", args=[programme.pk])).content.decode()
    )
    mayor = Client()
    mayor.force_login(User.objects.get(email="maire-wassy@pvd.example"))
    assert mayor.get(reverse("governance:meeting", args=[held.pk])).status_code == 200
    page = mayor.get("/communes/52550/").content.decode()
    assert "Prochaine réunion" in page and "Aucune réunion d'instance" not in page
