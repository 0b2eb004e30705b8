"""Reference data: the national PVD partners and their main offers (DOMAIN.md §1.6, §1.7, §2.1, Feb 2026).

Only the values DOMAIN.md gives are filled in; every other rate, cap or date stays empty (schemes change
every year: DOMAIN_RULES §1). Organisations are matched on name and kind, with the names partners/demo.py
uses, so the demo finds them; offers are matched on their `code`, so running this again (or after a
manager edited an offer's text) never duplicates them. Managers keep the catalogue up to date in the
application (/partenaires/offres/).
"""

import datetime
from decimal import Decimal

from django.db import migrations

ANCT = "Agence nationale de la cohésion des territoires (ANCT)"
BDT = "Banque des Territoires"
ANAH = "Agence nationale de l'habitat (Anah)"
CEREMA = "Cerema"
ADEME = "Agence de la transition écologique (ADEME)"
CAUE = "CAUE de la Haute-Marne"
EPF = "EPF Grand Est"
REGION = "Région Grand Est"
DEPARTMENT = "Département de la Haute-Marne"
PREFECTURE = "Préfecture de la Haute-Marne"
DDT = "Direction départementale des territoires de la Haute-Marne"

# (name, kind, website) — names and websites as in partners/demo.py where it lists them.
ORGANISATIONS = [
    (ANCT, "agency", "https://agence-cohesion-territoires.gouv.fr"),
    (BDT, "agency", "https://www.banquedesterritoires.fr"),
    (ANAH, "agency", "https://www.anah.gouv.fr"),
    (CEREMA, "agency", "https://www.cerema.fr"),
    (ADEME, "agency", "https://www.ademe.fr"),
    (CAUE, "association", ""),
    (EPF, "agency", "https://www.epfge.fr"),
    (REGION, "region", "https://www.grandest.fr"),
    (DEPARTMENT, "department", "https://haute-marne.fr"),
    (PREFECTURE, "state_service", "https://www.haute-marne.gouv.fr"),
    (DDT, "state_service", ""),
]

AIDES_TERRITOIRES_CHEF_DE_PROJET = (
    "https://petitesvillesdedemain.aides-territoires.beta.gouv.fr/"
    "47ab-beneficier-du-co-financement-dun-poste-de-che/"
)

