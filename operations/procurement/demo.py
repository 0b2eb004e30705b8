"""Demo data of procurement: consultations, bids and scores, contracts and their execution around TODAY
(28/11/2026, as operations/demo.py and budget/demo.py), written with the ORM and idempotent (pvd.upsert keyed
on natural keys; the award StatusChange is created once): a second load writes no row and no history.

Illustrative figures and companies (SIRETs made up, the buyers' NIC too), not the real contracts of Wassy, La
Porte du Der or the agglomeration. What the demo shows on purpose:
- W01-PAV: the MAPA of the place Notre-Dame in Wassy (W-01), one lot, three bids scored on price 40 % and
  technical value 60 % (two sub-criteria), awarded to the best-ranked bid and signed (M-2025-004, the
  commitment « Lot 2 pavage et mobilier » of the budget demo), with a sub-contractor paid directly;
- W01-VRD: its VRD lot (M-2023-011, Eurovia) with two amendments reaching exactly 12 % of the initial amount:
  works, so below the 15 % de minimis ceiling of R2194-8 — allowed without another ground; its invoices are
  the budget demo's expenses (F-2024-0456 paid in time, F-2025-0871 paid 43 days after receipt — late
  interest and the 40 € fee — and F-2026-1102, received 02/11/2026 and not yet paid: at risk);
  the pavement contract's second invoice is paid late too;
- PVD03-AMO: a services consultation of 50 000 € HT launched on 31/03/2026, the last day of the 40 000 € HT
  exemption threshold: it needs competition (MAPA) where, launched the next day (60 000 € HT threshold), it
  would not;
- LPD-AC-PLANT: a framework agreement with purchase orders (BC-2025-118 is the budget demo's order).
"""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from operations.models import (
    AmendmentGround,
    Bid,
    BidScore,
    Ccag,
    Consultation,
    ConsultationStatus,
    Contract,
    ContractAmendment,
    ContractStatus,
    Criterion,
    CriterionKind,
    Invoice,
    Lot,
    Operation,
    PriceForm,
    Procedure,
    PublicityLevel,
    PurchaseNature,
    PurchaseOrder,
    ServiceOrder,
    ServiceOrderKind,
    Subcontractor,
)
from partners.models import Organisation, OrganisationKind
from pvd.accounts.models import User
from pvd.models import StatusChange
from pvd.money import round_cents
from pvd.upsert import upsert

if TYPE_CHECKING:
    from programmes.models import Programme

TODAY = datetime.date(2026, 11, 28)
D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
VAT = Decimal("1.2")
DEMO_MANAGER_EMAIL = "cheffe-de-projet@pvd.example"

# Illustrative SIRETs: the buyers' SIREN with a made-up NIC, companies made up.
BUYER_SIRETS = {"wassy": "21520394400011", "la_porte_du_der": "20005994700015", "epci": "20006866600013"}
COMPANIES = {
    "pierres": ("SARL Pierres et Pavés de Haute-Marne", "41236987500028"),
    "eurovia": ("Eurovia Champagne-Ardenne", "35214789600047"),
    "colas": ("Colas France (agence de Saint-Dizier)", "32955012300213"),
    "verts": ("Espaces Verts du Der", "51347826900015"),
    "signes": ("Atelier Signes & Territoires", "82145637900012"),
    "paysage": ("Paysages de Champagne SCOP", "79865412300025"),
}


def _money(value: str) -> Decimal:
    return round_cents(Decimal(value))


def _ttc(value: str) -> Decimal:
    return round_cents(Decimal(value) * VAT)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS)


def load(programme: "Programme", orgs: dict[str, Organisation]) -> None:
    """The procurement of the demo programme. Needs the demo operations, the budget demo's expenses and the
    demo manager's account (the award is recorded in her name)."""
    manager = User.objects.filter(email=DEMO_MANAGER_EMAIL).first()
    operations = {op.code: op for op in Operation.objects.filter(programme=programme)}
    companies = {
        key: upsert(Organisation, {}, name=name, kind=OrganisationKind.COMPANY)[0]
        for key, (name, _siret) in COMPANIES.items()
    }
    _place_notre_dame_pavement(programme, orgs, operations, companies, manager)
    _place_notre_dame_networks(programme, orgs, operations, companies)
    _signage_study(programme, orgs, operations, companies)
    _planting_framework(programme, orgs, operations, companies)


