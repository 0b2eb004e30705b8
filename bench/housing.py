"""The national-scale housing dataset (ARCHITECTURE.md §7: ~350,000 household files): one OPAH-RU per bench PVD
programme, in its commune, with 213 household files (1,646 × 213 = 350,598) at every stage of the pipeline, a
committed Anah grant for each file approved or later, and the balance payment of the paid ones.

Written with `bulk_create` in batches of 1,000, without history records, with a fixed seed. Dates follow the
model constraints (contact ≤ filing ≤ receipt ≤ decision; works and payment in order). Imported after django.setup().
"""

import datetime
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from bench.money import _bulk
from operations.housing.models import FileStatus, GrantStatus, IncomeCategory, OwnerType
from operations.models import HousingFile, HousingGrant, HousingGrantPayment, HousingProgramme
from partners.models import Organisation
from programmes.models import Programme

FILES_PER_PROGRAMME = 213  # 1,646 × 213 = 350,598: the ~350,000 files of ARCHITECTURE.md §7
SEED = 2027
ANAH = "Agence nationale de l'habitat (Anah)"
S = FileStatus
STATUSES = [
    (S.CONTACT, 10),
    (S.PRE_ELIGIBILITY, 8),
    (S.VISIT, 6),
    (S.DIAGNOSTIC, 6),
    (S.WORKS_PROGRAMME, 6),
    (S.FILED, 10),
    (S.APPROVED, 12),
    (S.REJECTED, 3),
    (S.WORKS, 12),
    (S.PAYMENT_REQUESTED, 6),
    (S.PAID, 10),
    (S.CLOSED, 6),
    (S.ABANDONED, 4),
    (S.LAPSED, 1),
]
FILED_OR_LATER = {S.FILED, S.APPROVED, S.REJECTED, S.WORKS, S.PAYMENT_REQUESTED, S.PAID, S.CLOSED, S.LAPSED}
APPROVED_OR_LATER = {S.APPROVED, S.WORKS, S.PAYMENT_REQUESTED, S.PAID, S.CLOSED, S.LAPSED}
WORKS_OR_LATER = {S.WORKS, S.PAYMENT_REQUESTED, S.PAID, S.CLOSED, S.LAPSED}
PAYMENT_OR_LATER = {S.PAYMENT_REQUESTED, S.PAID, S.CLOSED}
PAID_OR_LATER = {S.PAID, S.CLOSED}
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class HousingTiming:
    seconds: float
    housing_programmes: int
    files: int
    grants: int
    payments: int


def _file(rng: random.Random, hp_id: int, commune_id: int, index: int) -> HousingFile:
    status = rng.choices(*zip(*STATUSES, strict=True))[0]
    contact = datetime.date(2021, 7, 1) + rng.randrange(0, 1500) * DAY
    works_ht = Decimal(rng.randrange(8, 70)) * 1000
    values: dict[str, object] = {}
    if status in FILED_OR_LATER:
        values["filed_on"] = contact + rng.randrange(30, 120) * DAY
        values["receipt_on"] = values["filed_on"] + 3 * DAY
    if status in APPROVED_OR_LATER or status == S.REJECTED:
        values["decided_on"] = values["receipt_on"] + rng.randrange(20, 110) * DAY
    if status in WORKS_OR_LATER:
        values["works_started_on"] = values["decided_on"] + rng.randrange(15, 90) * DAY
    if status in PAYMENT_OR_LATER:
        values["works_completed_on"] = values["works_started_on"] + rng.randrange(30, 200) * DAY
        values["payment_requested_on"] = values["works_completed_on"] + 10 * DAY
    if status in PAID_OR_LATER:
        values["paid_on"] = values["payment_requested_on"] + rng.randrange(20, 60) * DAY
    if status == S.CLOSED:
        values["closed_on"] = values["paid_on"] + 30 * DAY
    if status in {S.ABANDONED, S.LAPSED}:
        values["ended_on"] = contact + 400 * DAY
    return HousingFile(
        housing_programme_id=hp_id,
        reference=f"OPAHRU-{contact.year}-{index:04d}",
        status=status,
        owner_type=rng.choices([OwnerType.OCCUPIER, OwnerType.LANDLORD, OwnerType.CONDOMINIUM], [8, 3, 1])[0],
        applicant_name=f"Ménage {index}",
        household_size=rng.randrange(1, 6),
        reference_income=Decimal(rng.randrange(9000, 40000)),
        tax_year=contact.year - 1,
        income_category=rng.choice([IncomeCategory.VERY_MODEST, IncomeCategory.MODEST])
        if "filed_on" in values
        else "",
        category_source="declared" if "filed_on" in values else "",
        address=f"{index} rue de la République",
        commune_id=commune_id,
        year_built=rng.randrange(1850, 2005),
        theme_energy=rng.random() < 0.7,
        theme_indigne=rng.random() < 0.15,
        theme_autonomy=rng.random() < 0.2,
        theme_vacancy=rng.random() < 0.1,
        label_before=rng.choice("EFG"),
        label_after=rng.choice("BCD") if status in WORKS_OR_LATER else "",
        works_amount_ht=works_ht,
        works_amount_ttc=works_ht * Decimal("1.055"),
        first_contact_on=contact,
        **values,
    )


