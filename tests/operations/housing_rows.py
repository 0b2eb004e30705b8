"""Housing rows of the access matrix and the housing page tests, made on demand for one territory.

- `wassy`: an OPAH-RU of the PVD programme (Wassy and La Porte du Der), run by the programme's manager: its readers
  (manager, referent, partner) open the housing programme page and its aggregates; only its managers (the PVD
  programme's manager) open named household files; mayors read their commune's aggregates on the commune page
  (404 on the housing pages, decision 0001); the operator persona is not its operator (404).
- `saint_dizier`: the territory's OPAH-RU of Saint-Dizier (no PVD programme), operated by the operator persona:
  the operator reads and edits its files; everybody else but staff gets 404.
Each has one household file in the Wassy or Saint-Dizier perimeter, with a grant and a payment.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from operations.housing.models import FileStatus, GrantStatus, IncomeCategory, TargetCategory
from operations.models import (
    HousingAmendment,
    HousingEnvelope,
    HousingFile,
    HousingGrant,
    HousingGrantPayment,
    HousingProgramme,
    HousingProgrammeKind,
    HousingSector,
    HousingTarget,
    TopUpRule,
)
from tests.conftest import Territory
from tests.factories import HousingProgrammeFactory
from tests.operations.housing_factories import (
    HousingAmendmentFactory,
    HousingEnvelopeFactory,
    HousingFileFactory,
    HousingGrantFactory,
    HousingGrantPaymentFactory,
    HousingSectorFactory,
    HousingTargetFactory,
    TopUpRuleFactory,
)

D = datetime.date


@dataclass
class HousingSide:
    housing_programme: HousingProgramme
    file: HousingFile
    grant: HousingGrant
    payment: HousingGrantPayment
    sector: HousingSector
    target: HousingTarget
    envelope: HousingEnvelope
    amendment: HousingAmendment
    top_up_rule: TopUpRule


@dataclass
class HousingRows:
    wassy: HousingSide
    saint_dizier: HousingSide


def _side(t: Territory, housing_programme: HousingProgramme, commune: object, prefix: str) -> HousingSide:
    sector = HousingSectorFactory(
        housing_programme=housing_programme, commune=commune, name=f"Centre ancien {prefix}"
    )
    amendment = HousingAmendmentFactory(housing_programme=housing_programme, number=1)
    target = HousingTargetFactory(
        housing_programme=housing_programme, category=TargetCategory.PO_VERY_MODEST, year=2026, count=12
    )
    envelope = HousingEnvelopeFactory(housing_programme=housing_programme, funder=t.anah, year=2026)
    rule = TopUpRuleFactory(housing_programme=housing_programme, funder=t.epci, label="Prime intercommunale")
    file = HousingFileFactory(
        housing_programme=housing_programme,
        reference=f"{prefix}-2026-001",
        applicant_name=f"Famille Témoin {prefix}",
        address="12 rue des Tanneurs",
        commune=commune,
        sector=sector,
        status=FileStatus.APPROVED,
        income_category=IncomeCategory.VERY_MODEST,
        reference_income=Decimal("15432.00"),
        tax_year=2025,
        first_contact_on=D(2026, 1, 10),
        filed_on=D(2026, 3, 2),
        receipt_on=D(2026, 3, 5),
        decided_on=D(2026, 5, 20),
        works_amount_ht=Decimal("25000.00"),
        works_amount_ttc=Decimal("26375.00"),
    )
    grant = HousingGrantFactory(
        file=file,
        funder=t.anah,
        status=GrantStatus.COMMITTED,
        committed_on=D(2026, 5, 20),
        amount=Decimal(20000),
    )
    payment = HousingGrantPaymentFactory(grant=grant, amount=Decimal("5000.00"), paid_on=D(2026, 6, 15))
    return HousingSide(housing_programme, file, grant, payment, sector, target, envelope, amendment, rule)


def housing_rows(t: Territory) -> HousingRows:
    rows = getattr(t, "_housing_rows", None)
    if rows is None:
        wassy_hp = HousingProgrammeFactory(
            name="OPAH-RU des centres de Wassy et La Porte du Der",
            kind=HousingProgrammeKind.OPAH_RU,
            owner=t.epci,
            programme=t.programme,
            communes=[t.wassy, t.la_porte_du_der],
        )
        rows = HousingRows(
            wassy=_side(t, wassy_hp, t.wassy, "W"),
            saint_dizier=_side(t, t.opah_ru, t.saint_dizier, "SD"),
        )
        t._housing_rows = rows  # type: ignore[attr-defined]
    return rows
