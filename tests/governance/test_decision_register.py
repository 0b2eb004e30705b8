"""Decisions per agenda item and the decision register (issue 8, H2): recording a decision on a point of a held
meeting (dated on the meeting's day, by its body, links defaulted from the point, votes checked), editing it (stale
refused), its page with the deliberation's enforceability, the register's search and filters, what mayors see of an
arbitration, the query budget at 1× and 10×, the XLSX export, and the selectors other areas call."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from pvd.governance.models import AttendanceStatus, Decision, VoteKind
from pvd.governance.selectors.decisions import decisions_of_programme, recent_decisions
from pvd.governance.services import decisions as services
from tests.conftest import Territory
from tests.governance.factories import (
    PARIS,
    AgendaItemFactory,
    ArbitrationFactory,
    AttendanceFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    DecisionFactory,
)
from tests.governance.rows_h2 import h2_rows, held_meeting, planned_meeting
from tests.operations.convention_factories import DeliberationFactory
from tests.operations.factories import OperationFactory
from tests.partners.factories import PersonFactory

D = datetime.date


def _data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "text": "Le comité valide le report de la phase travaux au printemps.",
        "vote": VoteKind.NONE,
        "votes_for": "",
        "votes_against": "",
        "abstentions": "",
        "operation": "",
        "need": "",
        "arbitration": "",
        "deliberation": "",
    }
    data.update({k: ("" if v is None else v) for k, v in overrides.items()})
    return data


def _voting_members(meeting, present: int, members: int = 5) -> None:
    """`members` voting members of the meeting's body, the first `present` of them present."""
    for n in range(members):
        person = PersonFactory()
        CommitteeMemberFactory(committee=meeting.committee, organisation=None, person=person)
        AttendanceFactory(
            meeting=meeting,
            person=person,
            name=str(person),
            status=AttendanceStatus.PRESENT if n < present else AttendanceStatus.EXCUSED,
        )


def _decided_arbitration(territory: Territory, **fields: object):
    return ArbitrationFactory(
        programme=territory.programme,
        status="decided",
        outcome="rejected",
        decided_at=datetime.datetime(2026, 11, 10, 9, 0, tzinfo=PARIS),
        snapshot={"title": "Arbitrage"},
        **fields,
    )


# --- Recording a decision ----------------------------------------------------------------------------------------


def test_a_manager_records_a_decision_dated_on_the_meeting_day_by_its_body_with_the_items_links(
    territory: Territory, client_for, manager
) -> None:
    operation = OperationFactory(programme=territory.programme, code="W-03", owner=territory.wassy)
    committee = CommitteeFactory(programme=territory.programme, name="Comité de projet PVD")
    meeting = held_meeting(territory, committee=committee)
    item = AgendaItemFactory(meeting=meeting, operation=operation, title="Place de la République")
    client = client_for("manager")
    url = reverse("governance:decision_create", args=[item.pk])
    form = client.get(url).context["form"]
    assert form.initial["operation"] == operation.pk
    response = client.post(url, _data(operation=operation.pk))
    decision = Decision.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "governance:decision", args=[decision.pk]
    )
    assert (decision.decided_on, decision.decided_by) == (D(2026, 10, 6), "Comité de projet PVD")
    assert (decision.meeting, decision.agenda_item, decision.operation) == (meeting, item, operation)
    assert decision.programme == territory.programme and decision.recorded_by == manager
    assert decision.history.first().history_user == manager


def test_a_decision_cannot_be_recorded_before_the_meeting_is_held(territory: Territory, client_for) -> None:
    item = AgendaItemFactory(meeting=planned_meeting(territory))
    client = client_for("manager")
    url = reverse("governance:decision_create", args=[item.pk])
    assert "pas encore eu lieu" in client.get(url).content.decode()
    response = client.post(url, _data())
    assert "pas encore eu lieu" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_unanimous_decision_with_votes_against_is_refused(territory: Territory, client_for) -> None:
    item = AgendaItemFactory(meeting=held_meeting(territory))
    response = client_for("manager").post(
        reverse("governance:decision_create", args=[item.pk]),
        _data(vote=VoteKind.UNANIMOUS, votes_for=4, votes_against=1),
    )
    assert response.status_code == 200
    assert "Une décision prise à l&#x27;unanimité n&#x27;a aucune voix contre." in response.content.decode()
    assert not Decision.objects.exists()


