"""Demo data of the programmes app: the PVD programme of Wassy and La Porte du Der."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from partners.models import Offer, OfferKind, Organisation, OrganisationKind, Theme
from programmes.demo_project import load_project
from programmes.models import (
    EngineeringNeed,
    NeedKind,
    NeedStatus,
    Programme,
    Stake,
    StakePriority,
    StrategicDocument,
)
from pvd.models import StatusChange
from pvd.upsert import upsert

PROGRAMME_NAME = "Petites Villes de Demain — Wassy et La Porte du Der"


def load(orgs: dict[str, Organisation]) -> Programme:
    programme, _ = upsert(
        Programme,
        name=PROGRAMME_NAME,
        defaults={
            "epci": orgs["epci"],
            # Dates of the demo: the convention d'adhésion was signed at the end of October 2021,
            # the convention-cadre was expected early 2023, and PVD is extended to the end of 2026.
            "selected_on": datetime.date(2020, 12, 14),
            "adhesion_signed_on": datetime.date(2021, 10, 29),
            "framework_signed_on": datetime.date(2023, 3, 30),
            "ends_on": datetime.date(2026, 12, 31),
            "description": (
                "Programme de revitalisation des centres-bourgs de Wassy et de La Porte du Der, piloté avec "
                "la Communauté d'agglomération du Grand Saint-Dizier, Der & Vallées, en complémentarité du "
                "PIG intercommunal et de l'OPAH-RU du centre-ville de Saint-Dizier."
            ),
        },
    )
    programme.communes.set([orgs["wassy"], orgs["la_porte_du_der"]])
    load_strategy(programme, orgs)
    load_project(programme)
    return programme


# --- Strategy: documents, stakes, engineering needs (issue 3) ------------------------------------------------
# A realistic picture, not the real documents: titles, years and amounts are illustrative.

DOCUMENTS = [
    # key, title, kind, status, year, author ("epci" or None), themes, communes (keys), summary
    (
        "scot",
        "SCoT du Pays de Saint-Dizier, Der et Blaise",
        StrategicDocument.Kind.SCOT,
        StrategicDocument.Status.IN_FORCE,
        2019,
        "epci",
        ["habitat", "commerce", "mobilite", "transition-ecologique"],
        [],
        (
            "Armature urbaine : Saint-Dizier pôle principal, Wassy et Montier-en-Der pôles relais à conforter ; "
            "priorité au renouvellement urbain et à la reconquête des logements vacants des centres-bourgs."
        ),
    ),
    (
        "plui",
        "PLUi de la Communauté d'agglomération du Grand Saint-Dizier, Der et Vallées",
        StrategicDocument.Kind.PLUI,
        StrategicDocument.Status.IN_PROGRESS,
        2026,
        "epci",
        ["habitat", "espaces-publics", "patrimoine", "transition-ecologique"],
        [],
        "Plan local d'urbanisme intercommunal en cours d'élaboration ; il reprendra les périmètres ORT.",
    ),
    (
        "commerce",
        "Étude de revitalisation commerciale des centres-bourgs de Wassy et La Porte du Der",
        StrategicDocument.Kind.COMMERCE_STUDY,
        StrategicDocument.Status.IN_FORCE,
        2023,
        "epci",
        ["commerce", "espaces-publics"],
        ["wassy", "la_porte_du_der"],
        (
            "Taux de vacance commerciale élevé rue principale à Wassy ; besoin d'un linéaire commercial resserré "
            "et d'une foncière ; à Montier-en-Der, marché et commerces de bouche à conforter."
        ),
    ),
    (
        "mobilite",
        "Étude mobilité et stationnement des centres-bourgs",
        StrategicDocument.Kind.MOBILITY_STUDY,
        StrategicDocument.Status.IN_PROGRESS,
        2025,
        "epci",
        ["mobilite", "espaces-publics"],
        ["wassy", "la_porte_du_der"],
        "Diagnostic du stationnement, des liaisons douces vers les équipements et du lac du Der.",
    ),
    (
        "opah",
        "Étude pré-opérationnelle d'OPAH-RU de Wassy et La Porte du Der",
        StrategicDocument.Kind.HOUSING_STUDY,
        StrategicDocument.Status.IN_FORCE,
        2024,
        "epci",
        ["habitat", "patrimoine"],
        ["wassy", "la_porte_du_der"],
        (
            "Repérage de l'habitat dégradé et vacant des centres anciens, îlots prioritaires, dispositif proposé : "
            "OPAH-RU de 5 ans avec volet copropriétés et ravalement de façades."
        ),
    ),
    (
        "diagnostic",
        "Diagnostic de territoire Petites Villes de Demain",
        StrategicDocument.Kind.DIAGNOSTIC,
        StrategicDocument.Status.IN_FORCE,
        2022,
        "epci",
        ["transversal", "habitat", "commerce", "mobilite", "tourisme", "participation"],
        [],
        "Diagnostic partagé préalable à la convention-cadre valant ORT : forces, fragilités, premières pistes.",
    ),
]

STAKES = [
    # title, theme, commune key or None, priority, sources (document keys)
    (
        "Reconquérir les logements vacants du centre ancien de Wassy",
        "habitat",
        "wassy",
        1,
        ["opah", "diagnostic"],
    ),
    (
        "Lutter contre l'habitat indigne et dégradé à Montier-en-Der",
        "habitat",
        "la_porte_du_der",
        1,
        ["opah"],
    ),
    ("Adapter les logements au vieillissement de la population", "habitat", None, 2, ["opah", "scot"]),
    ("Résorber la vacance commerciale de la rue principale de Wassy", "commerce", "wassy", 1, ["commerce"]),
    (
        "Conforter le marché et les commerces de bouche de Montier-en-Der",
        "commerce",
        "la_porte_du_der",
        2,
        ["commerce"],
    ),
    ("Maintenir les services de santé en centre-bourg", "commerce", None, 2, ["diagnostic"]),
    ("Organiser le stationnement autour des commerces de Wassy", "mobilite", "wassy", 2, ["mobilite"]),
    (
        "Relier le centre-bourg de Montier-en-Der au lac du Der à vélo",
        "mobilite",
        "la_porte_du_der",
        2,
        ["mobilite", "scot"],
    ),
    (
        "Requalifier la place Notre-Dame et les abords de l'église de Wassy",
        "espaces-publics",
        "wassy",
        1,
        ["commerce", "diagnostic"],
    ),
    (
        "Mettre en valeur le patrimoine du haras national de Montier-en-Der",
        "patrimoine",
        "la_porte_du_der",
        2,
        ["diagnostic"],
    ),
    ("Préserver les façades et le bâti ancien des centres-bourgs", "patrimoine", None, 3, ["opah", "plui"]),
    (
        "Capter les visiteurs du lac du Der vers les centres-bourgs",
        "tourisme",
        "la_porte_du_der",
        2,
        ["diagnostic"],
    ),
    ("Réduire la consommation d'énergie des bâtiments publics", "transition-ecologique", None, 2, ["scot"]),
    (
        "Reconvertir les friches du centre de Wassy",
        "transition-ecologique",
        "wassy",
        3,
        ["scot", "diagnostic"],
    ),
    ("Associer les habitants aux projets de revitalisation", "participation", None, 2, ["diagnostic"]),
]

# Reference offers the needs are matched to: looked up by their code (partners' reference data); created
# here when that data is not loaded, so the demo works either way.
DEMO_OFFERS = {
    "bdt-expertise": (
        "Banque des Territoires",
        OrganisationKind.AGENCY,
        "Co-financement d'études et d'expertises",
        OfferKind.EXPERTISE,
        ["transversal"],
    ),
    "bdt-amp": (
        "Banque des Territoires",
        OrganisationKind.AGENCY,
        "Missions d'accompagnement au management de projet (AMP)",
        OfferKind.ENGINEERING,
        ["transversal"],
    ),
    "cerema-expertise": (
        "Cerema",
        OrganisationKind.AGENCY,
        "Expertise du Cerema",
        OfferKind.EXPERTISE,
        ["transversal"],
    ),
    "caue52-conseil": (
        "CAUE de la Haute-Marne",
        OrganisationKind.ASSOCIATION,
        "Conseil en architecture et en urbanisme",
        OfferKind.EXPERTISE,
        ["espaces-publics", "patrimoine", "habitat"],
    ),
    "caue52-ateliers": (
        "CAUE de la Haute-Marne",
        OrganisationKind.ASSOCIATION,
        "Ateliers et sensibilisation",
        OfferKind.TRAINING,
        ["participation", "espaces-publics"],
    ),
}

S = NeedStatus
D = datetime.date
NEEDS = [
    # title, theme, commune, kind, cost HT, status, offer code, dates (requested, answered, started, delivered),
    # partner's answer, stakes (titles' first words)
    (
        "Étude de programmation de la place Notre-Dame",
        "espaces-publics",
        "wassy",
        NeedKind.STUDY,
        "45000",
        S.IN_PROGRESS,
        "caue52-conseil",
        (D(2025, 9, 15), D(2025, 11, 4), D(2026, 2, 2), None),
        "Accord du CAUE pour 12 jours d'accompagnement de la maîtrise d'ouvrage.",
        ["Requalifier la place"],
    ),
    (
        "Étude de faisabilité d'une foncière commerciale",
        "commerce",
        "wassy",
        NeedKind.STUDY,
        "30000",
        S.GRANTED,
        "bdt-expertise",
        (D(2026, 3, 2), D(2026, 5, 20), None, None),
        "Co-financement de 50 % accordé par la Banque des Territoires.",
        ["Résorber la vacance"],
    ),
    (
        "Plan guide de circulation et de stationnement",
        "mobilite",
        "wassy",
        NeedKind.STUDY,
        "25000",
        S.REQUESTED,
        "cerema-expertise",
        (D(2026, 10, 12), None, None, None),
        "",
        ["Organiser le stationnement"],
    ),
    (
        "Schéma cyclable entre Montier-en-Der et le lac du Der",
        "mobilite",
        "la_porte_du_der",
        NeedKind.EXPERTISE,
        "18000",
        S.IDENTIFIED,
        None,
        (None, None, None, None),
        "",
        ["Relier le centre-bourg"],
    ),
    (
        "Suivi-animation de l'OPAH-RU : AMO au lancement",
        "habitat",
        None,
        NeedKind.AMO,
        "60000",
        S.DELIVERED,
        "bdt-amp",
        (D(2024, 1, 15), D(2024, 3, 1), D(2024, 4, 2), D(2025, 6, 30)),
        "Mission AMP de la Banque des Territoires accordée.",
        ["Reconquérir les logements", "Lutter contre l'habitat"],
    ),
    (
        "Repérage des immeubles vacants et des propriétaires",
        "habitat",
        "wassy",
        NeedKind.EXPERTISE,
        "12000",
        S.IN_PROGRESS,
        "cerema-expertise",
        (D(2025, 10, 1), D(2025, 12, 15), D(2026, 3, 9), None),
        "Accord pour un appui du Cerema (données foncières, fichiers fonciers).",
        ["Reconquérir les logements"],
    ),
    (
        "Diagnostic patrimonial du haras et de ses abords",
        "patrimoine",
        "la_porte_du_der",
        NeedKind.STUDY,
        "35000",
        S.IDENTIFIED,
        None,
        (None, None, None, None),
        "",
        ["Mettre en valeur le patrimoine"],
    ),
    (
        "Conseil façades et cahier de recommandations architecturales",
        "patrimoine",
        None,
        NeedKind.EXPERTISE,
        "8000",
        S.REQUESTED,
        "caue52-conseil",
        (D(2026, 11, 3), None, None, None),
        "",
        ["Préserver les façades"],
    ),
    (
        "Audit énergétique des bâtiments communaux",
        "transition-ecologique",
        None,
        NeedKind.STUDY,
        "20000",
        S.IDENTIFIED,
        None,
        (None, None, None, None),
        "",
        ["Réduire la consommation"],
    ),
    (
        "Étude de reconversion de la friche de la rue du Moulin",
        "transition-ecologique",
        "wassy",
        NeedKind.STUDY,
        "40000",
        S.DROPPED,
        None,
        (None, None, None, None),
        "",
        ["Reconvertir les friches"],
    ),
    (
        "Ateliers de concertation avec les habitants",
        "participation",
        None,
        NeedKind.TRAINING,
        "6000",
        S.GRANTED,
        "caue52-ateliers",
        (D(2026, 6, 1), D(2026, 7, 10), None, None),
        "Le CAUE animera trois ateliers à l'automne.",
        ["Associer les habitants"],
    ),
    (
        "Formation des élus au pilotage d'un projet de revitalisation",
        "transversal",
        None,
        NeedKind.TRAINING,
        None,
        S.IDENTIFIED,
        None,
        (None, None, None, None),
        "",
        [],
    ),
]

# The path each demo status took (for its StatusChange rows).
STATUS_PATHS = {
    S.IDENTIFIED: [S.IDENTIFIED],
    S.REQUESTED: [S.IDENTIFIED, S.REQUESTED],
    S.GRANTED: [S.IDENTIFIED, S.REQUESTED, S.GRANTED],
    S.IN_PROGRESS: [S.IDENTIFIED, S.REQUESTED, S.GRANTED, S.IN_PROGRESS],
    S.DELIVERED: [S.IDENTIFIED, S.REQUESTED, S.GRANTED, S.IN_PROGRESS, S.DELIVERED],
    S.DROPPED: [S.IDENTIFIED, S.DROPPED],
}


def _demo_offer(code: str, themes: dict[str, Theme]) -> Offer:
    offer = Offer.objects.filter(code=code).first()
    if offer is not None:
        return offer
    org_name, org_kind, name, kind, theme_codes = DEMO_OFFERS[code]
    organisation, _ = upsert(Organisation, {}, name=org_name, kind=org_kind)
    offer, _ = upsert(Offer, {"organisation": organisation, "name": name, "kind": kind}, code=code)
    offer.themes.set([themes[c] for c in theme_codes])
    return offer


def load_strategy(programme: Programme, orgs: dict[str, Organisation]) -> None:
    """Documents, stakes and engineering needs of the demo programme (idempotent)."""
    themes = {theme.code: theme for theme in Theme.objects.all()}
    documents = {}
    for key, title, kind, status, year, author, theme_codes, communes, summary in DOCUMENTS:
        document, _ = upsert(
            StrategicDocument,
            {
                "kind": kind,
                "status": status,
                "year": year,
                "author": orgs[author] if author else None,
                "summary": summary,
            },
            programme=programme,
            title=title,
        )
        document.themes.set([themes[c] for c in theme_codes])
        document.communes.set([orgs[c] for c in communes])
        documents[key] = document

    stakes = {}
    for title, theme, commune, priority, sources in STAKES:
        stake, _ = upsert(
            Stake,
            {
                "theme": themes[theme],
                "commune": orgs[commune] if commune else None,
                "priority": StakePriority(priority),
            },
            programme=programme,
            title=title,
        )
        stake.sources.set([documents[key] for key in sources])
        stakes[title] = stake

    need_type = ContentType.objects.get_for_model(EngineeringNeed)
    for title, theme, commune, kind, cost, status, offer_code, dates, answer, stake_prefixes in NEEDS:
        requested_on, answered_on, started_on, delivered_on = dates
        need, _ = upsert(
            EngineeringNeed,
            {
                "theme": themes[theme],
                "commune": orgs[commune] if commune else None,
                "kind": kind,
                "estimated_cost_ht": Decimal(cost) if cost else None,
                "status": status,
                "offer": _demo_offer(offer_code, themes) if offer_code else None,
                "partner_answer": answer,
                "requested_on": requested_on,
                "answered_on": answered_on,
                "started_on": started_on,
                "delivered_on": delivered_on,
            },
            programme=programme,
            title=title,
        )
        need.stakes.set([s for t, s in stakes.items() if any(t.startswith(p) for p in stake_prefixes)])
        path = STATUS_PATHS[status]
        for source, target in zip(["", *path], path, strict=False):
            StatusChange.objects.get_or_create(
                content_type=need_type,
                object_id=need.pk,
                source=source,
                target=target,
                defaults={"comment": "Reprise de l'historique (démonstration)."},
            )