def _consultation(programme: "Programme", reference: str, operations: list[Operation], **values: object):
    consultation, _ = upsert(Consultation, values, programme=programme, reference=reference)
    if {op.pk for op in consultation.operations.all()} != {op.pk for op in operations}:
        consultation.operations.set(operations)
    return consultation


def _contract(lot: Lot, holder: str, companies: dict[str, Organisation], **values: object) -> Contract:
    siret = COMPANIES[holder][1]
    contract, _ = upsert(Contract, {"holder": companies[holder], "holder_siret": siret, **values}, lot=lot)
    return contract


def _invoices(contract: Contract, rows: list[tuple]) -> dict[str, Invoice]:
    found = {}
    for number, received, ht, ordered, paid in rows:
        found[number], _ = upsert(
            Invoice,
            {
                "received_on": received,
                "amount_ht": _money(ht),
                "amount_ttc": _ttc(ht),
                "ordered_on": ordered,
                "paid_on": paid,
            },
            contract=contract,
            number=number,
        )
    return found


# --- W-01: the place Notre-Dame in Wassy -----------------------------------------------------------------


def _place_notre_dame_pavement(
    programme: "Programme",
    orgs: dict[str, Organisation],
    operations: dict[str, Operation],
    companies: dict[str, Organisation],
    manager: User | None,
) -> Contract:
    """MAPA, one lot, three bids scored on price 40 % / technical value 60 % (two sub-criteria), awarded to
    the best-ranked bid, signed and notified; a sub-contractor; a late invoice."""
    consultation = _consultation(
        programme,
        "W01-PAV",
        [operations["W-01"]],
        buyer=orgs["wassy"],
        buyer_siret=BUYER_SIRETS["wassy"],
        title="Requalification de la place Notre-Dame — pavage et mobilier urbain",
        nature=PurchaseNature.WORKS,
        cpv_code="45233253",
        estimated_value_ht=_money("250000"),
        launch_date=D(2025, 9, 15),
        computed_procedure=Procedure.ADAPTED,
        computed_publicity=PublicityLevel.BOAMP_JAL,
        procedure=Procedure.ADAPTED,
        status=ConsultationStatus.SIGNED,
        published_on=D(2025, 9, 16),
        questions_deadline=D(2025, 10, 10),
        offers_deadline=_at(D(2025, 10, 17), 12),
        opened_on=D(2025, 10, 20),
        analysis_on=D(2025, 11, 12),
        awarded_on=D(2025, 11, 20),
        award_decision_reference="Décision du maire n° 2025-118",
        rejections_sent_on=D(2025, 11, 21),
    )
    lot, _ = upsert(
        Lot,
        {"title": "Pavage, bordures et mobilier urbain", "operation": operations["W-01"],
         "estimated_value_ht": _money("250000")},
        consultation=consultation,
        number=1,
    )  # fmt: skip
    price, _ = upsert(
        Criterion,
        {"kind": CriterionKind.PRICE, "weight": Decimal("0.40"), "max_score": Decimal(10), "parent": None},
        consultation=consultation,
        name="Prix des prestations",
    )
    technical, _ = upsert(
        Criterion,
        {"kind": CriterionKind.TECHNICAL, "weight": Decimal("0.60"), "max_score": Decimal(10), "parent": None,
         "position": 1},
        consultation=consultation,
        name="Valeur technique",
    )  # fmt: skip
    method, _ = upsert(
        Criterion,
        {"kind": CriterionKind.TECHNICAL, "weight": Decimal("0.60"), "max_score": Decimal(10),
         "parent": technical, "position": 2},
        consultation=consultation,
        name="Méthodologie et organisation du chantier",
    )  # fmt: skip
    materials, _ = upsert(
        Criterion,
        {"kind": CriterionKind.TECHNICAL, "weight": Decimal("0.40"), "max_score": Decimal(10),
         "parent": technical, "position": 3},
        consultation=consultation,
        name="Qualité des matériaux et références",
    )  # fmt: skip
    # bidder, price HT, received, (method, materials): the pavement company ranks first (91,47 / 100),
    # Eurovia second (80,79), Colas, the cheapest, third (77,20).
    bids = {}
    for key, amount, received, (score_method, score_materials) in [
        ("pierres", "240000", D(2025, 10, 16), ("9", "8.5")),
        ("eurovia", "255000", D(2025, 10, 17), ("7", "8")),
        ("colas", "232000", D(2025, 10, 15), ("6", "6.5")),
    ]:
        bid, _ = upsert(
            Bid,
            {"bidder_siret": COMPANIES[key][1], "received_at": _at(received), "price_ht": _money(amount)},
            lot=lot,
            bidder=companies[key],
        )
        bids[key] = bid
        for criterion, score in [(method, score_method), (materials, score_materials)]:
            upsert(
                BidScore,
                {"score": Decimal(score), "max_score": criterion.max_score},
                bid=bid,
                criterion=criterion,
            )
    del price  # computed by the formula, never scored by hand
    if lot.awarded_bid_id is None:  # the award decision, once (a second load changes nothing)
        lot.awarded_bid, lot.awarded_on = bids["pierres"], D(2025, 11, 20)
        lot.save(update_fields=["awarded_bid", "awarded_on"])
        StatusChange.objects.create(
            obj=bids["pierres"], source="", target="awarded", by=manager, comment="Décision du 20/11/2025."
        )
    contract = _contract(
        lot,
        "pierres",
        companies,
        number="M-2025-004",
        amount_ht=_money("240000"),
        amount_ttc=_ttc("240000"),
        duration_months=8,
        price_form=PriceForm.MIXED,
        ccag=Ccag.WORKS,
        signed_on=D(2025, 12, 8),
        notified_on=D(2025, 12, 10),
        advance_rate=Decimal("0.05"),  # mandatory: more than 50 000 € HT and 2 months (R2191-3)
        retention_rate=Decimal("0.05"),
        status=ContractStatus.IN_PROGRESS,
    )
    upsert(
        ServiceOrder,
        {"kind": ServiceOrderKind.START, "issued_on": D(2026, 2, 23), "effective_on": D(2026, 3, 2),
         "description": "Démarrage des travaux de pavage (tranche nord de la place)."},
        contract=contract,
        number=1,
    )  # fmt: skip
    upsert(
        Subcontractor,
        {"siret": COMPANIES["verts"][1], "scope": "Plantations et fosses d'arbres",
         "amount_ttc": _money("38400"), "declared_on": D(2026, 2, 2), "accepted_on": D(2026, 2, 16)},
        contract=contract,
        organisation=companies["verts"],
    )  # fmt: skip
    _invoices(
        contract,
        [
            ("PP-2026-031", D(2026, 4, 30), "60000", D(2026, 5, 18), D(2026, 5, 26)),
            # Received 30/06, paid 12/08: 43 days — 13 days late.
            ("PP-2026-058", D(2026, 6, 30), "72000", D(2026, 7, 28), D(2026, 8, 12)),
        ],
    )
    return contract


