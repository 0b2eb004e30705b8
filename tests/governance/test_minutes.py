"""Minutes of a meeting (issue 8, H2): written once the meeting is held, sanitised with the convention articles'
allow-list, signed and dated, stale edits refused, history shown; the meeting page's minutes and decisions panels."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pvd.concurrency import StaleObjectError
from pvd.governance.models import Meeting, MeetingStatus
from pvd.governance.selectors.decisions import meeting_panels
from pvd.governance.services import minutes as services
from tests.conftest import Territory
from tests.governance.factories import AgendaItemFactory, DecisionFactory
from tests.governance.rows_h2 import held_meeting, planned_meeting


def _post(client, meeting: Meeting, minutes: str, version: int | None = None):
    return client.post(
        reverse("governance:minutes_edit", args=[meeting.pk]),
        {"minutes": minutes, "version": meeting.version if version is None else version},
    )


def test_a_manager_writes_the_minutes_of_a_held_meeting_sanitised_dated_and_signed(
    territory: Territory, client_for, manager
) -> None:
    meeting = held_meeting(territory)
    response = _post(
        client_for("manager"),
        meeting,
        '<h3>Ouverture</h3><p onclick="x()">Le président <strong>ouvre</strong> la séance.</p><script>alert(1)</script>'
        '<a href="https://exemple.fr">lien</a>',
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "governance:meeting", args=[meeting.pk]
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "<h3>Ouverture</h3><p>Le président <strong>ouvre</strong> la séance.</p>lien"
    assert meeting.minutes_written_by == manager and meeting.minutes_written_at is not None
    assert meeting.history.first().history_user == manager


def test_the_minutes_page_shows_the_editor_and_the_history(territory: Territory, client_for) -> None:
    meeting = held_meeting(territory)
    _post(client_for("manager"), meeting, "<p>Première version.</p>")
    page = client_for("manager").get(reverse("governance:minutes_edit", args=[meeting.pk])).content.decode()
    assert 'data-richtext="true"' in page and "js/richtext.js" in page
    assert "Historique des modifications" in page and "Compte rendu" in page


def test_the_minutes_of_a_meeting_not_yet_held_are_refused_with_a_french_message(
    territory: Territory, client_for
) -> None:
    meeting = planned_meeting(territory)
    client = client_for("manager")
    page = client.get(reverse("governance:minutes_edit", args=[meeting.pk])).content.decode()
    assert "La réunion n&#x27;a pas encore eu lieu" in page and "<textarea" not in page
    response = _post(client, meeting, "<p>Trop tôt.</p>")
    assert response.status_code == 200
    assert "La réunion n&#x27;a pas encore eu lieu" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "" and meeting.minutes_written_at is None


def test_the_service_refuses_the_minutes_of_a_cancelled_meeting(territory: Territory, manager) -> None:
    meeting = held_meeting(territory, status=MeetingStatus.CANCELLED)
    with pytest.raises(services.MinutesError, match="annulée"):
        services.minutes_update(
            meeting=meeting, expected_version=meeting.version, by=manager, minutes="<p>x</p>"
        )


def test_a_stale_edit_of_the_minutes_is_refused_and_nothing_is_overwritten(
    territory: Territory, client_for
) -> None:
    meeting = held_meeting(territory)
    stale = meeting.version
    client = client_for("manager")
    _post(client, meeting, "<p>Version de Camille.</p>")
    response = _post(client, meeting, "<p>Version périmée.</p>", version=stale)
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.minutes == "<p>Version de Camille.</p>"
    messages = [str(m) for m in response.context["messages"]]
    assert "Vos modifications n'ont pas été enregistrées" in messages[-1]


def test_the_service_refuses_a_stale_version(territory: Territory, manager) -> None:
    meeting = held_meeting(territory)
    services.minutes_update(meeting=meeting, expected_version=meeting.version, by=manager, minutes="<p>a</p>")
    with pytest.raises(StaleObjectError):
        services.minutes_update(
            meeting=meeting, expected_version=meeting.version, by=manager, minutes="<p>b</p>"
        )


@pytest.mark.parametrize("persona", ["referent", "partner", "mayor_of_wassy"])
def test_only_the_manager_writes_the_minutes(territory: Territory, client_for, persona: str) -> None:
    meeting = held_meeting(territory)
    assert _post(client_for(persona), meeting, "<p>Non.</p>").status_code == 403
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_the_meeting_panels_show_the_sanitised_minutes_and_the_decisions_per_item(
    territory: Territory, manager
) -> None:
    meeting = held_meeting(territory, minutes="<p>Séance <em>ouverte</em>.</p><script>x</script>")
    first = AgendaItemFactory(meeting=meeting, order=1, title="Plan d'actions")
    AgendaItemFactory(meeting=meeting, order=2, title="Questions diverses")
    DecisionFactory(programme=territory.programme, meeting=meeting, agenda_item=first, text="Avis favorable.")
    ctx = {"meeting": meeting, **meeting_panels(manager, meeting)}
    html = render_to_string("governance/partials/_meeting_minutes.html", ctx) + render_to_string(
        "governance/partials/_meeting_decisions.html", ctx
    )
    assert "<p>Séance <em>ouverte</em>.</p>" in html and "<script>" not in html
    assert html.index("1. Plan d&#x27;actions") < html.index("2. Questions diverses")
    assert "Avis favorable." in html and "Aucune décision sur ce point." in html
    assert reverse("governance:decision_create", args=[first.pk]) in html
    assert reverse("governance:meeting_print", args=[meeting.pk, "minutes"]) in html


def test_the_meeting_panels_offer_no_writing_to_a_mayor(territory: Territory, client_for) -> None:
    meeting = held_meeting(territory)
    item = AgendaItemFactory(meeting=meeting)
    mayor = client_for("mayor_of_wassy")
    user = mayor.get(reverse("governance:decisions", args=[territory.programme.pk])).wsgi_request.user
    ctx = {"meeting": meeting, **meeting_panels(user, meeting)}
    html = render_to_string("governance/partials/_meeting_decisions.html", ctx)
    assert reverse("governance:decision_create", args=[item.pk]) not in html
    assert not ctx["can_write_minutes"]


def _panels_queries(territory: Territory, manager, items: int) -> int:
    meeting = held_meeting(territory)
    for _n in range(items):
        item = AgendaItemFactory(meeting=meeting)
        DecisionFactory(programme=territory.programme, meeting=meeting, agenda_item=item)
        DecisionFactory(programme=territory.programme, meeting=meeting, agenda_item=item)
    meeting = Meeting.objects.select_related("committee__programme").get(pk=meeting.pk)
    user = type(manager).objects.get(pk=manager.pk)  # a fresh user: the scope is computed (and cached) once
    with CaptureQueriesContext(connection) as queries:
        meeting_panels(user, meeting)
    return len(queries)


def test_the_meeting_panels_cost_the_same_queries_for_1_or_10_items(territory: Territory, manager) -> None:
    assert _panels_queries(territory, manager, 1) == _panels_queries(territory, manager, 10)


def test_minutes_are_dated_in_paris_time(territory: Territory, manager) -> None:
    meeting = held_meeting(territory)
    saved = services.minutes_update(meeting=meeting, expected_version=meeting.version, by=manager, minutes="")
    assert saved.minutes_written_at.tzinfo is not None
    assert saved.minutes_written_at.date() >= datetime.date(2026, 1, 1)