def test_votes_beyond_the_voting_members_present_are_refused(territory: Territory, client_for) -> None:
    meeting = held_meeting(territory)
    _voting_members(meeting, present=3)
    item = AgendaItemFactory(meeting=meeting)
    url = reverse("governance:decision_create", args=[item.pk])
    client = client_for("manager")
    response = client.post(url, _data(vote=VoteKind.MAJORITY, votes_for=3, votes_against=1))
    assert "4 voix exprimées ou abstentions pour 3 membres" in response.content.decode()
    assert not Decision.objects.exists()
    response = client.post(url, _data(vote=VoteKind.MAJORITY, votes_for=2, votes_against=1))
    assert response.status_code == 302
    assert Decision.objects.get().votes_for == 2


def test_a_majority_needs_more_votes_for_than_against(territory: Territory, manager) -> None:
    item = AgendaItemFactory(meeting=held_meeting(territory))
    with pytest.raises(Exception, match="voix pour doivent dépasser"):
        services.decision_create(
            item=item, by=manager, text="x", vote=VoteKind.MAJORITY, votes_for=2, votes_against=2
        )
    assert not Decision.objects.exists()


def test_a_deliberation_of_another_programme_is_not_offered(territory: Territory, client_for) -> None:
    other = DeliberationFactory(organisation=territory.other_commune, programme=territory.other_programme)
    item = AgendaItemFactory(meeting=held_meeting(territory))
    response = client_for("manager").post(
        reverse("governance:decision_create", args=[item.pk]), _data(deliberation=other.pk)
    )
    assert response.status_code == 200 and response.context["form"].errors["deliberation"]
    assert not Decision.objects.exists()


@pytest.mark.parametrize("persona", ["referent", "partner", "mayor_of_wassy"])
def test_only_a_manager_records_a_decision(territory: Territory, client_for, persona: str) -> None:
    item = AgendaItemFactory(meeting=held_meeting(territory))
    response = client_for(persona).post(reverse("governance:decision_create", args=[item.pk]), _data())
    assert response.status_code == 403 and not Decision.objects.exists()


# --- Editing and the decision page ------------------------------------------------------------------------------


def test_a_stale_edit_of_a_decision_is_refused(territory: Territory, client_for) -> None:
    decision = h2_rows(territory).decision
    stale = decision.version
    client = client_for("manager")
    url = reverse("governance:decision_edit", args=[decision.pk])
    first = client.post(url, _data(text="Première correction.", version=stale))
    assert first.status_code == 302, first.context["form"].errors
    response = client.post(url, _data(text="Correction périmée.", version=stale))
    assert response.status_code == 200
    decision.refresh_from_db()
    assert decision.text == "Première correction."


