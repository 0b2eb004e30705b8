"""Reference data of housing (DOMAIN.md §3.3, DOMAIN_RULES.md §1): the Anah income ceilings and the versions of the
Anah aids. Idempotent; a row edited since by the administrator is left as it is.

Only verified values are shipped. Ceilings: the 2025 table (very modest and modest households, both zones); the
other years and the intermediate ceilings are loaded by the administrator (Administration › Plafonds de
ressources Anah) — a file filed in a year without its table takes the category stated by the Anah decision.
Aids: the versions whose rates and caps DOMAIN.md §3.3 verifies; the rates it leaves unverified (intermediate and
higher-income households) stay empty, which the app reads as "rate not known", never as 0 %.
"""

import datetime
from decimal import Decimal

from django.db import migrations

D = datetime.date
ANAH = "Agence nationale de l'habitat (Anah)"
CEILINGS_SOURCE = (
    "Anah, plafonds de ressources 2025 (arrêté du 24 mai 2013 modifié, revalorisés au 1er janvier) — "
    "https://droit-finances.commentcamarche.com/immobilier/guide-immobilier/4575-anah-plafonds-de-ressources-des-proprietaires-occupants/"
)
CEILINGS = [
    # year, zone, category, 1 to 5 people, per extra person
    (2025, "other", "very_modest", ("17173", "25115", "30206", "34948", "40388"), "5094"),
    (2025, "other", "modest", ("22015", "32197", "38719", "44802", "51775"), "6525"),
    (2025, "idf", "very_modest", ("23768", "34884", "41893", "48914", "55961"), "7038"),
    (2025, "idf", "modest", ("28933", "42463", "51000", "59549", "68123"), "8568"),
]

MPR = "MaPrimeRénov' Parcours accompagné"
SCHEMES = [
    {
        "code": "mpr-parcours-accompagne",
        "name": MPR,
        "theme": "energy",
        "owner_types": ["occupier"],
        "valid_from": D(2025, 9, 30),
        "valid_until": D(2025, 12, 31),
        "rate_very_modest": "0.80",
        "rate_modest": "0.60",
        "works_cap_ht": "30000",
        "large_gain_class_jump": 3,
        "large_gain_works_cap_ht": "40000",
        "min_class_jump": 2,
        "eligible_start_labels": "EFG",
        "min_dwelling_age_years": 15,
        "advance_max_rate": "0.70",
        "legal_reference": "Anah, reprise du 30/09/2025 (DOMAIN.md §3.3) ; suspendue au 1er janvier 2026",
        "notes": "Taux des ménages intermédiaires et supérieurs non vérifiés : à saisir. Avance ≤ 70 % pour les "
        "ménages très modestes et modestes.",
    },
    {
        "code": "mpr-parcours-accompagne",
        "name": MPR,
        "theme": "energy",
        "owner_types": ["occupier"],
        "valid_from": D(2026, 2, 23),
        "valid_until": None,
        "rate_very_modest": "0.80",
        "rate_modest": "0.60",
        "works_cap_ht": "30000",
        "large_gain_class_jump": 3,
        "large_gain_works_cap_ht": "40000",
        "min_class_jump": 2,
        "eligible_start_labels": "EFG",
        "min_dwelling_age_years": 15,
        "requires_france_renov_appointment": True,
        "advance_max_rate": "0.70",
        "legal_reference": "Anah, réouverture du 23/02/2026 avec rendez-vous France Rénov' obligatoire (DOMAIN.md §3.3)",
        "notes": "Taux 2026 des ménages intermédiaires (45 %) et supérieurs (10 %) non vérifiés : à saisir une fois "
        "confirmés.",
    },
    {
        "code": "ma-prime-logement-decent",
        "name": "Ma Prime Logement Décent",
        "theme": "indigne",
        "owner_types": ["occupier"],
        "valid_from": D(2024, 1, 1),
        "valid_until": D(2025, 12, 31),
        "rate_very_modest": "0.80",
        "rate_modest": "0.60",
        "works_cap_ht": "70000",
        "min_label_after": "E",
        "legal_reference": "Anah 2024 (DOMAIN.md §3.3) : grille de dégradation ou arrêté, AMO obligatoire",
        "notes": "Aides de l'Anah suspendues au 1er janvier 2026 : la version suivante est à saisir.",
    },
    {
        "code": "maprimeadapt",
        "name": "MaPrimeAdapt'",
        "theme": "autonomy",
        "owner_types": ["occupier"],
        "valid_from": D(2024, 1, 1),
        "valid_until": D(2025, 12, 31),
        "rate_very_modest": "0.70",
        "rate_modest": "0.50",
        "works_cap_ht": "22000",
        "legal_reference": "Anah 2024 (DOMAIN.md §3.3) : 70 ans ou plus, 60 à 69 ans avec GIR, handicap ≥ 50 % ou PCH",
        "notes": "Aides de l'Anah suspendues au 1er janvier 2026 : la version suivante est à saisir.",
    },
]
DECIMALS = {
    "rate_very_modest",
    "rate_modest",
    "rate_intermediate",
    "rate_above",
    "works_cap_ht",
    "large_gain_works_cap_ht",
    "advance_max_rate",
}


DEADLINES = {
    "valid_from": D(2014, 1, 1),
    "decision_silence_months": 4,
    "works_deadline_months": 36,
    "max_extension_months": 36,
    "warning_days": 60,
    "legal_reference": (
        "Règlement général de l'Anah : silence de 4 mois valant rejet (JORF, art. JORFARTI000029362210) ; "
        "travaux achevés dans les 3 ans de la notification, prorogeables de 3 ans au plus (JORFARTI000047624146)"
    ),
}


def add_housing_reference_data(apps, schema_editor):
    AnahDeadlineRule = apps.get_model("operations", "AnahDeadlineRule")
    values = dict(DEADLINES)
    AnahDeadlineRule.objects.get_or_create(valid_from=values.pop("valid_from"), defaults=values)
    IncomeCeiling = apps.get_model("operations", "IncomeCeiling")
    AidScheme = apps.get_model("operations", "AidScheme")
    Organisation = apps.get_model("partners", "Organisation")
    for year, zone, category, sizes, extra in CEILINGS:
        IncomeCeiling.objects.get_or_create(
            year=year,
            zone=zone,
            category=category,
            defaults={
                "one_person": Decimal(sizes[0]),
                "two_people": Decimal(sizes[1]),
                "three_people": Decimal(sizes[2]),
                "four_people": Decimal(sizes[3]),
                "five_people": Decimal(sizes[4]),
                "per_extra_person": Decimal(extra),
                "source": CEILINGS_SOURCE,
            },
        )
    anah = Organisation.objects.filter(name=ANAH).first()
    for scheme in SCHEMES:
        values = {key: (Decimal(value) if key in DECIMALS else value) for key, value in scheme.items()}
        code, valid_from = values.pop("code"), values.pop("valid_from")
        AidScheme.objects.get_or_create(code=code, valid_from=valid_from, defaults={**values, "funder": anah})


def remove_housing_reference_data(apps, schema_editor):
    apps.get_model("operations", "IncomeCeiling").objects.all().delete()
    apps.get_model("operations", "AnahDeadlineRule").objects.all().delete()
    apps.get_model("operations", "AidScheme").objects.filter(files__isnull=True, grants__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("operations", "0009_housing"), ("partners", "0005_national_partners_and_offers")]
    operations = [migrations.RunPython(add_housing_reference_data, remove_housing_reference_data)]