def _place_notre_dame_networks(
    programme: "Programme",
    orgs: dict[str, Organisation],
    operations: dict[str, Operation],
    companies: dict[str, Organisation],
) -> Contract:
    """The VRD lot relaunched in MAPA after an unsuccessful call for tenders; two amendments reaching 12 %."""
    consultation = _consultation(
        programme,
        "W01-VRD",
        [operations["W-01"]],
        buyer=orgs["wassy"],
        buyer_siret=BUYER_SIRETS["wassy"],
        title="Requalification de la place Notre-Dame — voirie et réseaux divers (relance)",
        nature=PurchaseNature.WORKS,
        cpv_code="45232410",
        estimated_value_ht=_money("850000"),
        launch_date=D(2023, 9, 4),
        computed_procedure=Procedure.ADAPTED,
        computed_publicity=PublicityLevel.BOAMP_JAL,
        procedure=Procedure.ADAPTED,
        status=ConsultationStatus.SIGNED,
        published_on=D(2023, 9, 5),
        offers_deadline=_at(D(2023, 10, 13), 12),
        opened_on=D(2023, 10, 16),
        analysis_on=D(2023, 11, 10),
        awarded_on=D(2023, 11, 24),
        award_decision_reference="Délibération n° 2023-087",
        rejections_sent_on=D(2023, 11, 27),
    )
    lot, _ = upsert(
        Lot,
        {"title": "Voirie et réseaux divers", "operation": operations["W-01"],
         "estimated_value_ht": _money("850000")},
        consultation=consultation,
        number=1,
    )  # fmt: skip
    upsert(
        Bid,
        {"bidder_siret": COMPANIES["eurovia"][1], "received_at": _at(D(2023, 10, 12)),
         "price_ht": _money("820000")},
        lot=lot,
        bidder=companies["eurovia"],
    )  # fmt: skip
    upsert(
        Bid,
        {"bidder_siret": COMPANIES["colas"][1], "received_at": _at(D(2023, 10, 13), 9),
         "price_ht": _money("868500")},
        lot=lot,
        bidder=companies["colas"],
    )  # fmt: skip
    contract = _contract(
        lot,
        "eurovia",
        companies,
        number="M-2023-011",
        amount_ht=_money("820000"),
        amount_ttc=_ttc("820000"),
        duration_months=30,
        price_form=PriceForm.UNIT,
        ccag=Ccag.WORKS,
        signed_on=D(2023, 12, 11),
        notified_on=D(2023, 12, 14),
        advance_rate=Decimal("0.05"),
        retention_rate=Decimal("0.05"),
        status=ContractStatus.IN_PROGRESS,
    )
    # 6 % + 6 % = 12 % of 820 000 € HT: works, below the 15 % de minimis ceiling (R2194-8) — allowed.
    for number, signed_on, amount, months, description in [
        (1, D(2025, 3, 10), "49200", 2, "Reprise du réseau d'eaux pluviales sous la rue du Temple."),
        (
            2,
            D(2026, 11, 24),
            "49200",
            1,
            "Remplacement des branchements d'eau pluviale découverts hors d'usage.",
        ),
    ]:
        upsert(
            ContractAmendment,
            {"signed_on": signed_on, "ground": AmendmentGround.DE_MINIMIS, "amount_ht": _money(amount),
             "duration_months": months, "description": description},
            contract=contract,
            number=number,
        )  # fmt: skip
    upsert(
        ServiceOrder,
        {"kind": ServiceOrderKind.START, "issued_on": D(2024, 1, 8), "effective_on": D(2024, 1, 15),
         "description": "Démarrage des travaux de réseaux."},
        contract=contract,
        number=1,
    )  # fmt: skip
    _invoices(
        contract,
        [
            ("F-2024-0456", D(2024, 6, 3), "180000", D(2024, 6, 14), D(2024, 7, 2)),
            # Received 18/08/2025, paid 30/09/2025: 43 days — 13 days late (ECB 2,15 % + 8 points, 40 €).
            ("F-2025-0871", D(2025, 8, 18), "210000", D(2025, 9, 11), D(2025, 9, 30)),
            # Received 02/11/2026, liquidated, not yet ordered: due on 02/12/2026 — at risk.
            ("F-2026-1102", D(2026, 11, 2), "95000", None, None),
        ],
    )
    return contract