def create_national_housing(*, exclude_programme: Programme) -> HousingTiming:
    """One OPAH-RU per bench programme (those without a housing programme, the demo's excluded: its pages must
    show the same rows at both scales) and its files. Timed."""
    start = time.perf_counter()
    rng = random.Random(SEED)
    anah = Organisation.objects.get(name=ANAH)
    ProgrammeCommune = Programme.communes.through
    pairs = dict(
        ProgrammeCommune.objects.filter(programme__housing_programmes__isnull=True)
        .exclude(programme_id=exclude_programme.pk)
        .order_by("-organisation_id")  # dict keeps the last: the first commune of each programme
        .values_list("programme_id", "organisation_id")
    )
    programmes = _bulk(
        HousingProgramme,
        [
            HousingProgramme(
                kind="opah_ru",
                name=f"OPAH-RU n° {programme_id}",
                programme_id=programme_id,
                owner_id=commune_id,
                starts_on=datetime.date(2021, 7, 1),
                ends_on=datetime.date(2026, 12, 31),
            )
            for programme_id, commune_id in pairs.items()
        ],
    )
    _bulk(
        HousingProgramme.communes.through,
        [
            HousingProgramme.communes.through(housingprogramme_id=hp.pk, organisation_id=hp.owner_id)
            for hp in programmes
        ],
    )
    files = []
    for hp in programmes:
        files += [_file(rng, hp.pk, hp.owner_id, index) for index in range(1, FILES_PER_PROGRAMME + 1)]
    files = _bulk(HousingFile, files)
    grants = _bulk(
        HousingGrant,
        [
            HousingGrant(
                file_id=f.pk,
                funder_id=anah.pk,
                label="Aide de l'Anah aux travaux",
                eligible_amount_ht=f.works_amount_ht,
                rate=Decimal("0.60"),
                amount=f.works_amount_ht * Decimal("0.60"),
                status=GrantStatus.COMMITTED,
                committed_on=f.decided_on,
            )
            for f in files
            if f.status in APPROVED_OR_LATER
        ],
    )
    paid = {f.pk: f.paid_on for f in files if f.status in PAID_OR_LATER}
    payments = _bulk(
        HousingGrantPayment,
        [
            HousingGrantPayment(grant_id=g.pk, kind="balance", amount=g.amount, paid_on=paid[g.file_id])
            for g in grants
            if g.file_id in paid
        ],
    )
    return HousingTiming(
        seconds=time.perf_counter() - start,
        housing_programmes=len(programmes),
        files=len(files),
        grants=len(grants),
        payments=len(payments),
    )
