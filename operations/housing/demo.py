"""Demo data of housing (issue 7): the Saint-Dizier OPAH-RU 2021–2026 and the intercommunal PIG — sectors, targets
(with the avenant n° 1 that changed the 2025–2026 targets), envelopes by funder and year, local top-up rules, and
~120 household files at every status, with consistent dates, grants and payments.

Idempotent: reference data is upserted; a file is created once (by its reference) and its grants with it, so a
second load changes nothing. Fixed dates (2021–2026) and a seeded generator: the demo reads the same every time.
Files filed in 2025 get their income category computed from the shipped 2025 table; other years a declared one.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from simple_history.utils import bulk_create_with_history

from operations.housing.models import (
    CategorySource,
    EnergyLabel,
    EnvelopeKind,
    FileStatus,
    GrantPaymentKind,
    GrantStatus,
    IncomeCategory,
    OwnerType,
    RejectionKind,
    TargetCategory,
    Theme,
    Zone,
)
from operations.models import (
    AidScheme,
    HousingAmendment,
    HousingEnvelope,
    HousingFile,
    HousingGrant,
    HousingGrantPayment,
    HousingProgramme,
    HousingSector,
    HousingTarget,
    IncomeCeiling,
    TopUpRule,
)
from partners.models import Organisation, OrganisationKind
from pvd.accounts.models import User
from pvd.money import round_cents
from pvd.upsert import upsert

if TYPE_CHECKING:
    from programmes.models import Programme

D = datetime.date
S = FileStatus
SEED = 2026
LAST_DAY = D(2026, 10, 30)  # no demo event after this day
VAT = Decimal("1.055")  # 5.5 % on energy-improvement works

FIRST_NAMES = [
    "Martine", "Gérard", "Nathalie", "Jean-Pierre", "Sylvie", "Michel", "Isabelle", "Patrick", "Christine",
    "Daniel", "Monique", "Alain", "Catherine", "Bernard", "Valérie", "Pascal", "Françoise", "Thierry",
]  # fmt: skip
LAST_NAMES = [
    "Petitjean", "Collot", "Marchal", "Thiébaut", "Husson", "Gérardin", "Humbert", "Rollin", "Jacquot",
    "Didier", "Mangin", "Perrin", "Masson", "Guyot", "Rémy", "Lallemand", "Poirot", "Barbier", "Colson",
]  # fmt: skip
STREETS = {
    "52448": ["rue Gambetta", "rue de la Commune de Paris", "rue Victor Hugo", "rue du Docteur Mougeot",
              "rue de l'Arquebuse", "quai de la Marne", "rue Jean Jaurès", "rue Émile Giros"],
    "52550": ["rue du Général de Gaulle", "rue Mozart", "rue des Tanneries", "place Notre-Dame"],
    "52331": ["rue de Montier", "rue du Lac", "Grande Rue", "rue de l'Église"],
}  # fmt: skip
OTHER_STREETS = ["Grande Rue", "rue de l'Église", "rue du Moulin", "rue de la Fontaine"]

# The pipeline's statuses, each with how many files it holds in each programme (OPAH-RU, PIG): ~120 files.
STATUS_COUNTS: list[tuple[str, int, int]] = [
    (S.CONTACT, 6, 3),
    (S.PRE_ELIGIBILITY, 4, 3),
    (S.VISIT, 4, 2),
    (S.DIAGNOSTIC, 4, 2),
    (S.WORKS_PROGRAMME, 5, 3),
    (S.FILED, 6, 4),
    (S.APPROVED, 8, 8),
    (S.REJECTED, 2, 2),
    (S.WORKS, 8, 4),
    (S.PAYMENT_REQUESTED, 4, 2),
    (S.PAID, 8, 4),
    (S.CLOSED, 8, 4),
    (S.ABANDONED, 3, 2),
    (S.LAPSED, 2, 1),
]
# The year of the first contact, per status (later stages started earlier).
CONTACT_YEARS: dict[str, tuple[int, ...]] = {
    S.CONTACT: (2026,),
    S.PRE_ELIGIBILITY: (2026,),
    S.VISIT: (2026,),
    S.DIAGNOSTIC: (2026,),
    S.WORKS_PROGRAMME: (2025, 2026),
    S.FILED: (2026,),
    S.APPROVED: (2025,),
    S.REJECTED: (2022, 2024, 2025),
    S.WORKS: (2024, 2025),
    S.PAYMENT_REQUESTED: (2023, 2024),
    S.PAID: (2022, 2023, 2024),
    S.CLOSED: (2021, 2022, 2023),
    S.ABANDONED: (2021, 2023, 2025),
    S.LAPSED: (2021,),
}
ORDER = [s for s, _, _ in STATUS_COUNTS]
REACHED_FILING = {S.FILED, S.APPROVED, S.REJECTED, S.WORKS, S.PAYMENT_REQUESTED, S.PAID, S.CLOSED, S.LAPSED}
COMMITTED = {S.APPROVED, S.WORKS, S.PAYMENT_REQUESTED, S.PAID, S.CLOSED}


def _org(name: str, kind: str) -> Organisation:
    org, _ = upsert(Organisation, {}, name=name, kind=kind)
    return org


def _programme_data(opah: HousingProgramme, pig: HousingProgramme, orgs: dict[str, Organisation]) -> dict:
    """Sectors, avenant, targets, envelopes and top-up rules of both programmes; the funders used by the files."""
    funders = {
        "anah": orgs["anah"],
        "epci": orgs["epci"],
        "saint_dizier": orgs["saint_dizier"],
        "department": _org("Département de la Haute-Marne", OrganisationKind.DEPARTMENT),
        "region": _org("Région Grand Est", OrganisationKind.REGION),
        "procivis": _org("Procivis Champagne", OrganisationKind.COMPANY),
    }
    upsert(
        HousingProgramme,
        {"anah_convention_reference": "52-OPAH-RU-2021-01", "anah_convention_signed_on": D(2021, 6, 18)},
        pk=opah.pk,
    )
    upsert(
        HousingProgramme,
        {"anah_convention_reference": "52-PIG-2022-01", "anah_convention_signed_on": D(2021, 12, 10)},
        pk=pig.pk,
    )
    sectors = {}
    for name, streets, in_ort in [
        (
            "Cœur de ville",
            "Rue Gambetta, rue de la Commune de Paris, rue Victor Hugo, place Aristide Briand",
            True,
        ),
        ("Faubourg de Marne", "Quai de la Marne, rue de l'Arquebuse, rue du Docteur Mougeot", True),
        ("Gigny", "Rue Jean Jaurès, rue Émile Giros", False),
    ]:
        sectors[name], _ = upsert(
            HousingSector,
            {"commune": orgs["saint_dizier"], "streets": streets, "in_ort": in_ort},
            housing_programme=opah,
            name=name,
        )
    amendment, _ = upsert(
        HousingAmendment,
        {
            "signed_on": D(2024, 12, 12),
            "subject": "Avenant n° 1 : objectifs 2025-2026 relevés pour l'habitat indigne et la sortie de vacance, "
            "abaissés pour les propriétaires bailleurs ; enveloppes Anah ajustées",
            "deliberation": "Délibération du conseil municipal n° 2024-112 du 28/11/2024",
        },
        housing_programme=opah,
        number=1,
    )
    # OPAH-RU targets per year (2021: the second half only); the avenant changed 2025 and 2026.
    opah_targets = {
        TargetCategory.PO_VERY_MODEST: (4, 8, 8, 8, 8, 8),
        TargetCategory.PO_MODEST: (2, 5, 5, 5, 5, 5),
        TargetCategory.LANDLORD: (3, 6, 6, 6, 4, 4),
        TargetCategory.INDIGNE: (2, 4, 4, 4, 6, 6),
        TargetCategory.ENERGY: (6, 12, 12, 12, 12, 12),
        TargetCategory.VACANCY: (2, 4, 4, 4, 6, 6),
    }
    for category, counts in opah_targets.items():
        for year, count in zip(range(2021, 2027), counts, strict=True):
            upsert(
                HousingTarget,
                {"count": count, "amendment": amendment if year >= 2025 else None},
                housing_programme=opah,
                category=category,
                year=year,
            )
    pig_targets = {
        TargetCategory.PO_VERY_MODEST: 10,
        TargetCategory.PO_MODEST: 6,
        TargetCategory.ENERGY: 12,
        TargetCategory.AUTONOMY: 8,
    }
    for category, count in pig_targets.items():
        for year in range(2022, 2027):
            upsert(HousingTarget, {"count": count}, housing_programme=pig, category=category, year=year)
    opah_envelopes = [
        ("anah", EnvelopeKind.WORKS, Decimal(420000)),
        ("anah", EnvelopeKind.ENGINEERING, Decimal(48000)),
        ("epci", EnvelopeKind.WORKS, Decimal(30000)),
        ("saint_dizier", EnvelopeKind.WORKS, Decimal(60000)),
        ("department", EnvelopeKind.WORKS, Decimal(20000)),
        ("region", EnvelopeKind.WORKS, Decimal(25000)),
        ("procivis", EnvelopeKind.WORKS, Decimal(15000)),
    ]
    for key, kind, amount in opah_envelopes:
        for year in range(2021, 2027):
            value = amount / 2 if year == 2021 else amount
            changed = key == "anah" and kind == EnvelopeKind.WORKS and year >= 2025
            upsert(
                HousingEnvelope,
                {
                    "amount": value + (Decimal(40000) if changed else 0),
                    "amendment": amendment if changed else None,
                },
                housing_programme=opah,
                funder=funders[key],
                kind=kind,
                year=year,
            )
    for key, kind, amount in [
        ("anah", EnvelopeKind.WORKS, Decimal(350000)),
        ("anah", EnvelopeKind.ENGINEERING, Decimal(40000)),
        ("epci", EnvelopeKind.WORKS, Decimal(25000)),
        ("department", EnvelopeKind.WORKS, Decimal(15000)),
    ]:
        for year in range(2022, 2027):
            upsert(
                HousingEnvelope,
                {"amount": amount},
                housing_programme=pig,
                funder=funders[key],
                kind=kind,
                year=year,
            )
    rules = {
        "commune": upsert(
            TopUpRule,
            {
                "funder": funders["saint_dizier"],
                "base": TopUpRule.Base.WORKS_HT,
                "rate": Decimal("0.10"),
                "cap": Decimal(3000),
                "income_categories": [],
                "valid_from": D(2021, 7, 1),
                "conditions": "Sans condition de ressources ; logement situé dans le périmètre de l'OPAH-RU.",
            },
            housing_programme=opah,
            label="Prime communale de Saint-Dizier (centre-ville)",
        )[0],
    }
    for hp in (opah, pig):
        rules[f"vacancy_{hp.pk}"] = upsert(
            TopUpRule,
            {
                "funder": funders["epci"],
                "base": TopUpRule.Base.FLAT,
                "flat_amount": Decimal(1500),
                "theme": Theme.VACANCY,
                "valid_from": hp.starts_on,
                "conditions": "Logement vacant depuis plus de deux ans, remis sur le marché.",
            },
            housing_programme=hp,
            label="Prime intercommunale de sortie de vacance",
        )[0]
    return {"funders": funders, "sectors": list(sectors.values()), "rules": rules}


@dataclass
class _Spec:
    file: HousingFile
    grants: list[tuple[HousingGrant, list[tuple[str, Decimal, D]]]]


def _later(day: D, days: int) -> D:
    return min(day + datetime.timedelta(days=days), LAST_DAY)


def _category(rng: random.Random, file: HousingFile, filed_year: int | None, ceilings: dict) -> None:
    """The income category: computed from the 2025 table for a file filed in 2025, declared otherwise."""
    if file.owner_type != OwnerType.OCCUPIER:
        return
    very_modest = ceilings.get(IncomeCategory.VERY_MODEST)
    modest = ceilings.get(IncomeCategory.MODEST)
    if filed_year == 2025 and very_modest and modest:
        top = modest.ceiling_for(file.household_size)
        file.reference_income = Decimal(rng.randint(int(top * Decimal("0.45")), int(top)))
        file.income_category = (
            IncomeCategory.VERY_MODEST
            if file.reference_income <= very_modest.ceiling_for(file.household_size)
            else IncomeCategory.MODEST
        )
        file.category_source, file.ceiling_year, file.tax_year = CategorySource.COMPUTED, 2025, 2024
        return
    file.reference_income = Decimal(rng.randint(9000, 30000))
    file.tax_year = (filed_year or LAST_DAY.year) - 1
    if filed_year is not None:  # before filing, the page shows a provisional category from the latest table
        file.income_category = rng.choice([IncomeCategory.VERY_MODEST] * 3 + [IncomeCategory.MODEST] * 2)
        file.category_source = CategorySource.DECLARED


def _scheme_for(schemes: dict[str, list[AidScheme]], code: str, day: D) -> AidScheme | None:
    in_force = [
        s
        for s in schemes.get(code, [])
        if s.valid_from <= day and (s.valid_until is None or day <= s.valid_until)
    ]
    return in_force[-1] if in_force else None


def _dates(rng: random.Random, file: HousingFile, status: str) -> None:
    """The date chain up to `status`, every date after the previous one and before LAST_DAY."""
    year = rng.choice(CONTACT_YEARS[status])
    start = D(year, 1, 5) if year < 2026 else D(2026, 1, 5)
    span = 300 if year < 2026 else 200
    fc = start + datetime.timedelta(days=rng.randint(0, span))
    if status == S.FILED:
        fc = D(2026, 1, 5) + datetime.timedelta(days=rng.randint(0, 120))
    file.first_contact_on = fc
    chain = [S.CONTACT, S.PRE_ELIGIBILITY, S.VISIT, S.DIAGNOSTIC, S.WORKS_PROGRAMME, S.FILED]
    if status in (S.ABANDONED,):
        file.visit_on = _later(fc, 25)
        file.ended_on = _later(fc, 120)
        file.end_reason = rng.choice(
            ["Le ménage renonce : reste à charge trop élevé.", "Vente du logement.", "Ne donne plus suite."]
        )
        return
    if status in chain and chain.index(status) < chain.index(S.VISIT):
        return
    file.france_renov_appointment_on = _later(fc, 10)
    file.visit_on = _later(fc, 25)
    if status == S.VISIT:
        return
    file.diagnostic_on = _later(fc, 50)
    if status in (S.DIAGNOSTIC, S.WORKS_PROGRAMME):
        return
    file.filed_on = _later(fc, 90 + rng.randint(0, 30))
    file.receipt_on = _later(file.filed_on, 6)
    if status == S.FILED:
        return
    file.decided_on = _later(file.filed_on, 45 + rng.randint(0, 60))
    if status == S.REJECTED:
        file.rejection_kind = RejectionKind.EXPRESS
        return
    if status == S.LAPSED:
        file.ended_on = _later(file.decided_on, 3 * 365 + 10)
        file.end_reason = "Travaux non achevés dans les trois ans de la décision, sans prorogation."
        return
    if status == S.APPROVED:
        return
    file.works_started_on = _later(file.decided_on, 40)
    if status == S.WORKS:
        return
    file.works_completed_on = _later(file.works_started_on, 150)
    file.payment_requested_on = _later(file.works_completed_on, 20)
    if status == S.PAYMENT_REQUESTED:
        return
    file.paid_on = _later(file.payment_requested_on, 50)
    if status == S.CLOSED:
        file.closed_on = _later(file.paid_on, 40)


def _grants(file: HousingFile, status: str, scheme: AidScheme | None, data: dict, hp_is_opah: bool) -> list:
    """The Anah grant and the local top-ups, committed once approved, with the payments made so far."""
    if status not in REACHED_FILING or file.works_amount_ht is None:
        return []
    funders, rules = data["funders"], data["rules"]
    committed = status in COMMITTED
    grant_status = (
        GrantStatus.COMMITTED
        if committed
        else GrantStatus.CANCELLED
        if status in (S.REJECTED, S.LAPSED)
        else GrantStatus.PLANNED
    )
    committed_on = file.decided_on if grant_status == GrantStatus.COMMITTED or status == S.LAPSED else None
    if grant_status == GrantStatus.CANCELLED and status == S.REJECTED:
        committed_on = None
    ht = file.works_amount_ht
    if file.owner_type == OwnerType.OCCUPIER:
        rate = (scheme.rate_for(file.income_category) if scheme else None) or (
            Decimal("0.50") if file.income_category == IncomeCategory.VERY_MODEST else Decimal("0.35")
        )
        cap = (scheme.works_cap_ht if scheme else None) or Decimal(30000)
    else:
        rate, cap = Decimal("0.35"), Decimal(80000)
    eligible = min(ht, cap)
    label = (
        scheme.name
        if scheme
        else (
            "MaPrimeRénov' Sérénité"
            if file.owner_type == OwnerType.OCCUPIER
            else "Aide aux travaux des propriétaires bailleurs"
        )
    )
    grants = [
        (
            HousingGrant(
                file=file, funder=funders["anah"], label=label, scheme=scheme, eligible_amount_ht=eligible,
                rate=rate, amount=round_cents(eligible * rate), status=grant_status, committed_on=committed_on,
            ),
            [],
        )
    ]  # fmt: skip
    if hp_is_opah:
        rule = rules["commune"]
        grants.append(
            (
                HousingGrant(
                    file=file, funder=rule.funder, label=rule.label, top_up_rule=rule, eligible_amount_ht=ht,
                    rate=rule.rate, amount=min(round_cents(ht * rule.rate), rule.cap), status=grant_status,
                    committed_on=committed_on,
                ),
                [],
            )
        )  # fmt: skip
    if file.theme_vacancy:
        rule = rules[f"vacancy_{file.housing_programme_id}"]
        grants.append(
            (
                HousingGrant(
                    file=file, funder=rule.funder, label=rule.label, top_up_rule=rule, amount=rule.flat_amount,
                    status=grant_status, committed_on=committed_on,
                ),
                [],
            )
        )  # fmt: skip
    for grant, payments in grants:
        if grant.status != GrantStatus.COMMITTED:
            continue
        anah = grant.funder == funders["anah"]
        if status == S.WORKS and anah:
            payments.append(
                (GrantPaymentKind.ADVANCE, round_cents(grant.amount * Decimal("0.30")), file.works_started_on)
            )
        elif status == S.PAYMENT_REQUESTED and anah:
            payments.append(
                (GrantPaymentKind.ADVANCE, round_cents(grant.amount * Decimal("0.30")), file.works_started_on)
            )
            payments.append(
                (
                    GrantPaymentKind.INSTALMENT,
                    round_cents(grant.amount * Decimal("0.40")),
                    file.payment_requested_on,
                )
            )
        elif status in (S.PAID, S.CLOSED):
            if anah:
                advance = round_cents(grant.amount * Decimal("0.30"))
                payments.append((GrantPaymentKind.ADVANCE, advance, file.works_started_on))
                payments.append((GrantPaymentKind.BALANCE, grant.amount - advance, file.paid_on))
            else:
                payments.append((GrantPaymentKind.BALANCE, grant.amount, file.paid_on))
    return grants  # fmt: skip


def _specs(opah: HousingProgramme, pig: HousingProgramme, data: dict, operator: User | None) -> list[_Spec]:
    rng = random.Random(SEED)
    ceilings = {c.category: c for c in IncomeCeiling.objects.filter(year=2025, zone=Zone.OTHER)}
    schemes: dict[str, list[AidScheme]] = {}
    for scheme in AidScheme.objects.order_by("valid_from"):
        schemes.setdefault(scheme.code, []).append(scheme)
    pig_communes = list(pig.communes.order_by("name"))
    by_code = {c.insee_code: c for c in pig_communes}
    # PIG files: mostly in Wassy and La Porte du Der (their mayors see aggregates), a few elsewhere.
    pig_cycle = [by_code.get("52550"), by_code.get("52331"), by_code.get("52550"), by_code.get("52331")]
    others = [c for c in pig_communes if c.insee_code not in ("52550", "52331", "52448")]
    opah_commune = opah.communes.first()
    specs = []
    for hp, column in ((opah, 1), (pig, 2)):
        prefix = "OPAH-SD" if hp == opah else "PIG"
        number = 0
        for entry in STATUS_COUNTS:
            status, count = entry[0], entry[column]
            for _ in range(count):
                number += 1
                owner = OwnerType.OCCUPIER
                if hp == opah and number % 5 == 0:
                    owner = OwnerType.LANDLORD
                elif hp == opah and number % 17 == 0:
                    owner = OwnerType.CONDOMINIUM
                if hp == opah:
                    commune, sector = opah_commune, data["sectors"][number % len(data["sectors"])]
                else:
                    pool = [c for c in pig_cycle if c] or pig_communes
                    commune = (
                        pool[number % len(pool)] if number % 6 or not others else others[number % len(others)]
                    )
                    sector = None
                streets = STREETS.get(commune.insee_code, OTHER_STREETS)
                file = HousingFile(
                    housing_programme=hp,
                    reference="",
                    status=status,
                    assigned_to=operator,
                    contact_channel=rng.choice(
                        ["phone", "office_hours", "mailing", "referral", "france_renov"]
                    ),
                    owner_type=owner,
                    applicant_name=(
                        f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                        if owner == OwnerType.OCCUPIER
                        else f"SCI {rng.choice(LAST_NAMES)}"
                        if owner == OwnerType.LANDLORD
                        else f"Syndicat des copropriétaires du {rng.randint(2, 40)} {rng.choice(streets)}"
                    ),
                    phone=f"03 25 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    household_size=rng.choice([1, 1, 2, 2, 2, 3, 4, 5]),
                    address=f"{rng.randint(1, 60)} {rng.choice(streets)}",
                    commune=commune,
                    sector=sector,
                    in_perimeter=True,
                    in_ort=bool(sector and sector.in_ort),
                    year_built=rng.choice([1890, 1925, 1950, 1962, 1970, 1978, 1985]),
                    surface_m2=Decimal(rng.randint(45, 140)),
                    dwellings=rng.randint(2, 6) if owner != OwnerType.OCCUPIER else 1,
                )
                _dates(rng, file, status)
                filed_year = file.filed_on.year if file.filed_on else None
                file.reference = f"{prefix}-{(file.filed_on or file.first_contact_on).year}-{number:03d}"
                theme = rng.choice(
                    [Theme.ENERGY] * 4 + [Theme.INDIGNE, Theme.VACANCY]
                    + ([Theme.AUTONOMY] * 2 if hp == pig else [Theme.RENTAL])
                )  # fmt: skip
                file.theme_energy = theme == Theme.ENERGY or rng.random() < 0.3
                file.theme_indigne = theme == Theme.INDIGNE
                file.theme_autonomy = theme == Theme.AUTONOMY
                file.theme_vacancy = theme == Theme.VACANCY
                file.theme_rental = theme == Theme.RENTAL or (
                    owner == OwnerType.LANDLORD and rng.random() < 0.6
                )
                if file.theme_autonomy:
                    file.autonomy_ground = rng.choice(["age_70", "age_60_gir", "disability"])
                _category(rng, file, filed_year, ceilings)
                if status not in (S.CONTACT, S.PRE_ELIGIBILITY, S.VISIT, S.ABANDONED):
                    before = rng.choice([EnergyLabel.E, EnergyLabel.F, EnergyLabel.F, EnergyLabel.G])
                    jump = rng.choice([2, 2, 3, 4])
                    file.label_before = before
                    file.label_after = EnergyLabel.values[max(0, EnergyLabel.values.index(before) - jump)]
                    file.consumption_before = Decimal(rng.randint(330, 520))
                    file.consumption_after = round_cents(file.consumption_before * Decimal("0.45"))
                    ht = Decimal(rng.randrange(8000, 62000, 250))
                    if owner != OwnerType.OCCUPIER:
                        ht *= 2
                    file.works_amount_ht, file.works_amount_ttc = ht, round_cents(ht * VAT)
                code = (
                    "maprimeadapt" if file.theme_autonomy
                    else "ma-prime-logement-decent" if file.theme_indigne
                    else "mpr-parcours-accompagne"
                )  # fmt: skip
                scheme = _scheme_for(schemes, code, file.filed_on) if file.filed_on else None
                file.scheme = scheme
                specs.append(_Spec(file, _grants(file, status, scheme, data, hp == opah)))
    return specs


def load(housing: dict[str, HousingProgramme], orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Load the housing demo (after the accounts: the operator works the files)."""
    opah, pig = housing["opah_ru"], housing["pig"]
    data = _programme_data(opah, pig, orgs)
    operator = users.get("operateur-opah")
    specs = _specs(opah, pig, data, operator)
    existing = set(
        HousingFile.objects.filter(housing_programme__in=[opah, pig]).values_list(
            "housing_programme_id", "reference"
        )
    )
    new = [s for s in specs if (s.file.housing_programme_id, s.file.reference) not in existing]
    if not new:
        return
    created = bulk_create_with_history([s.file for s in new], HousingFile, default_user=operator)
    by_key = {(f.housing_programme_id, f.reference): f for f in created if f.pk}
    if len(by_key) < len(new):  # databases that do not return the primary keys of a bulk insert
        by_key = {
            (f.housing_programme_id, f.reference): f
            for f in HousingFile.objects.filter(housing_programme__in=[opah, pig])
        }
    grants = []
    for spec in new:
        for grant, _ in spec.grants:
            grant.file = by_key[(spec.file.housing_programme_id, spec.file.reference)]
            grants.append(grant)
    saved_grants = bulk_create_with_history(grants, HousingGrant, default_user=operator)
    payments = []
    index = 0
    for spec in new:
        for _, planned in spec.grants:
            grant = saved_grants[index]
            index += 1
            payments += [
                HousingGrantPayment(grant=grant, kind=kind, amount=amount, paid_on=day)
                for kind, amount, day in planned
                if amount > 0
            ]
    bulk_create_with_history(payments, HousingGrantPayment, default_user=operator)


FUTURE_OPAH_RU = "OPAH-RU des centres-bourgs de Wassy et La Porte du Der 2027-2031"


def load_future_opah_ru(programme: "Programme", orgs: dict[str, Organisation]) -> HousingProgramme | None:
    """The OPAH-RU that the PVD programme prepares (fiche-action PVD-02, pre-operational study done): a housing
    programme of the PVD programme, with its perimeter and no file yet — the same tool will run it."""
    operation = programme.operations.filter(code="PVD-02").first()
    if operation is None:
        return None
    hp, _ = upsert(
        HousingProgramme,
        name=FUTURE_OPAH_RU,
        defaults={
            "kind": "opah_ru",
            "programme": programme,
            "owner": orgs["epci"],
            "starts_on": D(2027, 1, 1),
            "ends_on": D(2031, 12, 31),
            "operation": operation,
            "perimeter_description": "Centres anciens de Wassy et de Montier-en-Der (La Porte du Der).",
        },
    )
    hp.communes.set([orgs["wassy"], orgs["la_porte_du_der"]])
    return hp
