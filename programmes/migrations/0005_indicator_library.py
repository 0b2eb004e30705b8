"""The library of indicators (DOMAIN.md §7): the suggested set a programme picks from instead of writing it again.

Idempotent (`update_or_create` by key): tests replaying reference data after a flush call `add_indicator_library`.
"""

from django.db import migrations

INSEE_RP = "INSEE, recensement de la population (RP)"
LOVAC = "LOVAC (Cerema / DGFiP)"
OPAH = "Dossiers OPAH / PIG (ce logiciel)"
APP = "Ce logiciel (plan d'action, financements)"
PROJECTS = "Opérations livrées (procès-verbaux de réception, plans de récolement)"
PARTICIPATION = "Temps de concertation enregistrés (ce logiciel)"

# key, name, unit, source, method, frequency, direction, computation, theme code
LIBRARY = [
    (
        "population",
        "Population municipale",
        "habitants",
        INSEE_RP,
        "Population municipale publiée par l'INSEE (millésime du recensement, diffusé chaque année).",
        "yearly",
        "neutral",
        "manual",
        "transversal",
    ),
    (
        "households",
        "Nombre de ménages",
        "ménages",
        INSEE_RP,
        "Ménages (résidences principales) selon le recensement de la population.",
        "yearly",
        "neutral",
        "manual",
        "habitat",
    ),
    (
        "housing-vacancy-rate",
        "Taux de vacance des logements",
        "%",
        INSEE_RP,
        "Logements vacants ÷ ensemble des logements × 100, selon le recensement de la population.",
        "yearly",
        "down",
        "manual",
        "habitat",
    ),
    (
        "structural-vacancy",
        "Logements vacants depuis plus de 2 ans (vacance structurelle)",
        "logements",
        LOVAC,
        "Logements du parc privé vacants depuis plus de deux ans au 1er janvier, fichier LOVAC.",
        "yearly",
        "down",
        "manual",
        "habitat",
    ),
    (
        "commercial-vacancy-rate",
        "Taux de vacance commerciale",
        "%",
        "Relevé de terrain des locaux en rez-de-chaussée du périmètre (commune, CCI)",
        (
            "Locaux commerciaux vacants ÷ total des locaux commerciaux du périmètre × 100, relevé de terrain annuel "
            "des rez-de-chaussée. Repère : moyenne nationale des centres-villes ≈ 9,8 % en 2023 (Codata)."
        ),
        "yearly",
        "down",
        "manual",
        "commerce",
    ),
    (
        "shops-opened",
        "Commerces et services ouverts",
        "ouvertures",
        "Relevé de terrain, CCI",
        "Nombre d'ouvertures de commerces ou services dans le périmètre au cours de l'année.",
        "yearly",
        "up",
        "manual",
        "commerce",
    ),
    (
        "shops-closed",
        "Commerces et services fermés",
        "fermetures",
        "Relevé de terrain, CCI",
        "Nombre de fermetures de commerces ou services dans le périmètre au cours de l'année.",
        "yearly",
        "down",
        "manual",
        "commerce",
    ),
    (
        "dwellings-renovated",
        "Logements rénovés (OPAH / PIG)",
        "logements",
        OPAH,
        "Dossiers soldés des programmes d'amélioration de l'habitat, par catégorie et par dispositif.",
        "quarterly",
        "up",
        "dwellings_renovated",
        "habitat",
    ),
    (
        "housing-works-amount",
        "Montant des travaux des logements aidés (OPAH)",
        "€ HT",
        OPAH,
        "Somme des montants de travaux HT des dossiers de l'OPAH.",
        "quarterly",
        "up",
        "housing_works_amount",
        "habitat",
    ),
    (
        "housing-aid-amount",
        "Aides accordées aux ménages (OPAH)",
        "€",
        OPAH,
        "Somme des aides accordées aux ménages (Anah et abondements locaux).",
        "quarterly",
        "up",
        "housing_aid_amount",
        "habitat",
    ),
    (
        "housing-energy-gain",
        "Gain énergétique moyen des logements aidés",
        "%",
        OPAH,
        "Moyenne du gain de consommation d'énergie conventionnelle avant / après travaux (DPE).",
        "quarterly",
        "up",
        "housing_energy_gain",
        "habitat",
    ),
    (
        "opah-target-achievement",
        "Atteinte des objectifs de la convention OPAH",
        "%",
        OPAH,
        "Dossiers engagés ÷ objectifs de la convention d'OPAH × 100, toutes catégories.",
        "quarterly",
        "up",
        "housing_target_rate",
        "habitat",
    ),
    (
        "substandard-housing-cases",
        "Situations d'habitat indigne traitées",
        "dossiers",
        "Dossiers de lutte contre l'habitat indigne (commune, ARS, opérateur)",
        "Situations d'habitat indigne ou dégradé traitées dans l'année, procédures coercitives comprises.",
        "yearly",
        "up",
        "manual",
        "habitat",
    ),
    (
        "operations-delivered-rate",
        "Part des actions livrées",
        "%",
        APP,
        "Actions livrées ou soldées ÷ actions du plan d'action (hors abandonnées) × 100.",
        "continuous",
        "up",
        "operations_delivered_rate",
        "transversal",
    ),
    (
        "subsidies-obtained-rate",
        "Subventions obtenues / demandées",
        "%",
        APP,
        "Montant des subventions accordées ÷ montant demandé × 100.",
        "continuous",
        "up",
        "subsidies_obtained_rate",
        "transversal",
    ),
    (
        "public-space-requalified",
        "Espaces publics requalifiés ou désimperméabilisés",
        "m²",
        PROJECTS,
        "Surface d'espaces publics requalifiés ou désimperméabilisés, cumulée à chaque livraison.",
        "per_delivery",
        "up",
        "manual",
        "espaces-publics",
    ),
    (
        "trees-planted",
        "Arbres plantés",
        "arbres",
        PROJECTS,
        "Nombre d'arbres plantés, cumulé à chaque livraison.",
        "per_delivery",
        "up",
        "manual",
        "transition-ecologique",
    ),
    (
        "cycle-lanes",
        "Aménagements cyclables",
        "km",
        PROJECTS,
        "Linéaire d'aménagements cyclables réalisés, cumulé à chaque livraison.",
        "per_delivery",
        "up",
        "manual",
        "mobilite",
    ),
    (
        "participation-attendance",
        "Participants aux temps de concertation",
        "participants",
        PARTICIPATION,
        "Somme des participants comptés aux réunions, ateliers, balades et permanences.",
        "continuous",
        "up",
        "participation_attendance",
        "participation",
    ),
    (
        "participation-contributions",
        "Contributions reçues",
        "contributions",
        PARTICIPATION,
        "Contributions recueillies (registres, enquêtes, ateliers), toutes catégories.",
        "continuous",
        "up",
        "manual",
        "participation",
    ),
]


def add_indicator_library(apps, schema_editor):
    Template = apps.get_model("programmes", "IndicatorTemplate")
    Theme = apps.get_model("partners", "Theme")
    themes = {theme.code: theme for theme in Theme.objects.all()}
    for order, (key, name, unit, source, method, frequency, direction, computation, theme) in enumerate(
        LIBRARY, start=1
    ):
        Template.objects.update_or_create(
            key=key,
            defaults={
                "name": name,
                "unit": unit,
                "source": source,
                "method": method,
                "frequency": frequency,
                "direction": direction,
                "computation": computation,
                "theme": themes.get(theme),
                "order": order,
            },
        )


def remove_indicator_library(apps, schema_editor):
    apps.get_model("programmes", "IndicatorTemplate").objects.filter(
        key__in=[row[0] for row in LIBRARY]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0004_indicators"), ("partners", "0003_the_programme_themes")]
    operations = [migrations.RunPython(add_indicator_library, remove_indicator_library)]
