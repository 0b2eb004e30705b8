"""Reads of the analysis of offers: the objects a page opens (404 out of scope) and the analysis of every lot
of a consultation in a fixed number of queries (report, XLSX, consultation page, award page)."""

from dataclasses import dataclass

from django.db.models import Prefetch

from operations.models import Bid, BidScore, Consultation, Contract, Criterion, Lot
from operations.procurement import scoring
from operations.procurement.services.bids import Award, advance_required, awards_of
from pvd.accounts import policy
from pvd.accounts.models import User


def consultation_for_page(user: User, pk: int) -> Consultation:
    return policy.get_for_user(Consultation.objects.select_related("programme", "buyer"), user, pk=pk)


def lot_for_page(user: User, pk: int) -> Lot:
    return policy.get_for_user(
        Lot.objects.select_related("consultation", "consultation__programme", "consultation__buyer"),
        user,
        pk=pk,
    )


def bid_for_page(user: User, pk: int) -> Bid:
    return policy.get_for_user(
        Bid.objects.select_related(
            "bidder", "lot", "lot__consultation", "lot__consultation__programme", "lot__consultation__buyer"
        ),
        user,
        pk=pk,
    )


def find_line(lines: list[scoring.CriterionScore], criterion_pk: int) -> scoring.CriterionScore | None:
    for line in lines:
        if line.criterion.pk == criterion_pk:
            return line
        found = find_line(line.children, criterion_pk)
        if found is not None:
            return found
    return None


@dataclass
class ReportRow:
    result: scoring.BidResult
    cells: list[scoring.CriterionScore | None]  # one per criterion of the report, in its order
    awarded: bool


@dataclass
class LotReport:
    lot: Lot
    analysis: scoring.LotAnalysis
    award: Award | None
    awarded: scoring.BidResult | None
    contract: Contract | None
    criteria: list[Criterion]

    @property
    def rows(self) -> list[ReportRow]:
        awarded_pk = self.awarded.bid.pk if self.awarded else None
        return [
            ReportRow(
                result, [find_line(result.lines, c.pk) for c in self.criteria], result.bid.pk == awarded_pk
            )
            for result in self.analysis.results
        ]

    @property
    def proposed(self) -> list[scoring.BidResult]:
        """The holder proposed: the awarded bid, else the best-ranked ones."""
        return [self.awarded] if self.awarded else self.analysis.best


@dataclass
class ConsultationReport:
    consultation: Consultation
    criteria: list[Criterion]  # every criterion, in order (top-level then their children)
    lots: list[LotReport]

    @property
    def bid_count(self) -> int:
        return sum(len(item.analysis.results) for item in self.lots)


def consultation_report(user: User, consultation: Consultation) -> ConsultationReport:
    """Every lot of `consultation` with its bids scored and ranked, its award and contract: five queries
    whatever the number of lots, bids and scores."""
    bids = Prefetch(
        "bids",
        queryset=policy.visible_to(Bid.objects.all(), user)
        .select_related("bidder")
        .order_by("price_ht", "pk"),
    )
    lots = list(
        policy.visible_to(Lot.objects.all(), user)
        .filter(consultation=consultation)
        .select_related("contract")
        .prefetch_related(bids)
        .order_by("number", "pk")
    )
    criteria = list(
        policy.visible_to(Criterion.objects.all(), user)
        .filter(consultation=consultation)
        .order_by("position", "pk")
    )
    # Top-level criteria first, each followed by its sub-criteria.
    children: dict[int | None, list[Criterion]] = {}
    for criterion in criteria:
        children.setdefault(criterion.parent_id, []).append(criterion)
    ordered: list[Criterion] = []

    def walk(parent: int | None) -> None:
        for criterion in children.get(parent, []):
            ordered.append(criterion)
            walk(criterion.pk)

    walk(None)
    bid_ids = [bid.pk for lot in lots for bid in lot.bids.all()]
    scores = {
        (s.bid_id, s.criterion_id): s.score
        for s in BidScore.objects.filter(bid_id__in=bid_ids).only("bid_id", "criterion_id", "score")
    }
    awards = awards_of(bid_ids)
    reports = []
    for lot in lots:
        analysis = scoring.analyse_lot(lot.bids.all(), ordered, scores, consultation.price_formula)
        award = next((awards[b.pk] for b in lot.bids.all() if b.pk in awards), None)
        awarded = analysis.result_for(award.bid_id) if award else None
        contract = getattr(lot, "contract", None)
        reports.append(LotReport(lot, analysis, award, awarded, contract, ordered))
    return ConsultationReport(consultation, ordered, reports)


def lot_report(user: User, lot: Lot) -> LotReport:
    report = consultation_report(user, lot.consultation)
    return next(item for item in report.lots if item.lot.pk == lot.pk)


__all__ = [
    "ConsultationReport",
    "LotReport",
    "advance_required",
    "bid_for_page",
    "consultation_for_page",
    "consultation_report",
    "lot_for_page",
    "lot_report",
]
