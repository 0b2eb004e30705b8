"""Bid rows of the access matrix and the page tests: a works consultation bought by Wassy (MAPA, in analysis),
one lot, a price criterion (40 %) and a technical one (60 %), two bids scored. The mayor of Wassy reads it, the
mayor of La Porte du Der does not see it (404), the programme's readers read it, its manager writes."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from operations.models import Bid, Consultation, Criterion, Lot
from tests.conftest import Territory
from tests.operations.factories import OperationFactory
from tests.operations.procurement_factories import (
    BidFactory,
    BidScoreFactory,
    CompanyFactory,
    ConsultationFactory,
    CriterionFactory,
    LotFactory,
    siret,
)

D = datetime.date
DEADLINE = timezone.make_aware(datetime.datetime(2026, 4, 14, 12, 0))


@dataclass
class BidRows:
    consultation: Consultation
    lot: Lot
    price: Criterion
    technical: Criterion
    bids: list[Bid]


def analysed_consultation(t: Territory, *, procedure: str = "adapted", **fields: object) -> Consultation:
    operation = OperationFactory(programme=t.programme, owner=t.wassy, communes=[t.wassy])
    values = {
        "programme": t.programme,
        "buyer": t.wassy,
        "title": "Aménagement de la place de Wassy",
        "procedure": procedure,
        "computed_procedure": procedure,
        "status": "analysis",
        "published_on": D(2026, 3, 9),
        "offers_deadline": DEADLINE,
        "opened_on": D(2026, 4, 15),
        **fields,
    }
    return ConsultationFactory(operations=[operation], **values)


def scored_lot(consultation: Consultation, prices: list[Decimal], technical: list[Decimal]) -> BidRows:
    lot = LotFactory(consultation=consultation, number=1, title="Voirie")
    price = CriterionFactory(consultation=consultation, kind="price", name="Prix", weight=Decimal("0.40"))
    tech = CriterionFactory(consultation=consultation, name="Valeur technique", weight=Decimal("0.60"))
    bids = []
    for index, (amount, score) in enumerate(zip(prices, technical, strict=True)):
        company = CompanyFactory(name=f"Entreprise {chr(65 + index)}", siren=None)
        bid = BidFactory(lot=lot, bidder=company, bidder_siret=siret(9_000 + index), price_ht=amount)
        BidScoreFactory(bid=bid, criterion=tech, score=score)
        bids.append(bid)
    return BidRows(consultation, lot, price, tech, bids)


def bid_rows(t: Territory) -> BidRows:
    rows = getattr(t, "_bid_rows", None)
    if rows is None:
        rows = scored_lot(
            analysed_consultation(t),
            [Decimal("100000.00"), Decimal("120000.00")],
            [Decimal(6), Decimal(9)],
        )
        t._bid_rows = rows  # type: ignore[attr-defined]
    return rows
