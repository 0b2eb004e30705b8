"""The decisions inbox (issue 8, H3): the referent sees the notes they can decide now, oldest first, with the due
date and the recommendation; a manager also the notes put to a body whose decision is to be recorded; others an
empty state; its query count does not grow with the number of notes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pvd.governance.models import Arbitration, ArbitrationStatus, CommitteeKind, DecisionLevel
from tests.conftest import Territory
from tests.governance.factories import PARIS, ArbitrationFactory, CommitteeFactory


def _submitted(territory: Territory, n: int, **fields: object) -> Arbitration:
    return ArbitrationFactory(
        programme=fields.pop("programme", territory.programme),
        status=ArbitrationStatus.SUBMITTED,
        submitted_at=datetime.datetime(2026, 11, 1, 9, 0, tzinfo=PARIS) + datetime.timedelta(days=n),
        recommendation=f"Recommandation n° {n}",
        **fields,
    )


def test_the_referent_sees_what_awaits_their_decision_oldest_first(
    territory: Territory, referent, client_for
) -> None:
    newer = _submitted(territory, 5, title="Plus récent", due_on=datetime.date(2026, 12, 20))
    older = _submitted(territory, 1, title="Plus ancien")
    ArbitrationFactory(programme=territory.programme, title="Brouillon caché")
    _submitted(territory, 2, title="D'un autre programme", programme=territory.other_programme)
    committee = CommitteeFactory(programme=territory.programme, kind=CommitteeKind.COTECH)
    _submitted(territory, 3, title="Pour le COTECH", decision_level=DecisionLevel.COTECH, committee=committee)
    response = client_for("referent").get(reverse("governance:inbox"))
    assert response.context["to_decide"] == [older, newer]
    assert response.context["to_record"] == []
    page = response.content.decode()
    assert "20/12/2026" in page
    assert "Recommandation n° 5" in page
    assert "Brouillon caché" not in page


def test_a_manager_sees_the_body_decisions_to_record(territory: Territory, manager, client_for) -> None:
    committee = CommitteeFactory(programme=territory.programme, kind=CommitteeKind.COTECH)
    body_note = _submitted(territory, 3, decision_level=DecisionLevel.COTECH, committee=committee)
    _submitted(territory, 1)
    response = client_for("manager").get(reverse("governance:inbox"))
    assert response.context["to_decide"] == []
    assert response.context["to_record"] == [body_note]


@pytest.mark.parametrize("persona", ["mayor_of_wassy", "partner", "outsider"])
def test_others_get_an_empty_inbox_in_french(territory: Territory, client_for, persona: str) -> None:
    _submitted(territory, 1)
    response = client_for(persona).get(reverse("governance:inbox"))
    assert response.status_code == 200
    assert "Aucun arbitrage n'attend votre décision pour le moment." in response.content.decode()


def _inbox_queries(territory: Territory, client, n: int) -> int:
    committee = CommitteeFactory(programme=territory.programme, kind=CommitteeKind.COTECH)
    for i in range(n):
        _submitted(territory, i)
        _submitted(territory, i, decision_level=DecisionLevel.COTECH, committee=committee)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("governance:inbox")).status_code == 200
    Arbitration.objects.all().delete()
    committee.delete()
    return len(queries)


@pytest.mark.parametrize("persona", ["referent", "manager"])
def test_the_inbox_costs_the_same_queries_for_1_or_10_notes(
    territory: Territory, client_for, persona: str
) -> None:
    client = client_for(persona)
    assert _inbox_queries(territory, client, 1) == _inbox_queries(territory, client, 10)