def test_a_decision_taken_online_on_an_arbitration_is_not_edited_here(
    territory: Territory, client_for
) -> None:
    decision = h2_rows(territory).online_decision
    response = client_for("manager").post(
        reverse("governance:decision_edit", args=[decision.pk]),
        _data(text="Autre.", version=decision.version),
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.text == "Option A retenue."


def test_the_decision_page_shows_the_deliberation_not_yet_enforceable_and_what_is_missing(
    territory: Territory, client_for
) -> None:
    deliberation = DeliberationFactory(
        organisation=territory.epci, programme=territory.programme, number="CC-2026-14", published_on=None
    )
    decision = h2_rows(territory).decision
    Decision.objects.filter(pk=decision.pk).update(deliberation=deliberation)
    page = (
        client_for("mayor_of_wassy").get(reverse("governance:decision", args=[decision.pk])).content.decode()
    )
    assert "Délibération n° CC-2026-14" in page
    assert "Pas encore exécutoire" in page and "manque la publication" in page
    assert "06/10/2026" in page and "Historique des modifications" in page


def test_a_mayor_reads_a_decision_taken_on_an_arbitration_without_a_link_to_the_internal_note(
    territory: Territory, client_for
) -> None:
    decision = h2_rows(territory).online_decision
    url = reverse("governance:decision", args=[decision.pk])
    arbitration_url = reverse("governance:arbitration", args=[decision.arbitration_id])
    mayor_page = client_for("mayor_of_wassy").get(url).content.decode()
    assert "Option A retenue." in mayor_page and arbitration_url not in mayor_page
    assert decision.arbitration.reference not in mayor_page
    assert arbitration_url in client_for("manager").get(url).content.decode()
    assert arbitration_url in client_for("referent").get(url).content.decode()


# --- The register ------------------------------------------------------------------------------------------------


def _register(client, territory: Territory, **params: object):
    return client.get(reverse("governance:decisions", args=[territory.programme.pk]), params)


def _texts(response) -> list[str]:
    return [d.text for d in response.context["decisions"]]


def test_the_register_searches_text_body_and_operation(territory: Territory, client_for) -> None:
    operation = OperationFactory(programme=territory.programme, code="W-07", title="Halle du marché")
    cotech = CommitteeFactory(programme=territory.programme, name="COTECH OPAH-RU")
    meeting = held_meeting(territory, committee=cotech)
    DecisionFactory(
        programme=territory.programme, meeting=meeting, decided_by=cotech.name, text="Avis sur la halle"
    )
    DecisionFactory(programme=territory.programme, text="Lancer la consultation", operation=operation)
    DecisionFactory(programme=territory.programme, text="Autre sujet")
    DecisionFactory(programme=territory.other_programme, text="Lancer ailleurs")
    client = client_for("manager")
    assert _texts(_register(client, territory, q="w-07")) == ["Lancer la consultation"]
    assert _texts(_register(client, territory, q="marché")) == ["Lancer la consultation"]
    assert _texts(_register(client, territory, q="cotech")) == ["Avis sur la halle"]
    assert sorted(_texts(_register(client, territory, q="lancer"))) == ["Lancer la consultation"]


def test_the_register_filters_by_body_year_operation_deliberation_and_online_decisions(
    territory: Territory, client_for
) -> None:
    rows = h2_rows(territory)
    operation = OperationFactory(programme=territory.programme)
    deliberation = DeliberationFactory(organisation=territory.epci, programme=territory.programme)
    DecisionFactory(
        programme=territory.programme, decided_on=D(2025, 6, 3), text="En 2025", operation=operation
    )
    DecisionFactory(programme=territory.programme, text="Avec délibération", deliberation=deliberation)
    client = client_for("referent")
    committee = rows.meeting.committee
    assert _texts(_register(client, territory, instance=committee.pk)) == [rows.decision.text]
    assert _texts(_register(client, territory, instance="referent"))[0] == "Option A retenue."
    assert _texts(_register(client, territory, annee=2025)) == ["En 2025"]
    assert _texts(_register(client, territory, operation=operation.pk)) == ["En 2025"]
    assert _texts(_register(client, territory, deliberation="1")) == ["Avec délibération"]
    assert len(_texts(_register(client, territory, annee="abc"))) == 4  # an invalid filter is ignored


def test_the_register_marks_decisions_whose_deliberation_is_not_yet_enforceable(
    territory: Territory, client_for
) -> None:
    pending = DeliberationFactory(
        organisation=territory.epci, programme=territory.programme, transmitted_on=None
    )
    DecisionFactory(programme=territory.programme, text="Approuver l'avenant", deliberation=pending)
    page = _register(client_for("partner"), territory).content.decode()
    assert "Pas encore exécutoire" in page and f"n° {pending.number}" in page


def test_a_mayor_sees_the_decision_of_an_arbitration_in_the_register_but_no_link_to_the_note(
    territory: Territory, client_for
) -> None:
    decision = h2_rows(territory).online_decision
    arbitration_url = reverse("governance:arbitration", args=[decision.arbitration_id])
    page = _register(client_for("mayor_of_la_porte_du_der"), territory).content.decode()
    assert "Option A retenue." in page and arbitration_url not in page
    assert arbitration_url in _register(client_for("manager"), territory).content.decode()


def test_the_register_is_paginated_and_keeps_the_filters(territory: Territory, client_for) -> None:
    DecisionFactory.create_batch(30, programme=territory.programme, text="Décision courante")
    response = _register(client_for("manager"), territory, q="courante")
    assert len(response.context["decisions"]) == 25
    page = response.content.decode()
    assert "Page 1 sur 2" in page and "q=courante&amp;page=2" in page


def _register_queries(territory: Territory, client, n: int) -> int:
    cotech = CommitteeFactory(programme=territory.programme)
    meeting = held_meeting(territory, committee=cotech)
    for _ in range(n):
        item = AgendaItemFactory(meeting=meeting)
        operation = OperationFactory(programme=territory.programme)
        deliberation = DeliberationFactory(organisation=territory.epci, programme=territory.programme)
        DecisionFactory(
            programme=territory.programme,
            meeting=meeting,
            agenda_item=item,
            operation=operation,
            deliberation=deliberation,
            vote=VoteKind.MAJORITY,
            votes_for=3,
            votes_against=1,
        )
        DecisionFactory(programme=territory.programme, arbitration=_decided_arbitration(territory))
    with CaptureQueriesContext(connection) as queries:
        assert _register(client, territory).status_code == 200
    Decision.objects.all().delete()
    return len(queries)


@pytest.mark.parametrize("persona", ["manager", "mayor_of_wassy"])
def test_the_register_costs_the_same_queries_for_1_or_10_decisions(
    territory: Territory, client_for, persona: str
) -> None:
    client = client_for(persona)
    assert _register_queries(territory, client, 1) == _register_queries(territory, client, 10)


# --- The export --------------------------------------------------------------------------------------------------


def test_the_export_holds_the_filtered_register_with_dates_as_dates(territory: Territory, client_for) -> None:
    rows = h2_rows(territory)
    DecisionFactory(programme=territory.programme, decided_on=D(2025, 6, 3), text="En 2025")
    response = client_for("manager").get(
        reverse("governance:decisions_export", args=[territory.programme.pk]), {"annee": 2026}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header = values.index(next(r for r in values if r and r[0] == "Date"))
    data = values[header + 1 :]
    assert [r[4] for r in data] == ["Option A retenue.", rows.decision.text]
    assert (
        data[1][0] == datetime.datetime(2026, 10, 6)
        and sheet.cell(header + 3, 1).number_format == "DD/MM/YYYY"
    )
    assert data[0][11] == rows.online_decision.arbitration.reference


def test_the_mayors_export_does_not_name_the_arbitration(territory: Territory, client_for) -> None:
    rows = h2_rows(territory)
    response = client_for("mayor_of_wassy").get(
        reverse("governance:decisions_export", args=[territory.programme.pk])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert rows.online_decision.arbitration.reference not in cells and "Option A retenue." in cells


# --- Selectors called by other areas ------------------------------------------------------------------------------


def test_decisions_of_programme_returns_the_period_oldest_first(territory: Territory) -> None:
    DecisionFactory(programme=territory.programme, decided_on=D(2026, 3, 1), text="Mars")
    DecisionFactory(programme=territory.programme, decided_on=D(2026, 1, 15), text="Janvier")
    DecisionFactory(programme=territory.programme, decided_on=D(2025, 12, 31), text="Avant")
    DecisionFactory(programme=territory.other_programme, decided_on=D(2026, 2, 1), text="Ailleurs")
    found = decisions_of_programme(territory.programme, start=D(2026, 1, 1), end=D(2026, 12, 31))
    assert [d.text for d in found] == ["Janvier", "Mars"]


def test_recent_decisions_are_the_latest_the_user_sees(territory: Territory, manager, outsider) -> None:
    for day in (1, 2, 3):
        DecisionFactory(programme=territory.programme, decided_on=D(2026, 5, day), text=f"Le {day} mai")
    assert [d.text for d in recent_decisions(manager, territory.programme, 2)] == ["Le 3 mai", "Le 2 mai"]
    assert recent_decisions(outsider, territory.programme, 2) == []