OFFERS = [
    # --- ANCT (DOMAIN §1.6, §1.7, §2.1) ---
    {
        "code": "pvd-chef-de-projet",
        "organisation": ANCT,
        "name": "Co-financement du poste de chef de projet Petites Villes de Demain",
        "kind": "funding",
        "themes": ["transversal"],
        "description": (
            "Co-financement du poste de chef(fe) de projet PVD par l'ANCT, la Banque des Territoires et "
            "l'État, et l'Anah lorsqu'une opération Anah existe. Le chef de projet construit la stratégie "
            "avec les exécutifs de la commune et de l'intercommunalité, pilote le plan d'action, monte les "
            "dossiers et fait l'interface avec l'État et les partenaires."
        ),
        "conditions": (
            "Jusqu'à 75 % du coût annuel chargé du poste, plafonné à 45 000 € par an, ou à 55 000 € par an "
            "avec l'Anah (part de l'Anah : 50 %, 40 000 € au plus). Une demande commune chaque année sur "
            "démarches-simplifiées, instruite par le préfet (délégué territorial de l'ANCT) ; base de "
            "l'année civile."
        ),
        "max_rate": Decimal("0.75"),
        "cap_amount": Decimal("45000"),
        "cap_period": "par an (55 000 € par an avec l'Anah)",
        "valid_until": datetime.date(2026, 3, 31),
        "url": AIDES_TERRITOIRES_CHEF_DE_PROJET,
    },
    {
        "code": "anct-ingenierie-sur-mesure",
        "organisation": ANCT,
        "name": "Ingénierie sur mesure",
        "kind": "engineering",
        "themes": ["transversal"],
        "description": "Appui en ingénierie adapté au projet, mobilisé par le préfet, délégué territorial de l'ANCT.",
    },
    {
        "code": "club-pvd",
        "organisation": ANCT,
        "name": "Club Petites Villes de Demain",
        "kind": "training",
        "themes": ["transversal"],
        "description": "Réseau national des communes et des chefs de projet du programme.",
    },
    {
        "code": "fnadt",
        "organisation": ANCT,
        "name": "FNADT (Fonds national d'aménagement et de développement du territoire)",
        "kind": "funding",
        "themes": ["transversal"],
        "description": "Fonds de l'État qui porte les crédits d'ingénierie de l'ANCT.",
    },
    # --- Banque des Territoires (DOMAIN §1.6, §1.7, §2.1) ---
    {
        "code": "bdt-amp",
        "organisation": BDT,
        "name": "Missions d'accompagnement au management de projet (AMP)",
        "kind": "engineering",
        "themes": ["transversal"],
        "description": (
            "Missions d'appui au pilotage du projet de revitalisation (308 missions en 2021-2024), sur "
            "l'enveloppe d'ingénierie de 200 M€ de la Banque des Territoires pour PVD."
        ),
        "url": (
            "https://banquedesterritoires.fr/"
            "retour-sur-308-missions-daccompagnement-au-management-de-projets-pour-petites-villes-de-demain"
        ),
    },
    {
        "code": "bdt-pvd-plus",
        "organisation": BDT,
        "name": "PVD+ : ingénierie de la finance verte",
        "kind": "engineering",
        "themes": ["transition-ecologique"],
        "description": "Ingénierie pour accéder aux financements verts des projets de la commune.",
        "url": "https://banquedesterritoires.fr/pvd-des-petites-villes-laffut-de-financements-verts",
    },
    {
        "code": "bdt-expertise",
        "organisation": BDT,
        "name": "Co-financement d'études et d'expertises",
        "kind": "expertise",
        "themes": ["transversal"],
        "description": (
            "Sur les 300 M€ de la Banque des Territoires pour PVD : 200 M€ d'ingénierie (45 M€ pour les "
            "chefs de projet, 85 M€ d'expertise, 70 M€ d'appui aux territoires les plus fragiles) et "
            "100 M€ d'investissement."
        ),
        "url": "https://caissedesdepots.fr/actualites/banque-des-territoires-300-meu-1-000-petites-villes-de-demain",
    },
    {
        "code": "bdt-prets",
        "organisation": BDT,
        "name": "Prêts aux collectivités",
        "kind": "loan",
        "themes": ["transversal"],
        "description": "Prêts de la Banque des Territoires pour les investissements du programme.",
    },
    {
        "code": "bdt-foncieres-de-redynamisation",
        "organisation": BDT,
        "name": "Foncières de redynamisation",
        "kind": "funding",
        "themes": ["commerce"],
        "description": "Investissement en fonds propres dans des foncières qui acquièrent et remettent en état des locaux commerciaux.",
    },
    {
        "code": "manager-de-commerce",
        "organisation": BDT,
        "name": "Financement d'un manager de commerce",
        "kind": "funding",
        "themes": ["commerce"],
        "description": "Financement du poste de manager de commerce (ou de centre-ville) de la commune.",
        "cap_amount": Decimal("40000"),
        "cap_period": "sur 2 ans",
        "url": "https://collectiviteslocales.fr/les-acteurs/3-milliards-deuros-pour-dynamiser-les-petites-villes/",
    },
    # --- Anah (DOMAIN §1.6, §1.7) ---
    {
        "code": "anah-chef-de-projet-pvd",
        "organisation": ANAH,
        "name": "Part de l'Anah dans le co-financement du chef de projet PVD",
        "kind": "funding",
        "themes": ["habitat", "transversal"],
        "description": "Participation de l'Anah au poste de chef de projet PVD, dans la demande commune annuelle.",
        "conditions": (
            "Seulement si une opération Anah existe sur le territoire. Porte le plafond du co-financement à "
            "55 000 € par an."
        ),
        "max_rate": Decimal("0.50"),
        "cap_amount": Decimal("40000"),
        "cap_period": "par an",
        "valid_until": datetime.date(2026, 3, 31),
        "url": AIDES_TERRITOIRES_CHEF_DE_PROJET,
    },
    {
        "code": "anah-chef-de-projet-opah-ru",
        "organisation": ANAH,
        "name": "Aide au poste de chef de projet d'OPAH-RU",
        "kind": "funding",
        "themes": ["habitat"],
        "description": "Aide de l'Anah au poste de chef de projet d'une OPAH-RU ; elle continue après 2026.",
        "conditions": "50 % d'une dépense de 80 000 € HT par an au plus ; demande chaque année, avant le début de l'année.",
        "max_rate": Decimal("0.50"),
        "cap_amount": Decimal("80000"),
        "cap_period": "de dépense HT par an (assiette)",
        "url": (
            "https://espace.amf-morbihan.fr/base-de-donnes-accompagnement-des-collectivits/"
            "bnficier-du-co-financement-dun-poste-de-chef-de-projet-pvd"
        ),
    },
    {
        "code": "anah-suivi-animation",
        "organisation": ANAH,
        "name": "Financement du suivi-animation des OPAH et PIG",
        "kind": "funding",
        "themes": ["habitat"],
        "description": "Conventions d'OPAH et de PIG et financement de leur suivi-animation.",
        "url": "https://www.anah.fr/collectivite/developper-un-parc-prive-a-vocation-sociale/financer-la-phase-operationnelle/",
    },
    {
        "code": "anah-aides-aux-proprietaires",
        "organisation": ANAH,
        "name": "Aides aux propriétaires pour leurs travaux",
        "kind": "funding",
        "themes": ["habitat"],
        "description": "Aides de l'Anah aux propriétaires occupants et bailleurs, notamment dans les OPAH et PIG.",
    },
    # --- Cerema (DOMAIN §1.7) ---
    {
        "code": "cerema-expertise",
        "organisation": CEREMA,
        "name": "Expertise du Cerema",
        "kind": "expertise",
        "themes": ["transversal"],
        "description": "Expertise technique pour les projets des Petites Villes de Demain.",
        "url": "https://www.cerema.fr/fr/actualites/bilan-2022-engagement-du-cerema-programme-petites-villes",
    },
    {
        "code": "boussole-de-la-participation",
        "organisation": CEREMA,
        "name": "Boussole de la participation",
        "kind": "expertise",
        "themes": ["participation"],
        "description": "Outil du Cerema pour choisir et conduire la démarche de participation des habitants.",
    },
    {
        "code": "urbanvitaliz",
        "organisation": CEREMA,
        "name": "UrbanVitaliz",
        "kind": "expertise",
        "themes": ["transition-ecologique"],
        "description": "Service d'accompagnement des collectivités pour la reconversion de leurs friches.",
    },
    {
        "code": "cartofriches",
        "organisation": CEREMA,
        "name": "Cartofriches",
        "kind": "expertise",
        "themes": ["transition-ecologique"],
        "description": "Inventaire national des friches, pour repérer les sites à reconvertir.",
    },
    # --- ADEME (DOMAIN §1.7, [P]) ---
    {
        "code": "ademe-expertise",
        "organisation": ADEME,
        "name": "Expertise de la transition écologique",
        "kind": "expertise",
        "themes": ["transition-ecologique"],
        "description": "Appui de l'ADEME aux projets de transition écologique.",
    },
    {
        "code": "fonds-chaleur",
        "organisation": ADEME,
        "name": "Fonds chaleur",
        "kind": "funding",
        "themes": ["transition-ecologique"],
        "description": "Financement de l'ADEME pour la production de chaleur renouvelable.",
    },
    # --- CAUE de la Haute-Marne (DOMAIN §1.7) ---
    {
        "code": "caue52-conseil",
        "organisation": CAUE,
        "name": "Conseil en architecture et en urbanisme",
        "kind": "expertise",
        "themes": ["espaces-publics", "patrimoine", "habitat"],
        "description": "Conseil aux collectivités en architecture et en urbanisme ; le CAUE signe les ORT en Haute-Marne.",
        "url": "https://fncaue.com/petites-villes-de-demain-que-font-les-caue",
    },
    {
        "code": "caue52-ateliers",
        "organisation": CAUE,
        "name": "Ateliers et sensibilisation",
        "kind": "training",
        "themes": ["participation", "espaces-publics"],
        "description": "Ateliers pour les élus, les habitants et les services.",
    },
    # --- EPF Grand Est (DOMAIN §1.7) ---
    {
        "code": "epfge-portage-foncier",
        "organisation": EPF,
        "name": "Portage foncier",
        "kind": "engineering",
        "themes": ["transversal"],
        "description": (
            "Acquisition et portage de terrains et d'immeubles pour le compte de la collectivité. "
            "L'EPF Grand Est intervient en Haute-Marne depuis 2020 et signe les ORT."
        ),
        "url": "https://www.epfge.fr/retour-sur-la-rencontre-territoriale-du-7-fevrier-2023-a-chaumont/",
    },
    {
        "code": "epfge-etudes-et-friches",
        "organisation": EPF,
        "name": "Études foncières et traitement des friches",
        "kind": "expertise",
        "themes": ["transition-ecologique"],
        "description": "Études préalables et requalification de friches.",
    },
    # --- Région, Département (DOMAIN §1.7, §2.1: their rules are not verified) ---
    {
        "code": "region-grand-est-dispositifs",
        "organisation": REGION,
        "name": "Dispositifs de la Région Grand Est (centres-bourgs, patrimoine, habitat)",
        "kind": "funding",
        "themes": ["transversal"],
        "description": "Dispositifs propres de la Région : revitalisation des centres-bourgs, patrimoine, compléments habitat.",
        "conditions": "Règles propres (votes en commission, conventions), à vérifier auprès de la Région.",
    },
    {
        "code": "haute-marne-dispositifs",
        "organisation": DEPARTMENT,
        "name": "Dispositifs du Département de la Haute-Marne (centres-bourgs, patrimoine, habitat)",
        "kind": "funding",
        "themes": ["transversal"],
        "description": "Dispositifs propres du Département : centres-bourgs, patrimoine, compléments habitat.",
        "conditions": "Règles propres (votes en commission, conventions), à vérifier auprès du Département.",
    },
    # --- State grants (DOMAIN §2.1, with the checks of §2.2) ---
    {
        "code": "detr",
        "organisation": PREFECTURE,
        "name": "DETR (Dotation d'équipement des territoires ruraux)",
        "kind": "funding",
        "themes": ["transversal"],
        "description": "Subvention d'investissement de l'État pour les territoires ruraux ; appel à projets départemental annuel (préfet et commission d'élus).",
        "conditions": (
            "Taux d'au moins 20 % de la dépense subventionnable HT prévisionnelle ; DETR, DSIL, DPV et DSID "
            "ensemble au plus 80 % de cette dépense. Délibération approuvant le projet et le plan de "
            "financement ; attestation de non-commencement."
        ),
        "legal_reference": "CGCT art. R2334-27",
    },
    {
        "code": "dsil",
        "organisation": PREFECTURE,
        "name": "DSIL (Dotation de soutien à l'investissement local)",
        "kind": "funding",
        "themes": ["transversal"],
        "description": "Subvention d'investissement de l'État attribuée par le préfet de région, selon les priorités du CRTE.",
        "conditions": (
            "Taux d'au moins 20 % de la dépense subventionnable HT prévisionnelle ; DETR, DSIL, DPV et DSID "
            "ensemble au plus 80 % de cette dépense."
        ),
        "legal_reference": "CGCT art. R2334-27",
    },
    {
        "code": "fonds-vert",
        "organisation": PREFECTURE,
        "name": "Fonds vert",
        "kind": "funding",
        "themes": ["transition-ecologique"],
        "description": (
            "Depuis 2023 : rénovation énergétique des bâtiments publics, renaturation, éclairage public, "
            "vélo… En 2025 : 21 mesures, 1,15 Md€ d'autorisations d'engagement, dépôt jusqu'au 15/12/2025."
        ),
        "url": "https://aides-territoires.beta.gouv.fr/programmes/fonds-vert/",
    },
]

