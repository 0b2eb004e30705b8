"""Reference data of the money rules (DOMAIN.md §2, §5; DOMAIN_RULES.md §1–3): dated parameters, the rules of
the national funding schemes shipped in partners 0005, and the M57 accounts of the programme.

Idempotent: a row shipped before (perhaps edited since by the administrator) is left as it is.
Values marked [U] in DOMAIN.md are not shipped: a scheme without a verified rule has no deadline.
"""

import datetime
from decimal import Decimal

from django.db import migrations

D = datetime.date

PARAMETERS = [
    # code, value, valid_from, legal reference, note
    ("own_share_min", "0.20", D(2012, 1, 1), "CGCT art. L1111-10 III",
     "Participation minimale du maître d'ouvrage : 20 % du total des financements apportés par des personnes publiques."),
    ("own_share_min_lead", "0.30", D(2014, 1, 29), "CGCT art. L1111-9",
     "30 % pour un projet relevant d'une compétence dont la collectivité est chef de file."),
    ("dotation_min_rate", "0.20", D(2018, 1, 1), "CGCT art. R2334-27",
     "Taux minimal de la DETR et de la DSIL : 20 % de la dépense subventionnable prévisionnelle HT."),
    ("dotation_max_rate", "0.80", D(2018, 1, 1), "CGCT art. R2334-27",
     "DETR, DSIL, DPV et DSID ensemble : au plus 80 % de la dépense subventionnable HT."),
    ("public_aid_max_rate", "1.00", D(2018, 6, 27), "Décret n° 2018-514 du 25 juin 2018, art. 10",
     "Le montant total des aides publiques ne peut excéder le montant prévisionnel de la dépense subventionnable."),
    ("fctva_rate", "0.16404", D(2015, 1, 1), "CGCT art. L1615-6 (loi de finances pour 2015)",
     "Taux forfaitaire du FCTVA appliqué à la dépense éligible TTC."),
    ("fctva_lag_commune", "2", D(2009, 1, 1), "CGCT art. L1615-6 (régime de droit commun)",
     "Les communes perçoivent le FCTVA deux ans après la dépense, N+1 si elles ont adhéré au plan de relance de 2009."),
    ("fctva_lag_epci", "0", D(2009, 1, 1), "CGCT art. L1615-6",
     "Les communautés de communes et d'agglomération perçoivent le FCTVA l'année de la dépense (passage en N+1 non vérifié)."),
]

DOTATION = {
    "category": "state_dotation",
    "start_deadline_months": 24,
    "start_extension_months": 12,
    "extension_request_months": 2,
    "completion_deadline_months": 48,
    "completion_extension_months": 24,
    "advance_max_rate": Decimal("0.30"),
    "instalments_max_rate": Decimal("0.80"),
    "non_start_rule": True,
    "completeness_months": 3,
    "warning_days": 90,
    "legal_reference": "CGCT art. R2334-27 à R2334-33 ; guide DETR des préfectures",
}
STATE_2018_514 = {
    "category": "state_other",
    "start_deadline_months": 24,
    "start_extension_months": 12,
    "extension_request_months": 2,
    "completion_deadline_months": 48,
    "completion_extension_months": 24,
    "advance_max_rate": Decimal("0.30"),
    "advance_max_rate_guaranteed": Decimal("0.60"),
    "instalments_max_rate": Decimal("0.80"),
    "instalments_max_rate_long": Decimal("0.90"),
    "long_operation_months": 48,
    "non_start_rule": True,
    "completeness_months": 2,
    "warning_days": 90,
    "legal_reference": "Décret n° 2018-514 du 25 juin 2018 (subventions de l'État pour des projets d'investissement)",
}
ONLY_CATEGORY = {"non_start_rule": True, "warning_days": 90}

SCHEME_RULES = [
    ("detr", D(2018, 1, 1), DOTATION),
    ("dsil", D(2018, 1, 1), DOTATION),
    ("fonds-vert", D(2023, 1, 1), STATE_2018_514),
    ("fnadt", D(2018, 6, 27), STATE_2018_514),
    ("region-grand-est-dispositifs", D(2018, 1, 1),
     {**ONLY_CATEGORY, "category": "region", "legal_reference": "Règlements d'intervention de la Région (à vérifier)"}),
    ("haute-marne-dispositifs", D(2018, 1, 1),
     {**ONLY_CATEGORY, "category": "department", "legal_reference": "Règlements du Département (à vérifier)"}),
    ("anah-chef-de-projet-pvd", D(2020, 10, 1),
     {**ONLY_CATEGORY, "category": "anah", "legal_reference": "Règlement général de l'Anah"}),
    ("anah-chef-de-projet-opah-ru", D(2020, 10, 1),
     {**ONLY_CATEGORY, "category": "anah", "legal_reference": "Règlement général de l'Anah"}),
    ("anah-suivi-animation", D(2020, 10, 1),
     {**ONLY_CATEGORY, "category": "anah", "legal_reference": "Règlement général de l'Anah"}),
    ("pvd-chef-de-projet", D(2020, 10, 1),
     {**ONLY_CATEGORY, "category": "state_other", "legal_reference": "Programme Petites villes de demain (ANCT)"}),
    ("bdt-foncieres-de-redynamisation", D(2020, 10, 1),
     {**ONLY_CATEGORY, "category": "bdt", "legal_reference": "Banque des Territoires"}),
    ("manager-de-commerce", D(2020, 10, 1),
     {**ONLY_CATEGORY, "category": "bdt", "legal_reference": "Banque des Territoires"}),
    ("fonds-chaleur", D(2018, 1, 1),
     {**ONLY_CATEGORY, "category": "other_public", "legal_reference": "ADEME, Fonds chaleur"}),
]

