"""The suggested agenda (issue 8, H1): late operations, high risks, escalated difficulties, arbitrations awaiting this
body, each with its reason and link; added in one POST; never suggested again once on the agenda; constant queries."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.models import OperationStatus, Risk, RiskLevel, RiskStatus
from pvd.governance.models import AgendaItemSource
from pvd.governance.selectors.meetings import agenda_suggestions
from tests.conftest import Territory
from tests.governance.factories import ArbitrationFactory, CommitteeFactory, MeetingFactory
from tests.operations.factories import OperationFactory, PhaseFactory


def _late_operation(territory: Territory, title: str):
    operation = OperationFactory(
        programme=territory.programme, owner=territory.wassy, title=title, status=OperationStatus.WORKS
    )
    PhaseFactory(operation=operation, baseline_end=datetime.date(2026, 6, 30))
    return operation


def _data(territory: Territory, n: int = 1) -> None:
    for i in range(n):
        operation = _late_operation(territory, f"Halle n° {i}")
        Risk.objects.create(
            operation=operation, description="Fouilles archéologiques", level=RiskLevel.CRITICAL
        )
        Risk.objects.create(
            operation=operation,
            description="Plan de financement incomplet",
            level=RiskLevel.MEDIUM,
            status=RiskStatus.ESCALATED,
            escalated_on=datetime.date(2026, 11, 2),
        )
        ArbitrationFactory(
            programme=territory.programme, status="submitted", decision_level="project_committee"
        )
        ArbitrationFactory(programme=territory.programme, status="submitted", decision_level="referent")


def test_the_suggestions_say_why_and_link_to_their_object(territory: Territory, manager) -> None:
    _data(territory)
    meeting = MeetingFactory(
        committee=CommitteeFactory(programme=territory.programme, kind="project_committee")
    )
    suggestions = agenda_suggestions(manager, meeting, day=datetime.date(2026, 12, 1))
    sources = sorted(s.source for s in suggestions)
    assert sources == sorted(
        [
            AgendaItemSource.LATE,
            AgendaItemSource.RISK,
            AgendaItemSource.ESCALATED,
            AgendaItemSource.ARBITRATION,
        ]
    )
    assert all(s.reason and s.url for s in suggestions)


def test_a_cotech_is_not_offered_the_arbitrations_of_the_project_committee(
    territory: Territory, manager
) -> None:
    _data(territory)
    meeting = MeetingFactory(committee=CommitteeFactory(programme=territory.programme, kind="cotech"))
    assert AgendaItemSource.ARBITRATION not in {s.source for s in agenda_suggestions(manager, meeting)}


def test_chosen_suggestions_are_added_and_not_suggested_again(
    territory: Territory, client_for, manager
) -> None:
    _data(territory)
    meeting = MeetingFactory(
        committee=CommitteeFactory(programme=territory.programme, kind="project_committee")
    )
    url = reverse("governance:agenda_suggestions", args=[meeting.pk])
    client = client_for("manager")
    page = client.get(url)
    keys = [s.key for s in page.context["suggestions"]]
    assert "Opération en retard" in page.content.decode()
    response = client.post(url, {"keys": keys})
    assert response.status_code == 302
    assert meeting.items.count() == len(keys)
    assert agenda_suggestions(manager, meeting) == []


def test_posting_nothing_adds_nothing(territory: Territory, client_for) -> None:
    _data(territory)
    meeting = MeetingFactory(committee=CommitteeFactory(programme=territory.programme))
    response = client_for("manager").post(reverse("governance:agenda_suggestions", args=[meeting.pk]), {})
    assert "Choisissez au moins un point" in response.content.decode() and not meeting.items.exists()


def test_the_suggestions_query_count_does_not_grow_with_the_data(territory: Territory, manager) -> None:
    meeting = MeetingFactory(
        committee=CommitteeFactory(programme=territory.programme, kind="project_committee")
    )
    _data(territory, 1)
    agenda_suggestions(manager, meeting)  # warm the per-process caches (content types, scheme rules)
    with CaptureQueriesContext(connection) as once:
        agenda_suggestions(manager, meeting)
    _data(territory, 9)
    with CaptureQueriesContext(connection) as tenfold:
        assert len(agenda_suggestions(manager, meeting)) == 40
    assert len(tenfold.captured_queries) == len(once.captured_queries)