OFFER_FIELDS = (
    "name",
    "kind",
    "description",
    "conditions",
    "max_rate",
    "cap_amount",
    "cap_period",
    "valid_from",
    "valid_until",
    "url",
    "legal_reference",
)
BLANK = {"max_rate": None, "cap_amount": None, "valid_from": None, "valid_until": None}


def add_reference_data(apps, schema_editor):
    Organisation = apps.get_model("partners", "Organisation")
    Offer = apps.get_model("partners", "Offer")
    Theme = apps.get_model("partners", "Theme")
    organisations = {}
    for name, kind, website in ORGANISATIONS:
        organisation = Organisation.objects.filter(name=name, kind=kind).order_by("pk").first()
        if organisation is None:
            organisation = Organisation.objects.create(name=name, kind=kind, website=website)
        organisations[name] = organisation
    themes = {theme.code: theme for theme in Theme.objects.all()}
    for row in OFFERS:
        if Offer.objects.filter(code=row["code"]).exists():
            continue  # shipped before, perhaps edited since: the application's data wins
        values = {field: row.get(field, BLANK.get(field, "")) for field in OFFER_FIELDS}
        offer = Offer.objects.create(code=row["code"], organisation=organisations[row["organisation"]], **values)
        offer.themes.set([themes[code] for code in row["themes"]])


def remove_reference_offers(apps, schema_editor):
    # The organisations stay: contacts, programmes or users' data may point to them.
    apps.get_model("partners", "Offer").objects.filter(code__in=[row["code"] for row in OFFERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("partners", "0004_people_mandates_and_versions")]
    operations = [migrations.RunPython(add_reference_data, remove_reference_offers)]
