"""The « Indicateurs de suivi » block of conventions: the programme's indicators followed (archived ones left out)
with commune, unit, baseline and the target of the last year that has one; flat query count."""

import datetime
from decimal import Decimal

import pytest

from operations.conventions.blocks import PROVIDERS, render_blocks
from operations.conventions.models import BlockKind
from programmes.selectors.conventions import indicators_block
from tests.programmes.indicator_factories import IndicatorFactory, TargetFactory

D = Decimal


class FakeConvention:
    def __init__(self, programme_id):
        self.programme_id = programme_id


def test_the_block_is_a_known_kind_with_its_provider():
    assert BlockKind.INDICATORS == "indicateurs" and BlockKind.INDICATORS.label == "Indicateurs de suivi"
    assert PROVIDERS[BlockKind.INDICATORS] == "programmes.selectors.conventions.indicators_block"


def test_the_block_lists_baseline_and_last_target(territory):
    vacancy = IndicatorFactory(
        programme=territory.programme,
        commune=territory.wassy,
        name="Taux de vacance commerciale",
        unit="%",
        baseline_on=datetime.date(2021, 6, 1),
        baseline_value=D("14.5"),
    )
    TargetFactory(indicator=vacancy, year=2026, value=D("11"))
    TargetFactory(indicator=vacancy, year=2028, value=D("9"))
    common = IndicatorFactory(programme=territory.programme, name="Arbres plantés", unit="arbres")
    IndicatorFactory(programme=territory.programme, name="Archivé", archived=True)
    IndicatorFactory(programme=territory.other_programme, name="Ailleurs")

    table = render_blocks(FakeConvention(territory.programme.pk), [BlockKind.INDICATORS])["indicateurs"]

    assert table["title"] == "Indicateurs de suivi"
    assert [c["label"] for c in table["columns"]] == ["Indicateur", "Commune", "Unité", "État zéro", "Cible"]
    rows = {row["key"]: row["cells"] for row in table["rows"]}
    assert rows == {
        f"indicator-{vacancy.pk}": [
            "Taux de vacance commerciale",
            "Wassy",
            "%",
            "14,5\xa0% au 01/06/2021",
            "9\xa0% en 2028",
        ],
        f"indicator-{common.pk}": ["Arbres plantés", "Tout le programme", "arbres", "—", "—"],
    }


def test_without_programme_or_indicators_the_block_says_so(territory):
    assert indicators_block(FakeConvention(None))["empty"] == (
        "La convention ne relève d'aucun programme Petites Villes de Demain."
    )
    table = indicators_block(FakeConvention(territory.programme.pk))
    assert table["rows"] == [] and "Aucun indicateur de suivi" in table["empty"]


@pytest.mark.parametrize("factor", [1, 10])
def test_the_block_query_count_is_flat(territory, django_assert_num_queries, factor):
    for _ in range(3 * factor):
        TargetFactory(indicator=IndicatorFactory(programme=territory.programme, commune=territory.wassy))
    with django_assert_num_queries(2):  # the indicators with their commune, their targets
        table = indicators_block(FakeConvention(territory.programme.pk))
    assert len(table["rows"]) == 3 * factor
