"""Home, programme overview and commune page: what each persona reads, and a flat query budget."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from operations.models import ProgressReport
from pvd.accounts.models import Role
from tests.conftest import Territory
from tests.factories import (
    CommuneFactory,
    HousingProgrammeFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.operations.factories import OperationFactory, PhaseFactory

NBSP = "\xa0"


def grow(territory: Territory, factor: int) -> None:
    """Multiply what the pages read: programmes, team members, housing programmes, history entries."""
    for n in range(factor):
        commune = CommuneFactory(epci=territory.epci)
        ProgrammeFactory(epci=territory.epci, communes=[commune])
        MembershipFactory(user=UserFactory(), role=Role.PARTNER, programme=territory.programme)
        HousingProgrammeFactory(owner=territory.epci, communes=[territory.wassy, territory.la_porte_du_der])
        territory.programme.ends_on = datetime.date(2027, 1, 1) + datetime.timedelta(days=n)
        territory.programme.save()
        territory.wassy.population = 2771 + n + 1
        territory.wassy.save()


def test_mayor_lands_on_her_commune_page(client_for, mayor_of_wassy) -> None:
    response = client_for("mayor_of_wassy").get("/")
    assert response.status_code == 302
    assert response["Location"] == "/communes/52550/"


def test_manager_with_one_programme_lands_on_its_overview(client_for, manager, territory) -> None:
    response = client_for("manager").get("/")
    assert response["Location"] == f"/programmes/{territory.programme.pk}/"


def test_user_without_active_role_is_told_so(db) -> None:
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200
    assert "aucun rôle actif" in response.content.decode()


def test_commune_page_shows_the_commune_its_programme_and_key_dates(client_for, mayor_of_wassy) -> None:
    page = client_for("mayor_of_wassy").get("/communes/52550/").content.decode()
    assert "<h1>Wassy</h1>" in page
    assert f"2{NBSP}771 habitants" in page
    assert "PVD Wassy et La Porte du Der" in page
    assert "29/10/2021" in page  # convention d'adhésion
    assert "31/12/2026" in page  # end of the programme
    assert "CA du Grand Saint-Dizier Der et Vallées" in page


def test_commune_page_lists_former_codes_of_a_commune_nouvelle(client_for, mayor_of_la_porte_du_der) -> None:
    page = client_for("mayor_of_la_porte_du_der").get("/communes/52331/").content.decode()
    assert "52427" in page


def test_programme_overview_shows_communes_team_and_dates(client_for, manager, referent, territory) -> None:
    page = client_for("referent").get(f"/programmes/{territory.programme.pk}/").content.decode()
    assert "Wassy" in page and "La Porte du Der" in page
    assert "Camille Martin" in page and "Jean-Marc Lefèvre" in page
    assert "Modifier les dates clés" not in page  # the referent reads, the manager edits


def test_programme_overview_offers_editing_to_its_manager(client_for, manager, territory) -> None:
    page = client_for("manager").get(f"/programmes/{territory.programme.pk}/").content.decode()
    assert reverse("programmes:edit", args=[territory.programme.pk]) in page


def test_an_ended_membership_no_longer_opens_the_page(territory, client_for) -> None:
    former_mayor = UserFactory()
    MembershipFactory(
        user=former_mayor,
        role=Role.MAYOR,
        commune=territory.wassy,
        valid_from=datetime.date(2020, 7, 1),
        valid_until=datetime.date(2026, 3, 27),
    )
    client = Client()
    client.force_login(former_mayor)
    assert client.get("/communes/52550/").status_code == 404


def test_a_membership_starting_tomorrow_does_not_open_the_page_yet(territory) -> None:
    future = UserFactory()
    MembershipFactory(
        user=future,
        role=Role.MAYOR,
        commune=territory.wassy,
        valid_from=datetime.date.today() + datetime.timedelta(days=1),
    )
    client = Client()
    client.force_login(future)
    assert client.get("/communes/52550/").status_code == 404


def grow_operations(territory: Territory, factor: int) -> None:
    """Operations of Wassy for the commune page, each with weighted phases and journal entries."""
    for n in range(factor):
        operation = OperationFactory(
            programme=territory.programme, owner=territory.wassy, communes=[territory.wassy], status="works"
        )
        PhaseFactory(operation=operation, progress=Decimal("0.5"))
        PhaseFactory(operation=operation, weight=Decimal(3))
        for day in (1, 2):
            ProgressReport.objects.create(
                operation=operation,
                reported_on=datetime.date(2026, 11, day),
                author=UserFactory(),
                weather="on_track",
                text=f"Point n° {n}",
            )


@pytest.mark.parametrize("factor", [1, 10])
def test_commune_page_query_budget_is_flat(
    client_for, mayor_of_wassy, territory, factor, django_assert_num_queries
) -> None:
    grow(territory, factor)
    grow_operations(territory, factor)
    client = client_for("mayor_of_wassy")
    # session, user, memberships (scope), commune + EPCI, menu: the mayor's communes, programmes,
    # the commune's operations (progress, lateness and latest journal entry as subqueries: one query),
    # their money (operations with eligible cost, subsidies grouped by operation and funder: two queries),
    # housing programmes and their aggregates for the commune (those the user opens, files by stage, committed
    # aid, payments: four queries whatever the number of files), history (records + authors), names of the FKs in
    # the history (EPCI), session refresh (savepoint, update, release: sliding expiry); the empty programme menu
    # costs none; issue 10 (H4): the consultations' deadlines (1), the subsidies' deadlines (1: no scheme here),
    # indicators (1), the visit recorded (select, then savepoint + insert + release on this first visit: 4)
    with django_assert_num_queries(28):  # +2: the bell's unread count and the next meeting (issue 8)
        assert client.get("/communes/52550/").status_code == 200


@pytest.mark.parametrize("factor", [1, 10])
def test_programme_page_query_budget_is_flat(
    client_for, manager, territory, factor, django_assert_num_queries
) -> None:
    grow(territory, factor)
    client = client_for("manager")
    # session, user, memberships (scope), programme + EPCI, its communes, its team + users,
    # menu: programmes, housing programmes, history (records + authors), history of the communes list,
    # names in the history (EPCI and communes, one query), session refresh (savepoint, update, release);
    # the empty communes menu costs none
    with django_assert_num_queries(
        16
    ):  # +2: the bell's unread count and the active alerts of the governance card (issue 8)
        assert client.get(f"/programmes/{territory.programme.pk}/").status_code == 200


@pytest.mark.parametrize("factor", [1, 10])
def test_home_query_budget_is_flat(client_for, manager, territory, factor, django_assert_num_queries) -> None:
    grow(territory, factor)
    MembershipFactory(user=manager, role=Role.MANAGER, housing_programme=territory.opah_ru)  # -> the chooser
    client = client_for("manager")
    # session, user, memberships (scope), programmes: count + page (with EPCI) + their communes,
    # housing programmes: count + page (with owner/operator/programme), menu: programmes,
    # session refresh (savepoint, update, release); no mayor role, so no communes query
    with django_assert_num_queries(13):  # +1: the bell's unread count (issue 8)
        assert client.get("/").status_code == 200


def test_history_panel_shows_who_added_a_commune_to_the_programme(client_for, manager, territory) -> None:
    from pvd.history import history_entries

    saint_dizier = territory.saint_dizier
    territory.programme._history_user = manager
    territory.programme.communes.add(saint_dizier)
    latest = history_entries(territory.programme)[0]
    change = next(c for c in latest.changes if c.label == "Communes lauréates")
    assert change.old == "La Porte du Der, Wassy"
    assert change.new == "La Porte du Der, Saint-Dizier, Wassy"


def test_an_administrator_home_is_paginated_by_twenty(client_for, staff, territory) -> None:
    for _ in range(25):
        ProgrammeFactory(epci=territory.epci)
    client = client_for("staff")
    first = client.get("/").content.decode()
    assert "Page 1 sur 2" in first
    assert first.count('class="card h-100"') == 20
    second = client.get("/?page=2").content.decode()
    assert second.count('class="card h-100"') == 7  # 25 + the two of the territory fixture


def test_the_mayor_reaches_the_programme_strategy_from_her_commune_page(
    client_for, mayor_of_wassy, territory
) -> None:
    client = client_for("mayor_of_wassy")
    page = client.get("/communes/52550/").content.decode()
    strategy = reverse("programmes:strategy", args=[territory.programme.pk])
    assert strategy in page
    assert client.get(strategy).status_code == 200