# --- PVD-03: a services consultation straddling the 1 April 2026 threshold change ------------------------


def _signage_study(
    programme: "Programme",
    orgs: dict[str, Organisation],
    operations: dict[str, Operation],
    companies: dict[str, Organisation],
) -> Contract:
    """50 000 € HT launched on 31/03/2026: ≥ 40 000 € HT, the exemption threshold in force that day, so an
    adapted procedure; launched on 01/04/2026 (threshold 60 000 € HT) it could have been placed directly."""
    consultation = _consultation(
        programme,
        "PVD03-AMO",
        [operations["PVD-03"]],
        buyer=orgs["epci"],
        buyer_siret=BUYER_SIRETS["epci"],
        title="Étude de programmation et maîtrise d'œuvre de la signalétique patrimoniale",
        nature=PurchaseNature.SERVICES,
        cpv_code="71410000",
        estimated_value_ht=_money("50000"),
        launch_date=D(2026, 3, 31),
        computed_procedure=Procedure.ADAPTED,
        computed_publicity=PublicityLevel.ADAPTED,
        procedure=Procedure.ADAPTED,
        status=ConsultationStatus.SIGNED,
        published_on=D(2026, 3, 31),
        offers_deadline=_at(D(2026, 4, 30), 12),
        opened_on=D(2026, 5, 4),
        analysis_on=D(2026, 5, 22),
        awarded_on=D(2026, 6, 1),
        award_decision_reference="Décision du président n° 2026-041",
        rejections_sent_on=D(2026, 6, 2),
    )
    lot, _ = upsert(
        Lot,
        {"title": "Étude et maîtrise d'œuvre", "operation": operations["PVD-03"],
         "estimated_value_ht": _money("50000")},
        consultation=consultation,
        number=1,
    )  # fmt: skip
    for key, amount, received in [("signes", "46800", D(2026, 4, 29)), ("paysage", "52300", D(2026, 4, 30))]:
        upsert(
            Bid,
            {"bidder_siret": COMPANIES[key][1], "received_at": _at(received), "price_ht": _money(amount)},
            lot=lot,
            bidder=companies[key],
        )
    return _contract(
        lot,
        "signes",
        companies,
        number="M-2026-017",
        amount_ht=_money("46800"),
        amount_ttc=_ttc("46800"),
        duration_months=10,
        price_form=PriceForm.LUMP_SUM,
        ccag=Ccag.INTELLECTUAL,
        signed_on=D(2026, 6, 12),
        notified_on=D(2026, 6, 15),
        status=ContractStatus.IN_PROGRESS,
    )


