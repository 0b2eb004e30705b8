"""Network events attended (Club PVD, regional meetings, webinars) with their notes: list and filters, page and
history, create and edit with optimistic locking, who reads and who writes."""

import datetime

import pytest
from django.urls import reverse

from operations.models import NetworkEvent
from operations.participation.models import NetworkEventKind
from operations.participation.services import sheets as services
from partners.models import Theme
from tests.conftest import Territory
from tests.operations.participation_factories import NetworkEventFactory

D = datetime.date


def theme(code: str) -> Theme:
    return Theme.objects.get(code=code)


def list_url(t: Territory, query: str = "") -> str:
    return reverse("operations:network", args=[t.programme.pk]) + query


def titles(response) -> list[str]:
    return [event.title for event in response.context["listing"].page]


@pytest.fixture
def events(territory: Territory) -> dict[str, NetworkEvent]:
    return {
        "club": NetworkEventFactory(
            programme=territory.programme,
            kind=NetworkEventKind.CLUB_PVD,
            title="Club PVD Grand Est",
            date=D(2026, 6, 5),
            themes=[theme("commerce")],
        ),
        "webinar": NetworkEventFactory(
            programme=territory.programme,
            kind=NetworkEventKind.WEBINAR,
            title="Webinaire ANCT : vacance commerciale",
            date=D(2025, 11, 20),
            themes=[theme("commerce"), theme("habitat")],
        ),
        "foreign": NetworkEventFactory(programme=territory.other_programme, title="Club de Joinville"),
    }


def test_the_list_shows_the_programme_events_newest_first(client_for, events, territory: Territory) -> None:
    assert titles(client_for("partner").get(list_url(territory))) == [
        "Club PVD Grand Est",
        "Webinaire ANCT : vacance commerciale",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kind=webinar", ["Webinaire ANCT : vacance commerciale"]),
        ("?year=2026", ["Club PVD Grand Est"]),
        ("?theme=habitat", ["Webinaire ANCT : vacance commerciale"]),
        ("?theme=commerce&year=2025", ["Webinaire ANCT : vacance commerciale"]),
        ("?kind=training", []),
    ],
)
def test_the_list_filters_by_kind_year_and_theme(
    client_for, events, territory: Territory, query, expected
) -> None:
    assert titles(client_for("manager").get(list_url(territory, query))) == expected


def test_the_list_is_paginated(client_for, territory: Territory) -> None:
    for n in range(25):
        NetworkEventFactory(programme=territory.programme, date=D(2026, 1, 1) + datetime.timedelta(days=n))
    response = client_for("manager").get(list_url(territory, "?kind=club_pvd&page=2"))
    page = response.context["listing"].page
    assert (page.number, len(page), page.paginator.count) == (2, 5, 25)
    assert "?kind=club_pvd&amp;page=1" in response.content.decode()


@pytest.mark.parametrize("factor", [1, 10])
def test_list_query_budget_is_flat(
    client_for, territory: Territory, factor: int, django_assert_num_queries
) -> None:
    for n in range(3 * factor):
        NetworkEventFactory(
            programme=territory.programme,
            organiser=territory.epci,
            date=D(2020 + n % 5, 3, 1),
            themes=[theme("habitat"), theme("commerce")],
        )
    client = client_for("manager")
    # session, user, memberships (scope), programme + EPCI, years, themes (form), count, events + organiser,
    # their themes, menu: programmes, session refresh (savepoint, update, release)
    with django_assert_num_queries(14):  # +1: the bell's unread count (issue 8)
        response = client.get(list_url(territory, "?theme=habitat"))
    assert response.context["listing"].page.paginator.count == 3 * factor


def test_a_manager_records_an_event_with_its_notes(client_for, manager, territory: Territory) -> None:
    response = client_for("manager").post(
        reverse("operations:network_create", args=[territory.programme.pk]),
        {
            "kind": "regional",
            "title": "Rencontre départementale PVD à Chaumont",
            "date": "2026-10-08",
            "organiser": territory.epci.pk,
            "place": "Chaumont",
            "themes": [theme("habitat").pk],
            "notes": "Présentation du permis de louer.",
            "takeaways": "Étudier le permis de louer pour Wassy.",
        },
    )
    event = NetworkEvent.objects.get(title="Rencontre départementale PVD à Chaumont")
    assert response["Location"] == reverse("operations:network_event", args=[event.pk])
    assert (event.kind, event.programme, list(event.themes.all())) == (
        "regional",
        territory.programme,
        [theme("habitat")],
    )
    assert event.history.latest().history_user == manager


def test_the_event_page_shows_the_notes_and_who_changed_what(client_for, manager, events) -> None:
    event = events["club"]
    services.network_event_update(
        event=event, by=manager, changes={"notes": "Visite de la halle."}, expected_version=1
    )
    html = client_for("referent").get(reverse("operations:network_event", args=[event.pk])).content.decode()
    assert "Visite de la halle." in html
    assert "Historique des modifications" in html and "Camille Martin" in html
    assert (
        reverse("operations:network_edit", args=[event.pk]) not in html
    )  # the referent reads, does not edit


def test_a_stale_edit_is_refused_and_nothing_is_saved(client_for, manager, events) -> None:
    event = events["club"]
    services.network_event_update(
        event=event, by=manager, changes={"notes": "Première version"}, expected_version=1
    )
    response = client_for("manager").post(
        reverse("operations:network_edit", args=[event.pk]),
        {"kind": "club_pvd", "title": "Titre écrasé", "date": "2026-06-05", "version": 1},
        follow=True,
    )
    assert "a été modifié par Camille Martin" in response.content.decode()
    event.refresh_from_db()
    assert (event.title, event.notes) == ("Club PVD Grand Est", "Première version")


def test_a_bad_date_is_a_french_form_error(client_for, territory: Territory) -> None:
    response = client_for("manager").post(
        reverse("operations:network_create", args=[territory.programme.pk]),
        {"kind": "webinar", "title": "Sans date", "date": "demain"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["Saisissez une date valide."]
    assert not NetworkEvent.objects.filter(title="Sans date").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 200),
        ("referent", 200),
        ("partner", 200),
        ("mayor_of_wassy", 404),
        ("operator", 404),
        ("outsider", 404),
    ],
)
def test_network_notes_are_for_the_programme_readers(client_for, events, persona, status) -> None:
    assert (
        client_for(persona).get(reverse("operations:network_event", args=[events["club"].pk])).status_code
        == status
    )
