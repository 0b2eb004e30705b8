"""The strategy overview: documents → stakes → axes → objectives, counts by theme, and a flat query budget."""

import pytest

from programmes.selectors.project import strategy_overview
from programmes.services import project as services
from tests.programmes.factories import DocumentFactory, NeedFactory, StakeFactory, theme
from tests.programmes.project_rows import freeze, write_version


def counts(overview, code: str) -> tuple[int, int, int, int, int]:
    row = next(row for row in overview.rows if row.theme.code == code)
    return (row.documents, row.stakes, row.needs, row.axes, row.objectives)


@pytest.fixture
def strategy(territory, manager):
    """Two documents, three stakes (Wassy, La Porte du Der, common), two needs, a validated project."""
    programme = territory.programme
    scot = DocumentFactory(programme=programme, title="SCoT")
    scot.themes.set([theme("habitat"), theme("commerce")])
    DocumentFactory(programme=programme, title="Étude commerce").themes.set([theme("commerce")])
    StakeFactory(
        programme=programme, commune=territory.wassy, theme=theme("habitat"), title="Vacance à Wassy"
    )
    StakeFactory(
        programme=programme,
        commune=territory.la_porte_du_der,
        theme=theme("habitat"),
        title="Indigne à Montier",
    )
    StakeFactory(programme=programme, theme=theme("commerce"), title="Commerces des deux bourgs")
    NeedFactory(programme=programme, commune=territory.wassy, theme=theme("mobilite"))
    NeedFactory(programme=programme, commune=territory.la_porte_du_der, theme=theme("mobilite"))
    # axes tied to "habitat", objectives to "commerce" (tests/programmes/project_rows.py)
    return freeze(write_version(programme, axes=2, objectives=3))


def test_overview_counts_each_theme(territory, manager, strategy) -> None:
    overview = strategy_overview(manager, territory.programme)
    assert (overview.documents, overview.stakes, overview.needs, overview.axes, overview.objectives) == (
        2,
        3,
        2,
        2,
        6,
    )
    assert counts(overview, "habitat") == (1, 2, 0, 2, 0)
    assert counts(overview, "commerce") == (2, 1, 0, 0, 6)
    assert counts(overview, "mobilite") == (0, 0, 2, 0, 0)
    assert counts(overview, "numerique") == (0, 0, 0, 0, 0)
    assert len(overview.rows) == 11  # one row per theme of the programme


def test_a_mayor_counts_the_stakes_and_needs_of_his_commune_and_the_common_ones(
    territory, mayor_of_la_porte_du_der, strategy
) -> None:
    overview = strategy_overview(mayor_of_la_porte_du_der, territory.programme)
    assert (overview.documents, overview.stakes, overview.needs) == (2, 2, 1)
    assert counts(overview, "habitat") == (1, 1, 0, 2, 0)


def test_the_overview_shows_the_validated_version_from_its_snapshot_and_the_draft_in_progress(
    client_for, territory, manager, strategy
) -> None:
    draft = services.project_start(programme=territory.programme, by=manager)
    services.axis_create(
        project=draft, by=manager, title="Transition écologique", themes=[theme("transition-ecologique")]
    )
    page = (
        client_for("mayor_of_wassy").get(f"/programmes/{territory.programme.pk}/strategie/").content.decode()
    )
    assert "Version 1 — validée" in page
    assert "1. Axe écrit n° 1" in page
    assert "Transition écologique</a>" not in page and "2. Transition écologique" not in page
    assert "version 2</a> est en cours (brouillon)" in page


def test_the_overview_links_the_strategy_lists_that_exist(client_for, territory, manager) -> None:
    page = client_for("manager").get(f"/programmes/{territory.programme.pk}/strategie/").content.decode()
    pk = territory.programme.pk
    for path in ["documents/", "enjeux/", "besoins/", "projet/"]:
        assert f'href="/programmes/{pk}/{path}"' in page, path
    assert "Le projet de revitalisation n'a pas encore été rédigé." in page


def test_the_overview_does_not_link_a_list_that_does_not_exist(territory, manager, monkeypatch) -> None:
    from programmes.selectors import project as selectors

    monkeypatch.setitem(selectors.STRATEGY_PAGES, "needs", "besoins-inexistants/")
    assert set(selectors.strategy_links(territory.programme)) == {"documents", "stakes"}


@pytest.mark.parametrize("factor", [1, 10])
def test_overview_query_budget_is_flat(
    client_for, territory, manager, factor, django_assert_num_queries
) -> None:
    programme = territory.programme
    for _ in range(factor):
        DocumentFactory(programme=programme).themes.set([theme("habitat"), theme("patrimoine")])
        StakeFactory(programme=programme, theme=theme("commerce"), commune=territory.wassy)
        NeedFactory(programme=programme)
    write_version(programme, axes=2 * factor, objectives=2)  # a first draft: read from the live rows
    client = client_for("manager")
    # session, user, memberships (scope), programme + EPCI, its communes, themes, documents: count and
    # by theme, stakes by theme, needs by theme, versions + submitter + validator, the draft's content
    # (axes, their themes, their stakes, objectives, their themes, their stakes), menu: programmes,
    # session refresh (savepoint, update, release)
    with django_assert_num_queries(22):  # +1: the bell's unread count (issue 8)
        assert client.get(f"/programmes/{programme.pk}/strategie/").status_code == 200