# --- LPD-01: a framework agreement with purchase orders --------------------------------------------------


def _planting_framework(
    programme: "Programme",
    orgs: dict[str, Organisation],
    operations: dict[str, Operation],
    companies: dict[str, Organisation],
) -> Contract:
    consultation = _consultation(
        programme,
        "LPD-AC-PLANT",
        [operations["LPD-01"]],
        buyer=orgs["la_porte_du_der"],
        buyer_siret=BUYER_SIRETS["la_porte_du_der"],
        title="Accord-cadre à bons de commande — plantations et mobilier urbain des places",
        nature=PurchaseNature.SUPPLIES,
        cpv_code="03452000",
        estimated_value_ht=_money("150000"),
        launch_date=D(2025, 2, 3),
        computed_procedure=Procedure.ADAPTED,
        computed_publicity=PublicityLevel.BOAMP_JAL,
        procedure=Procedure.ADAPTED,
        framework_agreement=True,
        status=ConsultationStatus.SIGNED,
        published_on=D(2025, 2, 4),
        offers_deadline=_at(D(2025, 3, 7), 12),
        opened_on=D(2025, 3, 10),
        analysis_on=D(2025, 3, 24),
        awarded_on=D(2025, 4, 1),
        award_decision_reference="Décision du maire n° 2025-022",
        rejections_sent_on=D(2025, 4, 2),
    )
    lot, _ = upsert(
        Lot,
        {"title": "Plantations et mobilier urbain", "operation": operations["LPD-01"],
         "estimated_value_ht": _money("150000")},
        consultation=consultation,
        number=1,
    )  # fmt: skip
    for key, amount, received in [("verts", "138000", D(2025, 3, 6)), ("paysage", "146500", D(2025, 3, 7))]:
        upsert(
            Bid,
            {"bidder_siret": COMPANIES[key][1], "received_at": _at(received), "price_ht": _money(amount)},
            lot=lot,
            bidder=companies[key],
        )
    contract = _contract(
        lot,
        "verts",
        companies,
        number="AC-2025-003",
        amount_ht=_money("150000"),  # the agreement's maximum
        amount_ttc=_ttc("150000"),
        duration_months=36,
        price_form=PriceForm.UNIT,
        ccag=Ccag.SUPPLIES_SERVICES,
        signed_on=D(2025, 4, 10),
        notified_on=D(2025, 4, 14),
        status=ContractStatus.IN_PROGRESS,
    )
    for number, issued_on, amount, description in [
        (
            "BC-2025-118",
            D(2025, 11, 3),
            "62000",
            "Mobilier urbain et plantations de la place de l'Hôtel de Ville",
        ),
        ("BC-2026-041", D(2026, 4, 13), "18500", "Jardinières et arbres d'alignement de la rue de l'Isle"),
    ]:
        upsert(
            PurchaseOrder,
            {"issued_on": issued_on, "amount_ht": _money(amount), "amount_ttc": _ttc(amount),
             "description": description},
            contract=contract,
            number=number,
        )  # fmt: skip
    return contract