# (code, chapter, label, section, direction, FCTVA-eligible) — DOMAIN.md §5, indicative: confirm locally.
ACCOUNTS = [
    ("2031", "20", "Frais d'études", "investment", "expense", True),
    ("2111", "21", "Terrains nus", "investment", "expense", False),
    ("2138", "21", "Autres constructions", "investment", "expense", True),
    ("2313", "23", "Constructions en cours", "investment", "expense", True),
    ("2315", "23", "Installations, matériel et outillage techniques en cours", "investment", "expense", True),
    ("20422", "204", "Subventions d'équipement aux personnes de droit privé : bâtiments et installations",
     "investment", "expense", False),
    ("1311", "13", "Subventions d'équipement : État et établissements nationaux", "investment", "revenue", False),
    ("1312", "13", "Subventions d'équipement : Régions", "investment", "revenue", False),
    ("1313", "13", "Subventions d'équipement : Départements", "investment", "revenue", False),
    ("1314", "13", "Subventions d'équipement : communes et structures intercommunales", "investment", "revenue", False),
    ("1317", "13", "Subventions d'équipement : budget communautaire et fonds structurels", "investment", "revenue", False),
    ("1318", "13", "Subventions d'équipement : autres", "investment", "revenue", False),
    ("1321", "13", "Subventions d'équipement non transférables : État", "investment", "revenue", False),
    ("10222", "10", "FCTVA", "investment", "revenue", False),
    ("1641", "16", "Emprunts en euros", "investment", "revenue", False),
    ("617", "011", "Études et recherches", "operating", "expense", False),
    ("6231", "011", "Annonces et insertions", "operating", "expense", False),
    ("6413", "012", "Personnel non titulaire", "operating", "expense", False),
    ("65748", "65", "Subventions de fonctionnement aux personnes de droit privé", "operating", "expense", False),
    ("74718", "74", "Participations : État, autres", "operating", "revenue", False),
    ("7472", "74", "Participations : Régions", "operating", "revenue", False),
    ("7473", "74", "Participations : Départements", "operating", "revenue", False),
    ("7478", "74", "Participations : autres organismes", "operating", "revenue", False),
]


def add_money_reference_data(apps, schema_editor):
    FinancingParameter = apps.get_model("budget", "FinancingParameter")
    SchemeRule = apps.get_model("budget", "SchemeRule")
    BudgetAccount = apps.get_model("budget", "BudgetAccount")
    Offer = apps.get_model("partners", "Offer")
    for code, value, valid_from, reference, note in PARAMETERS:
        FinancingParameter.objects.get_or_create(
            code=code,
            valid_from=valid_from,
            defaults={"value": Decimal(value), "legal_reference": reference, "note": note},
        )
    schemes = {offer.code: offer for offer in Offer.objects.filter(code__in=[row[0] for row in SCHEME_RULES])}
    for code, valid_from, values in SCHEME_RULES:
        if code in schemes:  # an administrator may have deleted a shipped offer
            SchemeRule.objects.get_or_create(scheme=schemes[code], valid_from=valid_from, defaults=values)
    for code, chapter, label, section, direction, fctva in ACCOUNTS:
        BudgetAccount.objects.get_or_create(
            code=code,
            defaults={
                "chapter": chapter,
                "label": label,
                "section": section,
                "direction": direction,
                "fctva_eligible": fctva,
            },
        )


def remove_money_reference_data(apps, schema_editor):
    apps.get_model("budget", "SchemeRule").objects.all().delete()
    apps.get_model("budget", "FinancingParameter").objects.all().delete()
    apps.get_model("budget", "BudgetAccount").objects.filter(code__in=[row[0] for row in ACCOUNTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0001_money"),
        ("partners", "0005_national_partners_and_offers"),
    ]
    operations = [migrations.RunPython(add_money_reference_data, remove_money_reference_data)]
