"""Scoring and ranking of bids (operations/procurement/scoring.py): pure computation."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from operations.procurement.scoring import (
    LINEAR_GAP,
    LOWEST_OVER_PRICE,
    analyse_lot,
    competition_ranks,
    price_score,
)

D = Decimal


def criterion(pk, kind, weight, max_score=10, parent=None, name=None):
    return SimpleNamespace(
        pk=pk, parent_id=parent, kind=kind, name=name or f"C{pk}", weight=D(weight), max_score=D(max_score)
    )


def bid(pk, price, admissible=True):
    return SimpleNamespace(pk=pk, price_ht=D(price), admissible=admissible)


@pytest.mark.parametrize(
    ("price", "lowest", "formula", "expected"),
    [
        ("100", "100", LOWEST_OVER_PRICE, "20"),
        ("125", "100", LOWEST_OVER_PRICE, "16"),
        ("200", "100", LOWEST_OVER_PRICE, "10"),
        ("100", "100", LINEAR_GAP, "20"),
        ("125", "100", LINEAR_GAP, "15"),
        ("200", "100", LINEAR_GAP, "0"),
        ("250", "100", LINEAR_GAP, "0"),  # floored at 0, never negative
    ],
)
def test_price_score_by_formula(price, lowest, formula, expected) -> None:
    assert price_score(D(price), D(lowest), D(20), formula) == D(expected)


def test_lowest_over_price_keeps_full_precision() -> None:
    assert price_score(D(120000), D(100000), D(10), LOWEST_OVER_PRICE).quantize(D("0.0001")) == D("8.3333")


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    assert competition_ranks({1: D("80"), 2: D("90"), 3: D("80"), 4: D("70")}) == {1: 2, 2: 1, 3: 2, 4: 4}


def test_weighted_total_on_100_and_20_and_the_best_offer() -> None:
    price, tech = criterion(1, "price", "0.40"), criterion(2, "technical", "0.60")
    bids = [bid(10, "100000"), bid(11, "125000")]
    scores = {(10, 2): D(6), (11, 2): D(9)}
    analysis = analyse_lot(bids, [price, tech], scores, LOWEST_OVER_PRICE)
    a, b = analysis.result_for(10), analysis.result_for(11)
    # A: 40 × 1 + 60 × 0.6 = 76 ; B: 40 × 0.8 + 60 × 0.9 = 86
    assert a.total == D(76) and b.total == D(86)
    assert b.total_on_20 == D("17.2")
    assert (b.rank, a.rank) == (1, 2)
    assert [r.bid.pk for r in analysis.best] == [11]
    assert b.price_score == D(8)


def test_inadmissible_bids_are_not_ranked_and_do_not_set_the_lowest_price() -> None:
    price = criterion(1, "price", "1")
    bids = [bid(10, "50000", admissible=False), bid(11, "100000"), bid(12, "200000")]
    analysis = analyse_lot(bids, [price], {}, LOWEST_OVER_PRICE)
    assert analysis.lowest_price == D(100000)
    assert analysis.result_for(10).rank is None and analysis.result_for(10).total is None
    assert analysis.result_for(11).total == D(100)
    assert analysis.result_for(12).total == D(50)
    assert analysis.results[-1].bid.pk == 10


def test_sub_criteria_count_as_the_weighted_mean_of_their_scales() -> None:
    tech = criterion(1, "technical", "0.50")
    method = criterion(2, "technical", "0.75", max_score=20, parent=1)
    team = criterion(3, "technical", "0.25", max_score=5, parent=1)
    price = criterion(4, "price", "0.50")
    scores = {(10, 2): D(10), (10, 3): D(5)}  # method 10/20 = 0.5, team 5/5 = 1 → 0.75×0.5 + 0.25×1 = 0.625
    analysis = analyse_lot([bid(10, "1000")], [tech, method, team, price], scores, LINEAR_GAP)
    result = analysis.result_for(10)
    assert result.lines[0].fraction == D("0.625")
    assert result.total == D("81.25")  # 50 × 0.625 + 50 × 1


def test_a_bid_missing_a_score_has_no_total_and_is_not_ranked() -> None:
    price, tech = criterion(1, "price", "0.40"), criterion(2, "technical", "0.60", name="Valeur technique")
    analysis = analyse_lot(
        [bid(10, "100"), bid(11, "120")], [price, tech], {(10, 2): D(5)}, LOWEST_OVER_PRICE
    )
    assert analysis.result_for(11).total is None and analysis.result_for(11).rank is None
    assert analysis.result_for(11).missing == ["Valeur technique"]
    assert analysis.result_for(10).rank == 1
    assert not analysis.complete


def test_equal_totals_reached_by_different_divisions_tie() -> None:
    price, tech = criterion(1, "price", "0.50"), criterion(2, "technical", "0.50", max_score=3)
    bids = [bid(10, "100"), bid(11, "150")]
    scores = {(10, 2): D(1), (11, 2): D(2)}
    analysis = analyse_lot(bids, [price, tech], scores, LOWEST_OVER_PRICE)
    # A: 50 + 50/3 = 66.666… ; B: 100/3 + 100/3 = 66.666…
    assert analysis.result_for(10).rank == analysis.result_for(11).rank == 1


def test_weights_not_summing_to_100_prevent_the_ranking() -> None:
    analysis = analyse_lot([bid(10, "100")], [criterion(1, "price", "0.90")], {}, LOWEST_OVER_PRICE)
    assert analysis.result_for(10).rank is None
    assert "90 %" in analysis.warnings[0]
