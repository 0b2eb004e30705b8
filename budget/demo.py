"""Demo data of the budget app: financing plans of the demo operations, subsidy requests at every stage of
their lifecycle with their payments, and the programme budget 2023–2027 (PPI, AP/CP, budget lines,
expenses through the chain, restes à réaliser at the end of 2025).

Illustrative figures, not the real accounts of Wassy, La Porte du Der or the agglomeration. Written with
the ORM directly and idempotent (pvd.upsert, keyed on natural keys): a second load writes no row and no
history. Dates are fixed around TODAY (28/11/2026, as operations/demo.py) so the demo reads the same every
day. What the demo shows on purpose:
- LPD-06 fails the owner's minimum share (CGCT L1111-10: own < 20 % of own + public grants);
- LPD-07 has a derogation to it (monument historique, arrêté du préfet);
- W-02 has a gap: its plan does not balance with the cost raised after the diagnostic of the frame;
- the DETR of LPD-02, notified on 20/01/2025 and not started, reaches its start deadline (20/01/2027)
  within the three-month warning window; the DETR 2022 of PVD-01 lapsed (caduque); the Région's request for
  LPD-09 was rejected; W-06 and LPD-05 are settled with their balance; LPD-05's Région award was reduced;
  W-01's and W-07's instalments reach exactly 80 % of the award, W-03's DSIL is at exactly 20 %.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType

from budget.models import (
    AdjustmentKind,
    AuthorisationRevision,
    BudgetAccount,
    BudgetLine,
    DerogationGround,
    Expense,
    ExpenseStatus,
    FinancingLine,
    FinancingLineStatus,
    FinancingPlan,
    FundingCategory,
    PaymentCredit,
    PaymentKind,
    PlannedInvestment,
    ProgrammeAuthorisation,
    SubsidyAdjustment,
    SubsidyAllocation,
    SubsidyPayment,
    SubsidyRequest,
    SubsidyStatus,
)
from operations.demo import DEMO_MANAGER_EMAIL
from operations.models import Contract, Invoice, Operation
from partners.models import Offer, Organisation
from pvd.accounts.models import User
from pvd.models import StatusChange
from pvd.money import ZERO, round_cents
from pvd.upsert import upsert

if TYPE_CHECKING:
    from programmes.models import Programme

TODAY = datetime.date(2026, 11, 28)
BUDGET_YEARS = range(2023, 2028)
VAT = Decimal("1.2")
D = datetime.date
S = SubsidyStatus

# Keys of the funders in the `orgs` dict of pvd.demo (partners/demo.py names).
FUNDERS = {
    "prefecture": "Préfecture de la Haute-Marne",
    "region": "Région Grand Est",
    "department": "Département de la Haute-Marne",
    "bdt": "Banque des Territoires",
    "anah": "Agence nationale de l'habitat (Anah)",
    "epci": "epci",
}

# Revenue account of a grant (M57, chapter 13) by funding category.
REVENUE_ACCOUNTS = {
    FundingCategory.STATE_DOTATION: "1321",
    FundingCategory.STATE_OTHER: "1321",
    FundingCategory.REGION: "1312",
    FundingCategory.DEPARTMENT: "1313",
    FundingCategory.INTERCOMMUNAL_FUND: "1314",
}
REVENUE_LABELS = {
    "1321": "Subventions d'équipement de l'État (DETR, DSIL, Fonds vert, FNADT)",
    "1312": "Subventions d'équipement de la Région Grand Est",
    "1313": "Subventions d'équipement du Département de la Haute-Marne",
    "1314": "Fonds de concours de l'agglomération",
    "1318": "Autres subventions d'équipement (Banque des Territoires, Anah)",
}

# The status a plan line takes from its request (DOMAIN.md §2.3; the subsidies service keeps them in step).
LINE_STATUS = {
    S.TO_PREPARE: FinancingLineStatus.ENVISAGED,
    S.DELIBERATED: FinancingLineStatus.ENVISAGED,
    S.FILED: FinancingLineStatus.REQUESTED,
    S.ACKNOWLEDGED: FinancingLineStatus.REQUESTED,
    S.COMPLETE: FinancingLineStatus.REQUESTED,
    S.AWARDED: FinancingLineStatus.GRANTED,
    S.NOTIFIED: FinancingLineStatus.GRANTED,
    S.STARTED: FinancingLineStatus.GRANTED,
    S.COMPLETED: FinancingLineStatus.GRANTED,
    S.SETTLED: FinancingLineStatus.GRANTED,
    S.REJECTED: FinancingLineStatus.REFUSED,
    S.LAPSED: FinancingLineStatus.REFUSED,
    S.WITHDRAWN: FinancingLineStatus.REFUSED,
}
AWARDED_STATUSES = {S.AWARDED, S.NOTIFIED, S.STARTED, S.COMPLETED, S.SETTLED, S.LAPSED}
# The chain of a request: each status reached on the date of its evidence (for the StatusChange journal).
CHAIN = [
    (S.DELIBERATED, "deliberation_on"),
    (S.FILED, "filed_on"),
    (S.ACKNOWLEDGED, "acknowledged_on"),
    (S.COMPLETE, "complete_on"),
    (S.AWARDED, "decided_on"),
    (S.NOTIFIED, "notified_on"),
    (S.STARTED, "started_on"),
    (S.COMPLETED, "completed_on"),
    (S.SETTLED, "settled_on"),
]


@dataclass(frozen=True)
class Pay:
    kind: str
    amount: str
    requested_on: datetime.date
    received_on: datetime.date | None = None
    reference: str = ""


@dataclass(frozen=True)
class Adjust:
    kind: str
    amount: str
    decided_on: datetime.date
    reference: str
    reason: str


@dataclass(frozen=True)
class Req:
    """A subsidy request for a plan line (amounts default to the line's)."""

    title: str
    status: str
    dates: dict[str, datetime.date] = field(default_factory=dict)
    reference: str = ""
    decision_reference: str = ""
    requested: str | None = None
    awarded: str | None = None
    payments: tuple[Pay, ...] = ()
    adjustments: tuple[Adjust, ...] = ()
    closed_on: datetime.date | None = None  # rejection, lapse or withdrawal (StatusChange date)
    closing_reason: str = ""
    conditions: str = ""
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    category: str
    funder: str
    scheme: str | None
    label: str
    amount: str
    base: str | None = None
    request: Req | None = None

    @property
    def status(self) -> str:
        return LINE_STATUS[self.request.status] if self.request else FinancingLineStatus.ENVISAGED


@dataclass(frozen=True)
class Plan:
    """The plan of one operation: grant lines (own funds are the remainder), the part without VAT (land,
    grants to private owners), the PPI spread of its TTC cost, and the M57 account of its spending."""

    lines: tuple[Line, ...]
    untaxed: str = "0"
    fctva_excluded: str | None = None  # default: the untaxed part
    fctva_reason: str = ""
    cost_ht: str | None = None  # default: the operation's estimated cost
    gap: str = "0"
    derogation: tuple[str, str] | None = None
    expense_year: int | None = None
    notes: str = ""
    ppi: tuple[tuple[int, str], ...] = ()
    account: str = "2313"
    withdrawn: tuple[Req, ...] = ()  # requests allocated to the operation without a plan line


def _dates(**dates: tuple[int, int, int]) -> dict[str, datetime.date]:
    return {name: D(*value) for name, value in dates.items()}


def _pay(kind: str, amount: str, requested: tuple, received: tuple | None = None, ref: str = "") -> Pay:
    return Pay(kind, amount, D(*requested), D(*received) if received else None, ref)


ADV, INST, BAL = PaymentKind.ADVANCE, PaymentKind.INSTALMENT, PaymentKind.BALANCE
DOT, STATE, REG, DEP = (
    FundingCategory.STATE_DOTATION,
    FundingCategory.STATE_OTHER,
    FundingCategory.REGION,
    FundingCategory.DEPARTMENT,
)
DETR_CONDITIONS = (
    "Commencement dans les deux ans de la notification ; achèvement dans les quatre ans du commencement ; "
    "panneau de chantier mentionnant le soutien de l'État."
)

PLANS: dict[str, Plan] = {
    "W-01": Plan(
        expense_year=2025,
        ppi=((2023, "0.08"), (2024, "0.30"), (2025, "0.35"), (2026, "0.27")),
        lines=(
            Line(DOT, "prefecture", "detr", "DETR 2023", "435000", "1450000", Req(
                "DETR 2023 — requalification de la place Notre-Dame", S.STARTED,
                _dates(deliberation_on=(2022, 12, 8), filed_on=(2023, 1, 20), acknowledged_on=(2023, 1, 27),
                       complete_on=(2023, 3, 10), decided_on=(2023, 6, 12), notified_on=(2023, 6, 20),
                       started_on=(2024, 3, 4), start_declared_on=(2024, 3, 11)),
                reference="DETR-52-2023-0117", decision_reference="Arrêté préfectoral n° 2023-DCL-0612",
                conditions=DETR_CONDITIONS,
                payments=(
                    _pay(ADV, "130500", (2024, 3, 20), (2024, 5, 6), "T-2024-0187"),
                    _pay(INST, "217500", (2025, 10, 6), (2025, 11, 14), "T-2025-0142"),
                ),
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — revitalisation des centres-bourgs",
                 "217500", None, Req(
                "Région Grand Est — place Notre-Dame de Wassy", S.STARTED,
                _dates(filed_on=(2023, 2, 1), acknowledged_on=(2023, 2, 10), complete_on=(2023, 3, 15),
                       decided_on=(2023, 7, 7), notified_on=(2023, 7, 20), started_on=(2024, 3, 4)),
                reference="RGE-CB-2023-0448", decision_reference="Commission permanente du 07/07/2023",
                payments=(_pay(INST, "87000", (2025, 6, 2), (2025, 7, 10), "T-2025-0093"),),
            )),
            Line(DEP, "department", "haute-marne-dispositifs", "Département — centres-bourgs", "145000", None, Req(
                "Département — aménagement de la place Notre-Dame", S.STARTED,
                _dates(filed_on=(2023, 2, 15), decided_on=(2023, 10, 20), notified_on=(2023, 11, 2),
                       started_on=(2024, 3, 4)),
                decision_reference="Commission permanente du 20/10/2023",
            )),
        ),
    ),
    "W-02": Plan(
        cost_ht="1040000",
        gap="60000",
        notes="Coût relevé de 60 000 € HT après le diagnostic de la charpente : financement complémentaire à trouver.",
        expense_year=2027,
        ppi=((2024, "0.10"), (2025, "0.15"), (2026, "0.35"), (2027, "0.40")),
        lines=(
            Line(DOT, "prefecture", "dsil", "DSIL 2026", "245000", "980000", Req(
                "DSIL 2026 — halle gourmande de Wassy", S.FILED,
                _dates(deliberation_on=(2026, 9, 17), filed_on=(2026, 9, 30)),
                reference="DSIL-GE-2026-0893",
                extra={"deliberation_reference": "DEL-W-2026-058"},
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — commerce de centre-bourg", "196000",
                 None, Req(
                "Région Grand Est — halle gourmande", S.NOTIFIED,
                _dates(filed_on=(2024, 2, 5), acknowledged_on=(2024, 2, 14), complete_on=(2024, 4, 2),
                       decided_on=(2024, 6, 28), notified_on=(2024, 7, 8)),
                reference="RGE-CB-2024-0127", decision_reference="Commission permanente du 28/06/2024",
            )),
            Line(FundingCategory.BANQUE_DES_TERRITOIRES, "bdt", None,
                 "Banque des Territoires — étude de structure de la charpente", "20000", "40000", Req(
                "Banque des Territoires — diagnostic de la charpente de la halle", S.SETTLED,
                _dates(filed_on=(2024, 10, 1), decided_on=(2024, 11, 15), notified_on=(2024, 11, 25),
                       started_on=(2024, 12, 2), completed_on=(2025, 4, 30), balance_requested_on=(2025, 5, 15),
                       settled_on=(2025, 6, 20)),
                decision_reference="Convention BDT n° 2024-52-0311",
                payments=(_pay(BAL, "20000", (2025, 5, 15), (2025, 6, 20), "T-2025-0087"),),
            )),
        ),
    ),
    "W-03": Plan(
        expense_year=2024,
        ppi=((2023, "0.20"), (2024, "0.35"), (2025, "0.30"), (2026, "0.15")),
        lines=(
            Line(DOT, "prefecture", "detr", "DETR 2022", "575000", "2300000", Req(
                "DETR 2022 — maison de santé pluriprofessionnelle de Wassy", S.STARTED,
                _dates(filed_on=(2022, 1, 14), acknowledged_on=(2022, 1, 21), complete_on=(2022, 3, 4),
                       decided_on=(2022, 5, 30), notified_on=(2022, 6, 7), started_on=(2023, 9, 18),
                       start_declared_on=(2023, 9, 25)),
                reference="DETR-52-2022-0044", decision_reference="Arrêté préfectoral n° 2022-DCL-0388",
                conditions=DETR_CONDITIONS,
                payments=(
                    _pay(ADV, "172500", (2023, 10, 2), (2023, 11, 20), "T-2023-0264"),
                    _pay(INST, "230000", (2025, 2, 10), (2025, 3, 28), "T-2025-0041"),
                ),
            )),
            Line(DOT, "prefecture", "dsil", "DSIL 2022 (taux minimal de 20 %)", "460000", "2300000", Req(
                "DSIL 2022 — maison de santé pluriprofessionnelle de Wassy", S.STARTED,
                _dates(filed_on=(2022, 3, 1), acknowledged_on=(2022, 3, 9), complete_on=(2022, 4, 12),
                       decided_on=(2022, 7, 18), notified_on=(2022, 7, 25), started_on=(2023, 9, 18)),
                reference="DSIL-GE-2022-0217", decision_reference="Arrêté du préfet de région n° 2022-1175",
                payments=(_pay(ADV, "138000", (2023, 10, 2), (2023, 12, 15), "T-2023-0301"),),
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — santé de proximité", "230000", None, Req(
                "Région Grand Est — maison de santé de Wassy", S.STARTED,
                _dates(filed_on=(2022, 2, 1), decided_on=(2022, 9, 23), notified_on=(2022, 10, 5),
                       started_on=(2023, 9, 18)),
                decision_reference="Commission permanente du 23/09/2022",
            )),
            Line(FundingCategory.LOAN, "bdt", None, "Prêt Banque des Territoires (25 ans)", "500000"),
        ),
    ),
    "W-04": Plan(
        untaxed="250000",
        fctva_reason="Subventions aux propriétaires privés (compte 20422) : non éligibles au FCTVA.",
        account="20422",
        ppi=((2024, "0.20"), (2025, "0.30"), (2026, "0.30"), (2027, "0.20")),
        lines=(
            Line(REG, "region", "region-grand-est-dispositifs", "Région — patrimoine et façades", "75000", None, Req(
                "Région Grand Est — campagne de façades du centre ancien", S.NOTIFIED,
                _dates(filed_on=(2023, 11, 6), decided_on=(2024, 2, 16), notified_on=(2024, 2, 26)),
                decision_reference="Commission permanente du 16/02/2024",
                payments=(_pay(INST, "30000", (2025, 9, 1), (2025, 10, 13), "T-2025-0121"),),
            )),
            Line(DEP, "department", "haute-marne-dispositifs", "Département — patrimoine", "50000", None, Req(
                "Département — campagne de façades de Wassy", S.COMPLETE,
                _dates(filed_on=(2025, 10, 1), acknowledged_on=(2025, 10, 9), complete_on=(2025, 11, 20)),
            )),
        ),
    ),
    "W-05": Plan(
        untaxed="400000",
        fctva_reason="Acquisition du terrain (compte 2111) : non éligible au FCTVA.",
        expense_year=2027,
        ppi=((2026, "0.10"), (2027, "0.90")),
        lines=(
            Line(STATE, "prefecture", "fonds-vert", "Fonds vert — recyclage des friches", "1240000", "3100000", Req(
                "Fonds vert 2025 — reconversion de la friche de la rue du Moulin", S.COMPLETE,
                _dates(deliberation_on=(2025, 9, 25), filed_on=(2025, 10, 6), acknowledged_on=(2025, 10, 14),
                       complete_on=(2025, 12, 5)),
                reference="FV-2025-GE-52-0061",
                extra={"deliberation_reference": "DEL-CA-2025-142", "planned_duration_months": 36},
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — friches", "465000"),
        ),
    ),
    "W-06": Plan(
        expense_year=2023,
        ppi=((2022, "0.40"), (2023, "0.60")),
        lines=(
            Line(DOT, "prefecture", "detr", "DETR 2022", "126000", "420000", Req(
                "DETR 2022 — tiers-lieu numérique de l'ancienne poste", S.SETTLED,
                _dates(filed_on=(2022, 1, 10), acknowledged_on=(2022, 1, 17), complete_on=(2022, 2, 18),
                       decided_on=(2022, 4, 19), notified_on=(2022, 4, 26), started_on=(2022, 6, 13),
                       start_declared_on=(2022, 6, 20), completed_on=(2023, 11, 30),
                       balance_requested_on=(2024, 1, 15), settled_on=(2024, 3, 8)),
                reference="DETR-52-2022-0019", decision_reference="Arrêté préfectoral n° 2022-DCL-0241",
                conditions=DETR_CONDITIONS,
                payments=(
                    _pay(ADV, "37800", (2022, 6, 20), (2022, 7, 28), "T-2022-0311"),
                    _pay(INST, "50400", (2023, 5, 15), (2023, 6, 30), "T-2023-0198"),
                    _pay(BAL, "37800", (2024, 1, 15), (2024, 3, 8), "T-2024-0066"),
                ),
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — tiers-lieux", "84000", None, Req(
                "Région Grand Est — tiers-lieu numérique de Wassy", S.SETTLED,
                _dates(filed_on=(2022, 2, 7), decided_on=(2022, 6, 24), notified_on=(2022, 7, 4),
                       started_on=(2022, 6, 13), completed_on=(2023, 11, 30), balance_requested_on=(2024, 1, 15),
                       settled_on=(2024, 4, 2)),
                payments=(
                    _pay(INST, "33600", (2023, 3, 6), (2023, 4, 14), "T-2023-0102"),
                    _pay(BAL, "50400", (2024, 1, 15), (2024, 4, 2), "T-2024-0079"),
                ),
            )),
            Line(DEP, "department", "haute-marne-dispositifs", "Département — numérique", "42000", None, Req(
                "Département — tiers-lieu numérique de Wassy", S.SETTLED,
                _dates(filed_on=(2022, 2, 15), decided_on=(2022, 5, 13), notified_on=(2022, 5, 20),
                       started_on=(2022, 6, 13), completed_on=(2023, 11, 30), balance_requested_on=(2024, 1, 15),
                       settled_on=(2024, 2, 20)),
                payments=(_pay(BAL, "42000", (2024, 1, 15), (2024, 2, 20), "T-2024-0051"),),
            )),
        ),
    ),
    "W-07": Plan(
        expense_year=2025,
        ppi=((2023, "0.05"), (2024, "0.30"), (2025, "0.45"), (2026, "0.20")),
        lines=(
            Line(STATE, "prefecture", "fonds-vert", "Fonds vert — rénovation énergétique des bâtiments publics",
                 "345000", "1150000", Req(
                "Fonds vert 2023 — rénovation énergétique de l'école élémentaire", S.STARTED,
                _dates(filed_on=(2023, 3, 15), acknowledged_on=(2023, 3, 22), complete_on=(2023, 5, 10),
                       decided_on=(2023, 7, 20), notified_on=(2023, 7, 31), started_on=(2024, 4, 15),
                       start_declared_on=(2024, 4, 22)),
                reference="FV-2023-GE-52-0140", decision_reference="Arrêté préfectoral n° 2023-FV-0087",
                extra={"planned_duration_months": 30, "publicity_required": True},
                payments=(
                    _pay(ADV, "103500", (2024, 5, 6), (2024, 6, 17), "T-2024-0233"),
                    _pay(INST, "172500", (2025, 12, 1), (2026, 1, 19), "T-2026-0012"),
                ),
            )),
            Line(DOT, "prefecture", "dsil", "DSIL 2023", "287500", "1150000", Req(
                "DSIL 2023 — rénovation énergétique de l'école élémentaire", S.STARTED,
                _dates(filed_on=(2023, 2, 20), acknowledged_on=(2023, 3, 1), complete_on=(2023, 4, 3),
                       decided_on=(2023, 8, 28), notified_on=(2023, 9, 5), started_on=(2024, 4, 15)),
                reference="DSIL-GE-2023-0402", decision_reference="Arrêté du préfet de région n° 2023-1432",
                payments=(_pay(ADV, "86250", (2024, 5, 6), (2024, 7, 1), "T-2024-0251"),),
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — Climaxion", "115000", None, Req(
                "Région Grand Est — école élémentaire de Wassy (Climaxion)", S.STARTED,
                _dates(filed_on=(2023, 3, 1), decided_on=(2023, 10, 13), notified_on=(2023, 10, 25),
                       started_on=(2024, 4, 15)),
            )),
        ),
    ),
    "W-08": Plan(
        untaxed="0",
        fctva_excluded="108000",
        fctva_reason="Dépenses de fonctionnement (loyers, animation) : non éligibles au FCTVA.",
        account="617",
        lines=(
            Line(REG, "region", "region-grand-est-dispositifs", "Région — commerce de centre-bourg", "27000", None,
                 Req("Région Grand Est — boutiques à l'essai", S.ACKNOWLEDGED,
                     _dates(filed_on=(2025, 5, 12), acknowledged_on=(2025, 5, 20)))),
        ),
        withdrawn=(
            Req("Département — boutiques à l'essai", S.WITHDRAWN, _dates(filed_on=(2025, 4, 14)),
                requested="18000", closed_on=D(2025, 5, 5),
                closing_reason="Retirée : l'opération relève du dispositif commerce de la Région, déposé à la place."),
        ),
    ),
    "W-09": Plan(
        ppi=((2027, "1"),),
        lines=(
            Line(DOT, "prefecture", "detr", "DETR 2027", "54000", "180000", Req(
                "DETR 2027 — parcours patrimonial du massacre de Wassy", S.TO_PREPARE,
                extra={"call_deadline": D(2027, 1, 31)},
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — patrimoine", "45000"),
            Line(FundingCategory.INTERCOMMUNAL_FUND, "epci", None,
                 "Fonds de concours de l'agglomération (délibération à venir)", "20000"),
        ),
    ),
    "LPD-01": Plan(
        expense_year=2025,
        ppi=((2023, "0.05"), (2024, "0.30"), (2025, "0.40"), (2026, "0.25")),
        lines=(
            Line(DOT, "prefecture", "detr", "DETR 2023", "360000", "1200000", Req(
                "DETR 2023 — place de l'Hôtel de Ville de Montier-en-Der", S.STARTED,
                _dates(filed_on=(2023, 1, 13), acknowledged_on=(2023, 1, 20), complete_on=(2023, 2, 24),
                       decided_on=(2023, 5, 22), notified_on=(2023, 5, 30), started_on=(2024, 6, 3),
                       start_declared_on=(2024, 6, 10)),
                reference="DETR-52-2023-0098", decision_reference="Arrêté préfectoral n° 2023-DCL-0529",
                conditions=DETR_CONDITIONS,
                payments=(
                    _pay(ADV, "108000", (2024, 6, 17), (2024, 7, 29), "T-2024-0298"),
                    _pay(INST, "180000", (2025, 11, 3), (2025, 12, 15), "T-2025-0187"),
                ),
            )),
            Line(DEP, "department", "haute-marne-dispositifs", "Département — centres-bourgs", "180000", None, Req(
                "Département — place de l'Hôtel de Ville de Montier-en-Der", S.STARTED,
                _dates(filed_on=(2023, 2, 6), decided_on=(2023, 6, 16), notified_on=(2023, 6, 26),
                       started_on=(2024, 6, 3)),
                payments=(_pay(INST, "72000", (2025, 11, 3), (2025, 12, 22), "T-2025-0191"),),
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — revitalisation des centres-bourgs",
                 "120000", None, Req(
                "Région Grand Est — place de l'Hôtel de Ville de Montier-en-Der", S.STARTED,
                _dates(filed_on=(2023, 2, 10), decided_on=(2023, 7, 7), notified_on=(2023, 7, 17),
                       started_on=(2024, 6, 3)),
            )),
        ),
    ),
    "LPD-02": Plan(
        expense_year=2027,
        ppi=((2025, "0.10"), (2026, "0.30"), (2027, "0.60")),
        lines=(
            Line(DOT, "prefecture", "detr", "DETR 2024", "228000", "760000", Req(
                "DETR 2024 — halle du marché de Montier-en-Der", S.NOTIFIED,
                _dates(deliberation_on=(2023, 12, 14), filed_on=(2024, 1, 15), acknowledged_on=(2024, 1, 22),
                       complete_on=(2024, 3, 1), decided_on=(2025, 1, 13), notified_on=(2025, 1, 20)),
                reference="DETR-52-2024-0073", decision_reference="Arrêté préfectoral n° 2025-DCL-0031",
                conditions=DETR_CONDITIONS,
                extra={"deliberation_reference": "DEL-LPD-2023-088"},
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — commerce de centre-bourg", "114000", None,
                 Req("Région Grand Est — halle du marché de Montier-en-Der", S.NOTIFIED,
                     _dates(filed_on=(2024, 2, 12), decided_on=(2024, 10, 18), notified_on=(2024, 10, 28)))),
            Line(FundingCategory.INTERCOMMUNAL_FUND, "epci", None, "Fonds de concours de l'agglomération", "100000",
                 None, Req(
                "Fonds de concours de l'agglomération — halle du marché", S.NOTIFIED,
                _dates(deliberation_on=(2024, 5, 23), filed_on=(2024, 5, 30), decided_on=(2024, 6, 27),
                       notified_on=(2024, 7, 4)),
                decision_reference="Délibération du conseil communautaire DEL-CA-2024-077",
                conditions="Fonds de concours au plus égal à la part de la commune hors subventions (CGCT L5216-5).",
            )),
        ),
    ),
    "LPD-03": Plan(
        expense_year=2027,
        ppi=((2026, "0.05"), (2027, "0.95")),
        lines=(
            Line(DOT, "prefecture", "dsil", "DSIL 2026", "255000", "850000", Req(
                "DSIL 2026 — extension de la maison de santé de La Porte du Der", S.AWARDED,
                _dates(filed_on=(2026, 2, 9), acknowledged_on=(2026, 2, 16), complete_on=(2026, 4, 3),
                       decided_on=(2026, 11, 20)),
                reference="DSIL-GE-2026-0311", decision_reference="Arrêté du préfet de région n° 2026-1988",
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — santé de proximité", "127500"),
        ),
    ),
    "LPD-04": Plan(
        untaxed="150000",
        fctva_reason="Subventions aux propriétaires privés (compte 20422) : non éligibles au FCTVA.",
        account="20422",
        ppi=((2025, "0.30"), (2026, "0.40"), (2027, "0.30")),
        lines=(
            Line(DEP, "department", "haute-marne-dispositifs", "Département — patrimoine", "45000", None, Req(
                "Département — façades de la Grande Rue", S.NOTIFIED,
                _dates(filed_on=(2024, 9, 16), decided_on=(2025, 1, 24), notified_on=(2025, 2, 3)),
            )),
        ),
    ),
    "LPD-05": Plan(
        expense_year=2022,
        ppi=((2022, "0.60"), (2023, "0.40")),
        lines=(
            Line(DOT, "prefecture", "detr", "DETR 2022", "162000", "540000", Req(
                "DETR 2022 — tiers-lieu et espace France Services", S.SETTLED,
                _dates(filed_on=(2021, 12, 10), acknowledged_on=(2021, 12, 17), complete_on=(2022, 1, 28),
                       decided_on=(2022, 3, 21), notified_on=(2022, 3, 29), started_on=(2022, 4, 11),
                       completed_on=(2023, 6, 30), balance_requested_on=(2023, 8, 1), settled_on=(2023, 9, 29)),
                reference="DETR-52-2022-0007", decision_reference="Arrêté préfectoral n° 2022-DCL-0197",
                payments=(
                    _pay(ADV, "48600", (2022, 4, 25), (2022, 6, 3), "T-2022-0215"),
                    _pay(INST, "80000", (2022, 11, 7), (2022, 12, 16), "T-2022-0398"),
                    _pay(BAL, "33400", (2023, 8, 1), (2023, 9, 29), "T-2023-0231"),
                ),
            )),
            Line(REG, "region", "region-grand-est-dispositifs",
                 "Région — tiers-lieux (108 000 € attribués, réduits de 12 400 €)", "95600", None, Req(
                "Région Grand Est — tiers-lieu de La Porte du Der", S.SETTLED,
                _dates(filed_on=(2021, 12, 15), decided_on=(2022, 4, 8), notified_on=(2022, 4, 19),
                       started_on=(2022, 4, 11), completed_on=(2023, 6, 30), balance_requested_on=(2023, 9, 20),
                       settled_on=(2023, 10, 20)),
                requested="108000",
                awarded="108000",
                decision_reference="Commission permanente du 08/04/2022",
                adjustments=(
                    Adjust(AdjustmentKind.REDUCTION, "12400", D(2023, 9, 12), "Arrêté de la Région n° 23-CP-1182",
                           "Dépense réalisée de 478 000 € HT au lieu de 540 000 € HT : subvention ramenée au "
                           "prorata de la dépense justifiée."),
                ),
                payments=(
                    _pay(INST, "43200", (2022, 10, 3), (2022, 11, 18), "T-2022-0377"),
                    _pay(BAL, "52400", (2023, 9, 20), (2023, 10, 20), "T-2023-0276"),
                ),
            )),
            Line(STATE, "prefecture", "fnadt", "FNADT — espace France Services", "30000", None, Req(
                "FNADT — espace France Services de La Porte du Der", S.SETTLED,
                _dates(filed_on=(2021, 12, 10), decided_on=(2022, 2, 14), notified_on=(2022, 2, 21),
                       started_on=(2022, 4, 11), completed_on=(2023, 6, 30), balance_requested_on=(2023, 7, 10),
                       settled_on=(2023, 8, 25)),
                payments=(
                    _pay(ADV, "9000", (2022, 4, 25), (2022, 5, 30), "T-2022-0188"),
                    _pay(BAL, "21000", (2023, 7, 10), (2023, 8, 25), "T-2023-0207"),
                ),
            )),
        ),
    ),
    "LPD-06": Plan(
        expense_year=2027,
        notes="Part communale sous le minimum légal : plan à revoir, arbitrage demandé au comité de projet.",
        ppi=((2026, "0.05"), (2027, "0.95")),
        lines=(
            Line(DOT, "prefecture", "detr", "DETR 2026", "490000", "1400000", Req(
                "DETR 2026 — rénovation énergétique du groupe scolaire", S.COMPLETE,
                _dates(filed_on=(2026, 1, 15), acknowledged_on=(2026, 1, 22), complete_on=(2026, 3, 20)),
                reference="DETR-52-2026-0052",
            )),
            Line(STATE, "prefecture", "fonds-vert", "Fonds vert — rénovation énergétique des bâtiments publics",
                 "490000", "1400000", Req(
                "Fonds vert 2025 — groupe scolaire de La Porte du Der", S.ACKNOWLEDGED,
                _dates(filed_on=(2025, 12, 10), acknowledged_on=(2025, 12, 18)),
                reference="FV-2025-GE-52-0117",
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — Climaxion", "210000"),
            Line(DEP, "department", "haute-marne-dispositifs", "Département — bâtiments scolaires", "170000"),
        ),
    ),
    "LPD-07": Plan(
        derogation=(
            DerogationGround.PROTECTED_MONUMENT,
            "Arrêté préfectoral n° 2026-DCL-0412 du 14/09/2026 (abbatiale Notre-Dame, monument historique classé)",
        ),
        ppi=((2027, "1"),),
        lines=(
            Line(DOT, "prefecture", "dsil", "DSIL (patrimoine)", "332500", "950000"),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — patrimoine", "285000"),
            Line(DEP, "department", "haute-marne-dispositifs", "Département — patrimoine", "237500"),
        ),
    ),
    "LPD-08": Plan(
        expense_year=2022,
        ppi=((2022, "1"),),
        lines=(
            Line(DEP, "department", "haute-marne-dispositifs", "Département — patrimoine", "19500", None, Req(
                "Département — signalétique patrimoniale de Montier-en-Der", S.SETTLED,
                _dates(filed_on=(2022, 1, 17), decided_on=(2022, 4, 22), notified_on=(2022, 5, 2),
                       started_on=(2022, 6, 7), completed_on=(2022, 12, 16), balance_requested_on=(2023, 1, 16),
                       settled_on=(2023, 3, 10)),
                payments=(_pay(BAL, "19500", (2023, 1, 16), (2023, 3, 10), "T-2023-0061"),),
            )),
        ),
    ),
    "LPD-09": Plan(
        ppi=((2027, "1"),),
        lines=(
            Line(REG, "region", "region-grand-est-dispositifs", "Région — habitat en centre-bourg", "96000", None,
                 Req("Région Grand Est — logements communaux vacants", S.REJECTED,
                     _dates(filed_on=(2024, 3, 4), acknowledged_on=(2024, 3, 12), decided_on=(2024, 6, 21)),
                     decision_reference="Commission permanente du 21/06/2024",
                     closed_on=D(2024, 6, 21),
                     closing_reason="Non retenue : opération jugée non prête, le portage foncier par l'EPF Grand "
                     "Est n'étant pas décidé.")),
            Line(DEP, "department", "haute-marne-dispositifs", "Département — habitat", "72000"),
        ),
    ),
    "PVD-01": Plan(
        untaxed="150000",
        fctva_reason="Acquisitions foncières (compte 2111) : non éligibles au FCTVA.",
        expense_year=2025,
        ppi=((2023, "0.15"), (2024, "0.20"), (2025, "0.40"), (2026, "0.15"), (2027, "0.10")),
        lines=(
            Line(DOT, "prefecture", "dsil", "DSIL 2022", "780000", "2600000", Req(
                "DSIL 2022 — vélo-route du lac du Der", S.STARTED,
                _dates(filed_on=(2022, 2, 14), acknowledged_on=(2022, 2, 21), complete_on=(2022, 3, 25),
                       decided_on=(2022, 7, 11), notified_on=(2022, 7, 19), started_on=(2023, 4, 3),
                       start_declared_on=(2023, 4, 10)),
                reference="DSIL-GE-2022-0158", decision_reference="Arrêté du préfet de région n° 2022-1094",
                extra={"planned_duration_months": 60},
                payments=(
                    _pay(ADV, "234000", (2023, 4, 17), (2023, 6, 2), "T-2023-0145"),
                    _pay(INST, "312000", (2025, 3, 3), (2025, 4, 18), "T-2025-0058"),
                ),
            )),
            Line(DOT, "prefecture", "detr", "DETR 2022 — tronçon du lac (caduque)", "250000", "1000000", Req(
                "DETR 2022 — tronçon du lac de la vélo-route", S.LAPSED,
                _dates(filed_on=(2022, 1, 14), acknowledged_on=(2022, 1, 21), complete_on=(2022, 2, 25),
                       decided_on=(2022, 3, 8), notified_on=(2022, 3, 15)),
                reference="DETR-52-2022-0031", decision_reference="Arrêté préfectoral n° 2022-DCL-0152",
                conditions=DETR_CONDITIONS,
                closed_on=D(2024, 3, 15),
                closing_reason="Caduque : travaux du tronçon du lac non commencés dans les deux ans de la "
                "notification (acquisitions foncières en cours, prorogation non demandée à temps).",
            )),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — véloroutes", "520000", None, Req(
                "Région Grand Est — vélo-route du lac du Der", S.STARTED,
                _dates(filed_on=(2022, 3, 1), decided_on=(2022, 10, 14), notified_on=(2022, 10, 24),
                       started_on=(2023, 4, 3)),
                payments=(_pay(INST, "208000", (2025, 4, 7), (2025, 5, 23), "T-2025-0071"),),
            )),
            Line(DEP, "department", "haute-marne-dispositifs", "Département — mobilités", "260000", None, Req(
                "Département — vélo-route du lac du Der", S.STARTED,
                _dates(filed_on=(2022, 3, 7), decided_on=(2022, 6, 24), notified_on=(2022, 7, 4),
                       started_on=(2023, 4, 3)),
            )),
        ),
    ),
    "PVD-02": Plan(
        untaxed="1200000",
        fctva_excluded="1920000",
        fctva_reason="Suivi-animation (fonctionnement) et aides aux propriétaires privés (compte 20422).",
        account="20422",
        ppi=((2023, "0.15"), (2024, "0.20"), (2025, "0.20"), (2026, "0.25"), (2027, "0.20")),
        lines=(
            Line(FundingCategory.ANAH, "anah", "anah-suivi-animation", "Anah — suivi-animation", "300000", "600000",
                 Req("Anah — suivi-animation de l'OPAH-RU des centres-bourgs", S.STARTED,
                     _dates(filed_on=(2022, 10, 3), decided_on=(2022, 12, 12), notified_on=(2022, 12, 19),
                            started_on=(2023, 1, 2)),
                     payments=(
                         _pay(INST, "120000", (2024, 2, 5), (2024, 3, 22), "T-2024-0102"),
                         _pay(INST, "60000", (2025, 2, 3), (2025, 3, 14), "T-2025-0049"),
                     ))),
            Line(REG, "region", "region-grand-est-dispositifs", "Région — habitat", "180000", None, Req(
                "Région Grand Est — OPAH-RU des centres-bourgs", S.STARTED,
                _dates(filed_on=(2022, 11, 7), decided_on=(2023, 2, 17), notified_on=(2023, 2, 27),
                       started_on=(2023, 3, 1)),
            )),
        ),
    ),
    "PVD-03": Plan(
        ppi=((2027, "1"),),
        lines=(
            Line(REG, "region", "region-grand-est-dispositifs", "Région — patrimoine", "30000", None, Req(
                "Région Grand Est — signalétique patrimoniale des deux bourgs", S.DELIBERATED,
                _dates(deliberation_on=(2026, 10, 15)),
                extra={"deliberation_reference": "DEL-CA-2026-118"},
            )),
            Line(DEP, "department", "haute-marne-dispositifs", "Département — patrimoine", "24000"),
        ),
    ),
    "PVD-04": Plan(
        fctva_excluded="132000",
        fctva_reason="Étude et poste de manager : dépenses de fonctionnement, non éligibles au FCTVA.",
        account="617",
        lines=(
            Line(FundingCategory.BANQUE_DES_TERRITOIRES, "bdt", "manager-de-commerce",
                 "Banque des Territoires — manager de commerce", "20000", None, Req(
                "Banque des Territoires — manager de centre-ville", S.SETTLED,
                _dates(filed_on=(2022, 1, 10), decided_on=(2022, 2, 28), notified_on=(2022, 3, 7),
                       started_on=(2022, 3, 14), completed_on=(2024, 3, 13), balance_requested_on=(2024, 4, 2),
                       settled_on=(2024, 5, 17)),
                payments=(
                    _pay(INST, "10000", (2022, 9, 5), (2022, 10, 14), "T-2022-0331"),
                    _pay(BAL, "10000", (2024, 4, 2), (2024, 5, 17), "T-2024-0144"),
                ),
            )),
            Line(FundingCategory.BANQUE_DES_TERRITOIRES, "bdt", None,
                 "Banque des Territoires — étude de revitalisation commerciale", "25000", "50000", Req(
                "Banque des Territoires — étude de revitalisation commerciale", S.COMPLETED,
                _dates(filed_on=(2021, 11, 15), decided_on=(2022, 1, 20), notified_on=(2022, 1, 31),
                       started_on=(2022, 2, 14), completed_on=(2026, 9, 30), balance_requested_on=(2026, 10, 12)),
                payments=(
                    _pay(INST, "12500", (2023, 3, 1), (2023, 4, 5), "T-2023-0087"),
                    _pay(BAL, "12500", (2026, 10, 12)),
                ),
            )),
        ),
    ),
}  # fmt: skip

# The three multi-year authorisations: (owner key, number, label, voted on, deliberation, operations,
# margin over the CP voted, revision (voted on, deliberation, delta, reason) or None)
AUTHORISATIONS = [
    ("wassy", "AP-2023-01", "Cœur de ville de Wassy (place Notre-Dame, halle, maison de santé, école)",
     D(2023, 4, 6), "DEL-W-2023-021", ("W-01", "W-02", "W-03", "W-07"), "50000",
     (D(2025, 3, 27), "DEL-W-2025-014", "480000",
      "Lot VRD de la place Notre-Dame relancé et reprise de la charpente de la halle.")),
    ("la_porte_du_der", "AP-2023-02", "Centre-bourg de Montier-en-Der (place, halle, groupe scolaire)",
     D(2023, 3, 30), "DEL-LPD-2023-017", ("LPD-01", "LPD-02", "LPD-06"), "80000", None),
    ("epci", "AP-2022-05", "Vélo-route du lac du Der entre Wassy et Montier-en-Der",
     D(2022, 12, 15), "DEL-CA-2022-187", ("PVD-01",), "60000", None),
]  # fmt: skip

# Décisions modificatives on the operations' spending lines: (code, year) -> amount.
AMENDMENTS = {
    ("W-01", 2025): "120000",
    ("LPD-06", 2026): "-50000",
    ("PVD-01", 2026): "60000",
}

# The programme's running costs on the agglomeration's budget: (account, label, amount 2023, yearly rise).
RUNNING = [
    ("6413", "Poste de cheffe de projet Petites Villes de Demain (rémunération chargée)", "58000", "0.02"),
    ("74718", "Co-financement du poste de chef de projet (ANCT, Anah)", "43500", "0"),
    ("6231", "Annonces et insertions (consultations, concertation)", "4000", "0"),
]

# Expenses through the chain: (operation, year, label, supplier, contract, invoice, amount HT, status,
# committed, liquidated, ordered, paid, commitment number, payment order number). Works are TTC = HT × 1.2;
# grants to private owners carry no VAT. December 2025 commitments not ordered are restes à réaliser.
EXPENSES = [
    ("W-01", 2024, "Lot 1 VRD — situation n° 1", "Eurovia Champagne-Ardenne", "M-2023-011", "F-2024-0456",
     "180000", "paid", (2024, 3, 4), (2024, 6, 10), (2024, 6, 14), (2024, 7, 2), "ENG-W-2024-0088", "MDT-W-2024-0512"),
    ("W-01", 2025, "Lot 1 VRD — situation n° 6", "Eurovia Champagne-Ardenne", "M-2023-011", "F-2025-0871",
     "210000", "paid", (2025, 1, 15), (2025, 9, 8), (2025, 9, 11), (2025, 9, 30), "ENG-W-2025-0012", "MDT-W-2025-0633"),
    ("W-01", 2025, "Lot 2 pavage et mobilier — marché notifié", "SARL Pierres et Pavés de Haute-Marne",
     "M-2025-004", "", "240000", "committed", (2025, 12, 12), None, None, None, "ENG-W-2025-0231", ""),
    ("W-01", 2026, "Lot 1 VRD — situation n° 11", "Eurovia Champagne-Ardenne", "M-2023-011", "F-2026-1102",
     "95000", "liquidated", (2026, 1, 12), (2026, 11, 16), None, None, "ENG-W-2026-0004", ""),
    ("W-03", 2024, "Gros œuvre — situations n° 1 à 4", "Bâtiments Marnais SAS", "M-2023-007", "F-2024-0233",
     "420000", "paid", (2023, 9, 18), (2024, 5, 21), (2024, 5, 24), (2024, 6, 12), "ENG-W-2023-0154", "MDT-W-2024-0391"),
    ("W-03", 2025, "Lot menuiseries extérieures — marché notifié", "Menuiseries du Perthois", "M-2025-011", "",
     "185000", "committed", (2025, 12, 4), None, None, None, "ENG-W-2025-0219", ""),
    ("W-07", 2025, "Isolation thermique par l'extérieur", "Isol'Est", "M-2024-003", "F-2025-0644",
     "310000", "ordered", (2025, 3, 3), (2025, 10, 20), (2025, 10, 24), None, "ENG-W-2025-0041", "MDT-W-2025-0702"),
    ("W-07", 2025, "Chaufferie bois — marché notifié", "Chaleur Bois Services", "M-2025-014", "",
     "145000", "committed", (2025, 12, 18), None, None, None, "ENG-W-2025-0240", ""),
    ("W-04", 2025, "Subvention de façade — 12 rue du Général-de-Gaulle", "M. et Mme Petit (propriétaires)",
     "Arrêté n° 2025-F-007", "", "8400", "paid", (2025, 4, 7), (2025, 9, 15), (2025, 9, 18), (2025, 10, 3),
     "ENG-W-2025-0064", "MDT-W-2025-0588"),
    ("LPD-01", 2025, "Travaux de la place — lot unique", "Colas France (agence de Saint-Dizier)", "M-2024-002",
     "F-2025-0312", "380000", "paid", (2024, 6, 3), (2025, 7, 15), (2025, 7, 18), (2025, 8, 6),
     "ENG-LPD-2024-0071", "MDT-LPD-2025-0244"),
    ("LPD-01", 2025, "Mobilier urbain et plantations", "Espaces Verts du Der", "BC-2025-118", "F-2025-0990",
     "62000", "liquidated", (2025, 12, 9), (2025, 12, 22), None, None, "ENG-LPD-2025-0198", ""),
    ("LPD-02", 2025, "Maîtrise d'œuvre de la halle — phases esquisse à APD", "Atelier d'architecture Huguenin",
     "M-2024-009", "F-2025-0420", "68000", "paid", (2025, 2, 3), (2025, 10, 6), (2025, 10, 9), (2025, 10, 28),
     "ENG-LPD-2025-0017", "MDT-LPD-2025-0311"),
    ("PVD-01", 2025, "Voie verte — tranche 1 (Wassy – Ceffonds)", "Eiffage Route Nord-Est", "M-2023-021",
     "F-2025-0777", "640000", "paid", (2023, 4, 3), (2025, 6, 16), (2025, 6, 19), (2025, 7, 8),
     "ENG-CA-2023-0102", "MDT-CA-2025-1140"),
    ("PVD-01", 2025, "Voie verte — tranche 2 (tronçon du lac), marché notifié", "Eiffage Route Nord-Est",
     "M-2025-030", "", "310000", "committed", (2025, 12, 15), None, None, None, "ENG-CA-2025-0377", ""),
    ("PVD-02", 2025, "Aides aux propriétaires — premier semestre", "Propriétaires bénéficiaires (état joint)",
     "Règlement d'aides OPAH-RU", "", "96000", "paid", (2025, 3, 3), (2025, 7, 1), (2025, 7, 3), (2025, 7, 22),
     "ENG-CA-2025-0088", "MDT-CA-2025-0901"),
]  # fmt: skip

PARIS = ZoneInfo("Europe/Paris")


def _money(value: str | Decimal) -> Decimal:
    return round_cents(Decimal(value))


def _costs(plan: Plan, operation: Operation) -> tuple[Decimal, Decimal]:
    """Eligible HT and TTC: VAT at 20 % on everything but the untaxed part (land, grants to owners)."""
    ht = _money(plan.cost_ht) if plan.cost_ht else operation.estimated_cost_ht
    untaxed = _money(plan.untaxed)
    return ht, round_cents((ht - untaxed) * VAT + untaxed)


def load(programme: "Programme", orgs: dict[str, Organisation]) -> None:
    """The money of the demo programme. Needs the demo operations and the demo manager's account."""
    manager = User.objects.get(email=DEMO_MANAGER_EMAIL)
    operations = {op.code: op for op in Operation.objects.filter(programme=programme)}
    schemes = {offer.code: offer for offer in Offer.objects.filter(kind="funding")}
    accounts = {account.code: account for account in BudgetAccount.objects.all()}
    funders = {key: orgs[name] for key, name in FUNDERS.items()}
    requests: list[tuple[SubsidyRequest, Req]] = []
    for code, spec in PLANS.items():
        requests += _load_plan(programme, operations[code], spec, funders, schemes, accounts)
    for request, spec in requests:
        _record_chain(request, spec, manager)
    ppi = _load_ppi(operations)
    _load_authorisations(programme, orgs, operations, ppi)
    lines = _load_budget_lines(programme, orgs, operations, ppi, accounts)
    _link_payments(requests, lines)
    _load_expenses(operations, lines)


def _load_plan(
    programme: "Programme",
    operation: Operation,
    spec: Plan,
    funders: dict[str, Organisation],
    schemes: dict[str, Offer],
    accounts: dict[str, BudgetAccount],
) -> list[tuple[SubsidyRequest, Req]]:
    cost_ht, cost_ttc = _costs(spec, operation)
    excluded = _money(spec.fctva_excluded if spec.fctva_excluded is not None else spec.untaxed)
    ground, reference = spec.derogation or ("", "")
    plan, _ = upsert(
        FinancingPlan,
        operation=operation,
        defaults={
            "eligible_cost_ht": cost_ht,
            "eligible_cost_ttc": cost_ttc,
            "expense_year": spec.expense_year,
            "fctva_excluded_ttc": excluded,
            "fctva_exclusion_reason": spec.fctva_reason if excluded else "",
            "own_share_derogation": bool(spec.derogation),
            "derogation_ground": ground,
            "derogation_reference": reference,
            "notes": spec.notes,
        },
    )
    counted = [line for line in spec.lines if line.status != FinancingLineStatus.REFUSED]
    gap = _money(spec.gap)
    own_ht = cost_ht - gap - sum((_money(line.amount) for line in counted), ZERO)
    own_ttc = cost_ttc - round_cents(gap * VAT) - sum((_money(line.amount) for line in counted), ZERO)
    loaded = []
    for position, line in enumerate(spec.lines, start=1):
        amount = _money(line.amount)
        financing_line, _ = upsert(
            FinancingLine,
            plan=plan,
            position=position,
            defaults={
                "category": line.category,
                "funder": funders[line.funder],
                "scheme": schemes[line.scheme] if line.scheme else None,
                "label": line.label,
                "base_ht": _money(line.base) if line.base else None,
                "amount_ht": amount,
                "amount_ttc": amount,
                "status": line.status,
            },
        )
        if line.request:
            request = _load_request(programme, operation, line.request, line, funders, schemes, accounts)
            _allocate(request, operation, financing_line, _money(line.request.requested or line.amount))
            loaded.append((request, line.request))
    upsert(
        FinancingLine,
        plan=plan,
        position=len(spec.lines) + 1,
        defaults={
            "category": FundingCategory.OWN_FUNDS,
            "funder": operation.owner,
            "scheme": None,
            "label": "Autofinancement du maître d'ouvrage",
            "base_ht": None,
            "amount_ht": own_ht,
            "amount_ttc": own_ttc,
            "status": FinancingLineStatus.GRANTED,
        },
    )
    for req in spec.withdrawn:
        other = Line(DEP, "department", "haute-marne-dispositifs", req.title, req.requested or "0")
        request = _load_request(programme, operation, req, other, funders, schemes, accounts)
        _allocate(request, operation, None, _money(req.requested or "0"))
        loaded.append((request, req))
    return loaded


def _load_request(
    programme: "Programme",
    operation: Operation,
    spec: Req,
    line: Line,
    funders: dict[str, Organisation],
    schemes: dict[str, Offer],
    accounts: dict[str, BudgetAccount],
) -> SubsidyRequest:
    requested = _money(spec.requested or line.amount)
    awarded = _money(spec.awarded or line.amount) if spec.status in AWARDED_STATUSES else None
    base = _money(line.base) if line.base else None
    revenue = REVENUE_ACCOUNTS.get(line.category, "1318")
    dates = {name: spec.dates.get(name) for _, name in CHAIN}
    dates["start_declared_on"] = spec.dates.get("start_declared_on")
    dates["balance_requested_on"] = spec.dates.get("balance_requested_on")
    request, _ = upsert(
        SubsidyRequest,
        programme=programme,
        title=spec.title,
        defaults={
            "beneficiary": operation.owner,
            "funder": funders[line.funder],
            "scheme": schemes[line.scheme] if line.scheme else None,
            "platform_reference": spec.reference,
            "status": spec.status,
            "decision_reference": spec.decision_reference,
            "requested_base_ht": base,
            "requested_amount": requested,
            "awarded_base_ht": base if awarded is not None else None,
            "awarded_amount": awarded,
            "conditions": spec.conditions,
            "closing_reason": spec.closing_reason,
            "revenue_account": accounts[revenue],
            **dates,
            **spec.extra,
        },
    )
    for pay in spec.payments:
        upsert(
            SubsidyPayment,
            request=request,
            kind=pay.kind,
            requested_on=pay.requested_on,
            defaults={
                "amount": _money(pay.amount),
                "received_on": pay.received_on,
                "revenue_order_reference": pay.reference,
            },
        )
    for adjustment in spec.adjustments:
        upsert(
            SubsidyAdjustment,
            request=request,
            kind=adjustment.kind,
            decided_on=adjustment.decided_on,
            defaults={
                "amount": _money(adjustment.amount),
                "reference": adjustment.reference,
                "reason": adjustment.reason,
            },
        )
    return request


def _allocate(
    request: SubsidyRequest, operation: Operation, line: FinancingLine | None, amount: Decimal
) -> None:
    upsert(
        SubsidyAllocation,
        request=request,
        operation=operation,
        defaults={"financing_line": line, "amount": amount},
    )


def _record_chain(request: SubsidyRequest, spec: Req, manager: User) -> None:
    """The journal of the request's transitions, dated by their evidence, written once (idempotent)."""
    content_type = ContentType.objects.get_for_model(SubsidyRequest)
    if StatusChange.objects.filter(content_type=content_type, object_id=request.pk).exists():
        return
    steps: list[tuple[str, datetime.date, str]] = []
    for status, name in CHAIN:
        day = spec.dates.get(name)
        if day is None or (spec.status == S.REJECTED and status == S.AWARDED):
            continue
        steps.append((status, day, ""))
        if status == spec.status:
            break
    if spec.status in {S.REJECTED, S.LAPSED, S.WITHDRAWN} and spec.closed_on:
        steps.append((spec.status, spec.closed_on, spec.closing_reason))
    source = S.TO_PREPARE
    for target, day, comment in steps:
        change = StatusChange.objects.create(
            content_type=content_type, object_id=request.pk, source=source, target=target, by=manager,
            comment=comment,
        )  # fmt: skip
        at = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=PARIS)
        StatusChange.objects.filter(pk=change.pk).update(at=at)
        source = target


def _load_ppi(operations: dict[str, Operation]) -> dict[tuple[str, int], Decimal]:
    """The PPI: each plan's eligible TTC spread over its years (the last year takes the rounding)."""
    amounts: dict[tuple[str, int], Decimal] = {}
    for code, spec in PLANS.items():
        if not spec.ppi:
            continue
        _, total = _costs(spec, operations[code])
        left = total
        for index, (year, share) in enumerate(spec.ppi):
            amount = left if index == len(spec.ppi) - 1 else round_cents(total * Decimal(share))
            left -= amount
            amounts[(code, year)] = amount
            upsert(
                PlannedInvestment,
                operation=operations[code],
                year=year,
                defaults={"amount_ttc": amount, "note": ""},
            )
    return amounts


def _load_authorisations(
    programme: "Programme",
    orgs: dict[str, Organisation],
    operations: dict[str, Operation],
    ppi: dict[tuple[str, int], Decimal],
) -> None:
    """Each AP with one CP per year (the PPI of its operations that year, from the vote on); the AP is
    voted a margin above its CP, less the revision that came later."""
    for owner, number, label, voted_on, deliberation, codes, margin, revision in AUTHORISATIONS:
        credits: dict[int, Decimal] = {}
        for (code, year), amount in ppi.items():
            if code in codes and year >= voted_on.year:
                credits[year] = credits.get(year, ZERO) + amount
        delta = _money(revision[2]) if revision else ZERO
        initial = sum(credits.values(), ZERO) + _money(margin) - delta
        authorisation, _ = upsert(
            ProgrammeAuthorisation,
            organisation=orgs[owner],
            number=number,
            defaults={
                "programme": programme,
                "label": label,
                "voted_on": voted_on,
                "deliberation_reference": deliberation,
                "initial_amount": initial,
                "status": ProgrammeAuthorisation.Status.OPEN,
            },
        )
        wanted = {operations[code].pk for code in codes}
        if set(authorisation.operations.values_list("pk", flat=True)) != wanted:
            authorisation.operations.set(wanted)
        for year, amount in sorted(credits.items()):
            upsert(PaymentCredit, authorisation=authorisation, year=year, defaults={"amount": amount})
        if revision:
            upsert(
                AuthorisationRevision,
                authorisation=authorisation,
                voted_on=revision[0],
                defaults={"deliberation_reference": revision[1], "delta": delta, "reason": revision[3]},
            )


def _authorisation_of(code: str) -> tuple[str, str] | None:
    """(owner key, AP number) of the authorisation that covers the operation, if any."""
    for owner, number, _label, _voted_on, _deliberation, codes, _margin, _revision in AUTHORISATIONS:
        if code in codes:
            return owner, number
    return None


def _load_budget_lines(
    programme: "Programme",
    orgs: dict[str, Organisation],
    operations: dict[str, Operation],
    ppi: dict[tuple[str, int], Decimal],
    accounts: dict[str, BudgetAccount],
) -> dict[tuple, BudgetLine]:
    """Budget lines 2023–2027 of each owner: the operations' spending (studies the first year, then works),
    the grants expected (chapter 13) and the programme's running costs on the agglomeration's budget."""
    lines: dict[tuple, BudgetLine] = {}
    authorisations = {
        (ap.organisation_id, ap.number): ap
        for ap in ProgrammeAuthorisation.objects.filter(programme=programme)
    }
    for (code, year), amount in ppi.items():
        if year not in BUDGET_YEARS:
            continue
        operation, spec = operations[code], PLANS[code]
        first_year = spec.ppi[0][0]
        account = (
            "2031" if spec.account == "2313" and year == first_year and len(spec.ppi) > 1 else spec.account
        )
        ap = _authorisation_of(code)
        line, _ = upsert(
            BudgetLine,
            programme=programme,
            organisation=operation.owner,
            year=year,
            account=accounts[account],
            operation=operation,
            defaults={
                "section": accounts[account].section,
                "direction": accounts[account].direction,
                "authorisation": authorisations[(orgs[ap[0]].pk, ap[1])] if ap else None,
                "label": f"{code} — {operation.title}",
                "voted_amount": amount,
                "amendments_amount": _money(AMENDMENTS.get((code, year), "0")),
            },
        )
        lines[(code, year)] = line
    # Grants expected: the payments asked for in the year, by owner and revenue account.
    expected: dict[tuple[int, int, str], Decimal] = {}
    for payment in SubsidyPayment.objects.filter(request__programme=programme).select_related(
        "request__revenue_account"
    ):
        year = payment.requested_on.year
        if year in BUDGET_YEARS and payment.request.revenue_account_id:
            key = (payment.request.beneficiary_id, year, payment.request.revenue_account.code)
            expected[key] = expected.get(key, ZERO) + payment.amount
    owners = {org.pk: org for org in Organisation.objects.filter(pk__in={key[0] for key in expected})}
    for (owner_id, year, code), amount in sorted(expected.items()):
        line, _ = upsert(
            BudgetLine,
            programme=programme,
            organisation=owners[owner_id],
            year=year,
            account=accounts[code],
            operation=None,
            defaults={
                "section": accounts[code].section,
                "direction": accounts[code].direction,
                "authorisation": None,
                "label": REVENUE_LABELS[code],
                "voted_amount": amount,
                "amendments_amount": ZERO,
            },
        )
        lines[(owner_id, year, code)] = line
    for code, label, first, rise in RUNNING:
        for index, year in enumerate(BUDGET_YEARS):
            amount = round_cents(_money(first) * (1 + Decimal(rise)) ** index)
            upsert(
                BudgetLine,
                programme=programme,
                organisation=orgs["epci"],
                year=year,
                account=accounts[code],
                operation=None,
                defaults={
                    "section": accounts[code].section,
                    "direction": accounts[code].direction,
                    "authorisation": None,
                    "label": label,
                    "voted_amount": amount,
                    "amendments_amount": ZERO,
                },
            )
    return lines


def _link_payments(requests: list[tuple[SubsidyRequest, Req]], lines: dict[tuple, BudgetLine]) -> None:
    """Each payment on the revenue line of its year (the titre de recette is issued on it)."""
    for request, _spec in requests:
        for payment in request.payments.all():
            key = (request.beneficiary_id, payment.requested_on.year, request.revenue_account.code)
            line = lines.get(key)
            if line is not None and payment.budget_line_id != line.pk:
                payment.budget_line = line
                payment.save(update_fields=["budget_line"])


def _load_expenses(operations: dict[str, Operation], lines: dict[tuple, BudgetLine]) -> None:
    for (code, year, label, supplier, contract, invoice, ht, status, committed, liquidated, ordered, paid,
         commitment, order) in EXPENSES:  # fmt: skip
        amount_ht = _money(ht)
        untaxed = PLANS[code].account == "20422"
        upsert(
            Expense,
            budget_line=lines[(code, year)],
            commitment_reference=commitment,
            defaults={
                "operation": operations[code],
                "label": label,
                "supplier": supplier,
                "contract_reference": contract,
                "invoice_reference": invoice,
                "amount_ht": amount_ht,
                "amount_ttc": amount_ht if untaxed else round_cents(amount_ht * VAT),
                "status": ExpenseStatus(status),
                "committed_on": D(*committed),
                "liquidated_on": D(*liquidated) if liquidated else None,
                "ordered_on": D(*ordered) if ordered else None,
                "payment_order_reference": order,
                "paid_on": D(*paid) if paid else None,
            },
        )


# --- Links to the procurement demo's contracts (after operations.procurement.demo) -----------------------


def _link(expense: Expense | None, contract: Contract, invoice: Invoice | None) -> None:
    if expense is None or (expense.contract_id, expense.invoice_id) == (contract.pk, invoice and invoice.pk):
        return
    expense.contract = contract
    expense.invoice = invoice
    expense.save()


def link_contracts(programme: "Programme") -> None:
    """The demo expenses that pay the procurement demo's contracts (matched on the expenses' own references):
    the place Notre-Dame's pavement (M-2025-004) and networks (M-2023-011, invoice by invoice) contracts, and
    La Porte du Der's framework agreement (its purchase order BC-2025-118)."""
    contracts = {
        c.number: c
        for c in Contract.objects.filter(
            lot__consultation__programme=programme, number__in=["M-2025-004", "M-2023-011", "AC-2025-003"]
        )
    }
    if len(contracts) < 3:
        return  # the procurement demo is not loaded
    pavement, networks, framework = contracts["M-2025-004"], contracts["M-2023-011"], contracts["AC-2025-003"]
    invoices = {invoice.number: invoice for invoice in Invoice.objects.filter(contract=networks)}
    expenses = Expense.objects.filter(
        operation__programme=programme,
        operation__code__in=["W-01", "LPD-01"],
        contract_reference__in=[pavement.number, networks.number, "BC-2025-118"],
    )
    for expense in expenses:
        if expense.contract_reference == networks.number:
            _link(expense, networks, invoices.get(expense.invoice_reference))
        elif expense.contract_reference == pavement.number:
            _link(expense, pavement, None)
        else:
            _link(expense, framework, None)
