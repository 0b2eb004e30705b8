"""Scoring and ranking of the bids of a lot (DOMAIN.md §4.2): pure computation on Decimals, no database.

- The price score is computed by the consultation's formula among the lot's admissible bids: « prix le plus
  bas / prix » (note maximale × prix le plus bas / prix) or « écart linéaire » (note maximale × (1 − (prix − prix
  le plus bas) / prix le plus bas), never below 0). Price criteria are computed, never entered.
- Each criterion counts as a fraction of its scale (score / max_score); a criterion with sub-criteria counts as
  the weighted mean of its children's fractions (each child on its own scale, its weight a share of the parent's).
- The weighted total is Σ over the top-level criteria of weight × fraction, expressed on 100 (and on 20).
- Ranking: admissible bids fully scored, best total first; equal totals share a rank (1, 1, 3); inadmissible
  bids are not ranked. Values are kept exact: rounding is for display only.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

HUNDRED = Decimal(100)
ZERO = Decimal(0)
ONE = Decimal(1)
# Totals are compared at this precision, so that two mathematically equal totals reached through different
# divisions (28 significant digits) tie. Far below anything shown.
TIE_QUANTUM = Decimal("1E-12")

LOWEST_OVER_PRICE = "lowest_over_price"
LINEAR_GAP = "linear_gap"
PRICE_KIND = "price"

FORMULA_TEXT = {
    LOWEST_OVER_PRICE: "note maximale × prix le plus bas ÷ prix de l'offre",
    LINEAR_GAP: "note maximale × (1 − (prix de l'offre − prix le plus bas) ÷ prix le plus bas), au moins 0",
}


class CriterionLike(Protocol):
    pk: int
    parent_id: int | None
    kind: str
    name: str
    weight: Decimal
    max_score: Decimal


class BidLike(Protocol):
    pk: int
    price_ht: Decimal
    admissible: bool


def price_score(price: Decimal, lowest: Decimal, max_score: Decimal, formula: str) -> Decimal:
    """The price score of an offer at `price` when the lowest admissible price is `lowest`, on `max_score`."""
    if price <= 0 or lowest <= 0:
        raise ValueError("Les prix comparés sont positifs.")
    if formula == LOWEST_OVER_PRICE:
        return max_score * lowest / price
    if formula == LINEAR_GAP:
        return max(ZERO, max_score * (ONE - (price - lowest) / lowest))
    raise ValueError(f"Formule de notation du prix inconnue : {formula}")


def competition_ranks(totals: Mapping[int, Decimal]) -> dict[int, int]:
    """{key: total} → {key: rank}, best total first; equal totals share a rank and the next rank skips (1, 1, 3)."""
    keyed = {key: total.quantize(TIE_QUANTUM) for key, total in totals.items()}
    ordered = sorted(keyed.values(), reverse=True)
    first_position = {}
    for position, total in enumerate(ordered, start=1):
        first_position.setdefault(total, position)
    return {key: first_position[total] for key, total in keyed.items()}


@dataclass
class CriterionScore:
    """One criterion of one bid: its score on its scale (None when not scored yet), its fraction of the scale,
    the points it brings to the total on 100, and its sub-criteria."""

    criterion: CriterionLike
    score: Decimal | None
    fraction: Decimal | None
    points: Decimal | None
    computed: bool = False
    children: list["CriterionScore"] = field(default_factory=list)

    @property
    def weighted_percent(self) -> Decimal:
        return self.criterion.weight * HUNDRED


@dataclass
class BidResult:
    bid: BidLike
    lines: list[CriterionScore]
    price_score: Decimal | None  # on the price criterion's scale (the first price criterion), None if none
    total: Decimal | None  # on 100; None when inadmissible or not fully scored
    missing: list[str] = field(default_factory=list)
    rank: int | None = None

    @property
    def admissible(self) -> bool:
        return self.bid.admissible

    @property
    def total_on_20(self) -> Decimal | None:
        return None if self.total is None else self.total / 5

    @property
    def is_best(self) -> bool:
        return self.rank == 1


@dataclass
class LotAnalysis:
    results: list[BidResult]  # ranked bids first (by rank, then price), then unranked ones
    criteria: list[CriterionLike]  # top-level criteria, in order
    lowest_price: Decimal | None
    formula: str
    weights_total: Decimal
    warnings: list[str]

    @property
    def best(self) -> list[BidResult]:
        return [r for r in self.results if r.rank == 1]

    @property
    def complete(self) -> bool:
        """Every admissible bid is fully scored (and there is at least one)."""
        admissible = [r for r in self.results if r.admissible]
        return bool(admissible) and all(r.total is not None for r in admissible)

    @property
    def formula_text(self) -> str:
        return FORMULA_TEXT.get(self.formula, self.formula)

    def result_for(self, bid_pk: int) -> BidResult | None:
        return next((r for r in self.results if r.bid.pk == bid_pk), None)


def _score_line(
    criterion: CriterionLike,
    children: Mapping[int | None, Sequence[CriterionLike]],
    bid: BidLike,
    scores: Mapping[tuple[int, int], Decimal],
    price_fraction: Decimal | None,
    missing: list[str],
) -> CriterionScore:
    subs = children.get(criterion.pk, ())
    if subs:
        lines = [_score_line(sub, children, bid, scores, price_fraction, missing) for sub in subs]
        weights = sum((sub.weight for sub in subs), ZERO)
        if all(line.fraction is not None for line in lines) and weights > 0:
            fraction = sum((sub.weight * line.fraction for sub, line in zip(subs, lines, strict=True)), ZERO)
            fraction /= weights
        else:
            fraction = None
        score = None if fraction is None else fraction * criterion.max_score
        return CriterionScore(criterion, score, fraction, None, computed=True, children=lines)
    if criterion.kind == PRICE_KIND:
        fraction = price_fraction
        score = None if fraction is None else fraction * criterion.max_score
        return CriterionScore(criterion, score, fraction, None, computed=True)
    score = scores.get((bid.pk, criterion.pk))
    if score is None:
        missing.append(criterion.name)
        return CriterionScore(criterion, None, None, None)
    return CriterionScore(criterion, score, score / criterion.max_score, None)


def analyse_lot(
    bids: Iterable[BidLike],
    criteria: Iterable[CriterionLike],
    scores: Mapping[tuple[int, int], Decimal],
    formula: str,
) -> LotAnalysis:
    """Price scores, weighted totals and ranking of a lot's bids. `criteria`: the consultation's criteria
    (top-level and sub-criteria, in display order); `scores`: {(bid pk, criterion pk): score on its scale}."""
    bids = list(bids)
    criteria = list(criteria)
    children: dict[int | None, list[CriterionLike]] = {}
    for criterion in criteria:
        children.setdefault(criterion.parent_id, []).append(criterion)
    top = children.get(None, [])
    weights_total = sum((c.weight for c in top), ZERO)
    warnings: list[str] = []
    if not top:
        warnings.append("Aucun critère d'attribution n'est défini : les offres ne peuvent pas être classées.")
    elif weights_total != ONE:
        warnings.append(
            f"Les pondérations des critères totalisent {_fr(weights_total * HUNDRED)} % au lieu de 100 % : "
            "corrigez-les avant de classer les offres."
        )
    for parent in criteria:
        subs = children.get(parent.pk, [])
        if subs and sum((s.weight for s in subs), ZERO) != ONE:
            warnings.append(
                f"Les sous-critères de « {parent.name} » totalisent "
                f"{_fr(sum((s.weight for s in subs), ZERO) * HUNDRED)} % au lieu de 100 %."
            )
    admissible_prices = [b.price_ht for b in bids if b.admissible]
    lowest = min(admissible_prices) if admissible_prices else None
    price_criterion = next((c for c in criteria if c.kind == PRICE_KIND and not children.get(c.pk)), None)

    results: list[BidResult] = []
    for bid in bids:
        if not bid.admissible or lowest is None:
            results.append(BidResult(bid, [], None, None))
            continue
        # The price fraction of the scale is the same whatever the scale: compute it on 1.
        price_fraction = price_score(bid.price_ht, lowest, ONE, formula)
        missing: list[str] = []
        lines = [_score_line(c, children, bid, scores, price_fraction, missing) for c in top]
        for criterion, line in zip(top, lines, strict=True):
            line.points = None if line.fraction is None else criterion.weight * line.fraction * HUNDRED
        total = None
        if top and all(line.points is not None for line in lines):
            total = sum((line.points for line in lines), ZERO)
        price = None if price_criterion is None else price_fraction * price_criterion.max_score
        results.append(BidResult(bid, lines, price, total, missing))

    can_rank = bool(top) and weights_total == ONE
    if can_rank:
        ranks = competition_ranks({r.bid.pk: r.total for r in results if r.total is not None})
        for result in results:
            result.rank = ranks.get(result.bid.pk)
    results.sort(key=lambda r: (r.rank is None, r.rank or 0, not r.admissible, r.bid.price_ht, r.bid.pk))
    return LotAnalysis(results, top, lowest, formula, weights_total, warnings)


def _fr(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')):f}".replace(".", ",")
    return text.removesuffix(",00")
