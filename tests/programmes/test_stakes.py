"""Stakes (enjeux): grouped by theme, what each mayor reads, create/edit with their sources, export, budget."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from programmes.models import Stake, StakePriority
from programmes.services import documents as services
from pvd.concurrency import StaleObjectError
from tests.conftest import Territory
from tests.factories import ProgrammeFactory
from tests.programmes.factories import DocumentFactory, StakeFactory, theme


@pytest.fixture
def stakes(territory: Territory) -> dict[str, Stake]:
    """One stake of Wassy, one of La Porte du Der, one common to the programme, one of another programme."""
    return {
        "wassy": StakeFactory(
            programme=territory.programme,
            commune=territory.wassy,
            title="Vacance commerciale à Wassy",
            theme=theme("commerce"),
            priority=StakePriority.HIGH,
        ),
        "lpdd": StakeFactory(
            programme=territory.programme,
            commune=territory.la_porte_du_der,
            title="Habitat dégradé à Montier-en-Der",
            theme=theme("habitat"),
        ),
        "common": StakeFactory(
            programme=territory.programme,
            title="Adapter les logements au vieillissement",
            theme=theme("habitat"),
            priority=StakePriority.LOW,
        ),
        "elsewhere": StakeFactory(programme=territory.other_programme, title="Enjeu de Joinville"),
    }


def listed(client, territory: Territory, **params: object) -> list[tuple[str, list[str]]]:
    response = client.get(reverse("programmes:stakes", args=[territory.programme.pk]), params)
    return [(group_theme.name, [s.title for s in rows]) for group_theme, rows in response.context["groups"]]


def test_the_list_groups_stakes_by_theme_in_the_programme_order(
    client_for, manager, stakes, territory
) -> None:
    assert listed(client_for("manager"), territory) == [
        (
            "Rénovation de l'habitat",
            ["Habitat dégradé à Montier-en-Der", "Adapter les logements au vieillissement"],
        ),
        ("Commerces, services et activités", ["Vacance commerciale à Wassy"]),
    ]


def test_the_mayor_of_wassy_reads_her_commune_and_the_programme_wide_stakes(
    client_for, mayor_of_wassy, stakes, territory
) -> None:
    assert listed(client_for("mayor_of_wassy"), territory) == [
        ("Rénovation de l'habitat", ["Adapter les logements au vieillissement"]),
        ("Commerces, services et activités", ["Vacance commerciale à Wassy"]),
    ]


def test_filters_by_commune_priority_and_theme(client_for, manager, stakes, territory) -> None:
    client = client_for("manager")
    assert listed(client, territory, commune="programme") == [
        ("Rénovation de l'habitat", ["Adapter les logements au vieillissement"])
    ]
    assert listed(client, territory, commune=territory.wassy.pk) == [
        ("Commerces, services et activités", ["Vacance commerciale à Wassy"])
    ]
    assert listed(client, territory, priority=StakePriority.LOW) == [
        ("Rénovation de l'habitat", ["Adapter les logements au vieillissement"])
    ]
    assert listed(client, territory, theme=theme("mobilite").pk) == []


def test_manager_records_a_stake_sourced_from_two_documents(
    client_for, manager, territory: Territory
) -> None:
    scot = DocumentFactory(programme=territory.programme, title="SCoT")
    study = DocumentFactory(programme=territory.programme, title="Étude commerce")
    response = client_for("manager").post(
        reverse("programmes:stake_create", args=[territory.programme.pk]),
        {
            "title": "Résorber la vacance commerciale",
            "theme": theme("commerce").pk,
            "commune": territory.wassy.pk,
            "priority": StakePriority.HIGH,
            "description": "",
            "sources": [scot.pk, study.pk],
        },
    )
    stake = Stake.objects.get()
    assert response["Location"] == reverse("programmes:stake_detail", args=[stake.pk])
    assert (stake.commune, stake.priority) == (territory.wassy, StakePriority.HIGH)
    assert set(stake.sources.all()) == {scot, study}
    assert stake.history.latest().history_user == manager


def test_a_source_from_another_programme_is_refused(manager, territory: Territory) -> None:
    foreign = DocumentFactory(programme=territory.other_programme, title="PLU de Joinville")
    with pytest.raises(ValidationError) as refusal:
        services.stake_create(
            programme=territory.programme,
            by=manager,
            title="Enjeu",
            theme=theme("habitat"),
            priority=StakePriority.MEDIUM,
            sources=[foreign],
        )
    assert refusal.value.message_dict == {"sources": ["Documents d'un autre programme : PLU de Joinville."]}


def test_a_commune_outside_the_programme_is_refused(manager, territory: Territory) -> None:
    with pytest.raises(ValidationError) as refusal:
        services.stake_create(
            programme=territory.programme,
            by=manager,
            title="Enjeu",
            theme=theme("habitat"),
            priority=StakePriority.MEDIUM,
            commune=territory.saint_dizier,
        )
    assert refusal.value.message_dict == {"commune": ["Hors du programme : Saint-Dizier."]}


def test_a_stale_stake_edit_is_refused(manager, stakes) -> None:
    stake = stakes["wassy"]
    fields = {"theme": stake.theme, "priority": 1, "commune": stake.commune, "description": "", "sources": []}
    services.stake_update(stake=stake, expected_version=1, by=manager, title="Première saisie", **fields)
    with pytest.raises(StaleObjectError):
        services.stake_update(stake=stake, expected_version=1, by=manager, title="Seconde saisie", **fields)
    stake.refresh_from_db()
    assert (stake.title, stake.version) == ("Première saisie", 2)


def test_the_mayor_of_la_porte_du_der_cannot_open_a_wassy_stake(client_for, mayor_of_la_porte_du_der, stakes):
    url = reverse("programmes:stake_detail", args=[stakes["wassy"].pk])
    assert client_for("mayor_of_la_porte_du_der").get(url).status_code == 404


def test_the_export_has_only_the_rows_the_user_reads(client_for, mayor_of_wassy, stakes, territory) -> None:
    stakes["wassy"].sources.set([DocumentFactory(programme=territory.programme, title="Étude commerce")])
    response = client_for("mayor_of_wassy").get(
        reverse("programmes:stakes_export", args=[territory.programme.pk])
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows == [
        ("Thème", "Enjeu", "Commune", "Priorité", "Description", "Documents sources"),
        (
            "Rénovation de l'habitat",
            "Adapter les logements au vieillissement",
            "Tout le programme",
            "Secondaire",
            None,
            None,
        ),
        (
            "Commerces, services et activités",
            "Vacance commerciale à Wassy",
            "Wassy",
            "Prioritaire",
            None,
            "Étude commerce",
        ),
    ]


def grow(territory: Territory, factor: int) -> None:
    for n in range(3 * factor):
        stake = StakeFactory(
            programme=territory.programme,
            commune=territory.wassy if n % 2 else None,
            theme=theme(["habitat", "commerce", "mobilite"][n % 3]),
        )
        stake.sources.set([DocumentFactory(programme=territory.programme)])
        StakeFactory(programme=ProgrammeFactory(epci=territory.other_epci))


@pytest.mark.parametrize("factor", [1, 10])
def test_stake_list_query_budget_is_flat(
    client_for, mayor_of_wassy, territory: Territory, factor: int, django_assert_num_queries
) -> None:
    grow(territory, factor)
    client = client_for("mayor_of_wassy")
    # session, user, memberships (scope), programme + EPCI (mayor rule), its communes, themes (filter choices),
    # stakes + theme + commune, their sources, menu: the mayor's communes,
    # session refresh (savepoint, update, release)
    with django_assert_num_queries(13):  # +1: the bell's unread count (issue 8)
        response = client.get(reverse("programmes:stakes", args=[territory.programme.pk]))
    assert response.context["count"] == 3 * factor
