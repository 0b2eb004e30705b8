"""Decision rights on arbitration notes (issue 8, H3): only the programme's élu(e) référent(e) decides a note put
to them (a manager, a partner, staff: 403); notes are internal (a mayor, a partner: 404; a referent never sees a
draft); a body's decision is recorded by the manager, never for a note put to the referent."""

import pytest
from django.urls import reverse

from pvd.governance.models import (
    Arbitration,
    ArbitrationOutcome,
    ArbitrationStatus,
    CommitteeKind,
    Decision,
    DecisionLevel,
)
from tests.conftest import Territory
from tests.governance.factories import CommitteeFactory
from tests.governance.rows_h2 import held_meeting
from tests.governance.rows_h3 import option, ready_note, submitted_note
from tests.operations.factories import OperationFactory


def _decide(client, arbitration: Arbitration, **data: object):
    return client.post(reverse("governance:arbitration_decide", args=[arbitration.pk]), data)


@pytest.mark.parametrize("persona", ["manager", "staff"])
def test_a_manager_cannot_decide_an_arbitration(
    territory: Territory, manager, client_for, persona: str
) -> None:
    arbitration = submitted_note(territory, manager)
    response = _decide(
        client_for(persona), arbitration, outcome="approved", option=option(arbitration, "A").pk
    )
    assert response.status_code == 403
    assert Arbitration.objects.get(pk=arbitration.pk).status == ArbitrationStatus.SUBMITTED
    assert not Decision.objects.exists()


@pytest.mark.parametrize("persona", ["mayor_of_wassy", "partner", "operator", "outsider"])
def test_a_mayor_or_a_partner_cannot_see_a_note(
    territory: Territory, manager, client_for, persona: str
) -> None:
    arbitration = submitted_note(territory, manager)
    client = client_for(persona)
    assert client.get(reverse("governance:arbitration", args=[arbitration.pk])).status_code == 404
    assert _decide(client, arbitration, outcome="rejected", comment="Non.").status_code == 404


def test_a_referent_cannot_see_a_draft(territory: Territory, manager, referent, client_for) -> None:
    arbitration = ready_note(territory, manager)
    client = client_for("referent")
    assert client.get(reverse("governance:arbitration", args=[arbitration.pk])).status_code == 404
    listing = client.get(reverse("governance:arbitrations", args=[territory.programme.pk]))
    assert arbitration not in listing.context["arbitrations"]


def test_the_referent_decides_online(territory: Territory, manager, referent, client_for) -> None:
    arbitration = submitted_note(territory, manager)
    response = _decide(
        client_for("referent"),
        arbitration,
        outcome="approved",
        option=option(arbitration, "B").pk,
        comment="Oui.",
    )
    assert response.status_code == 302
    arbitration.refresh_from_db()
    assert (arbitration.status, arbitration.outcome, arbitration.chosen_option.letter) == (
        ArbitrationStatus.DECIDED,
        ArbitrationOutcome.APPROVED,
        "B",
    )


def test_a_rejection_without_a_comment_is_refused_with_a_french_message(
    territory: Territory, manager, referent, client_for
) -> None:
    arbitration = submitted_note(territory, manager)
    response = _decide(client_for("referent"), arbitration, outcome="rejected", comment="")
    assert response.status_code == 400
    assert "Motivez la décision" in response.content.decode()
    assert Arbitration.objects.get(pk=arbitration.pk).status == ArbitrationStatus.SUBMITTED


def test_the_referent_cannot_decide_a_note_put_to_a_body(
    territory: Territory, manager, referent, client_for
) -> None:
    committee = CommitteeFactory(programme=territory.programme, kind=CommitteeKind.PROJECT_COMMITTEE)
    arbitration = submitted_note(
        territory, manager, decision_level=DecisionLevel.PROJECT_COMMITTEE, committee=committee
    )
    response = _decide(client_for("referent"), arbitration, outcome="rejected", comment="Non.")
    assert response.status_code == 403
    assert Arbitration.objects.get(pk=arbitration.pk).status == ArbitrationStatus.SUBMITTED


def test_the_manager_records_a_body_decision_but_not_for_the_referent(
    territory: Territory, manager, referent, client_for
) -> None:
    committee = CommitteeFactory(programme=territory.programme, kind=CommitteeKind.PROJECT_COMMITTEE)
    meeting = held_meeting(territory, committee=committee)
    body_note = submitted_note(
        territory, manager, decision_level=DecisionLevel.PROJECT_COMMITTEE, committee=committee
    )
    client = client_for("manager")
    url = reverse("governance:arbitration_record_decision", args=[body_note.pk])
    assert (
        client_for("referent")
        .post(url, {"meeting": meeting.pk, "outcome": "rejected", "comment": "Non."})
        .status_code
        == 403
    )
    response = client.post(
        url, {"meeting": meeting.pk, "outcome": "approved", "option": option(body_note, "A").pk}
    )
    assert response.status_code == 302
    assert Decision.objects.get(arbitration=body_note).meeting == meeting
    referent_note = submitted_note(
        territory, manager, title="Pour l'élu", operation=OperationFactory(programme=territory.programme)
    )
    url = reverse("governance:arbitration_record_decision", args=[referent_note.pk])
    assert (
        client.post(url, {"meeting": meeting.pk, "outcome": "rejected", "comment": "Non."}).status_code == 403
    )


def test_a_referent_cannot_edit_or_submit_a_note(territory: Territory, manager, referent, client_for) -> None:
    arbitration = submitted_note(territory, manager)
    client = client_for("referent")
    assert client.get(reverse("governance:arbitration_edit", args=[arbitration.pk])).status_code == 403
    assert client.post(reverse("governance:arbitration_submit", args=[arbitration.pk])).status_code == 403
