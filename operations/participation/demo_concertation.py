"""Demo of the concertation part (issue 11), for the PVD programme of Wassy and La Porte du Der.

- « Révéler Wassy », a shared diagnostic in the manner of « Révéler Saint-Dizier »: an online and paper survey over
  two months with its contributions by theme, two urban walks in Wassy's centre with attendance by profile, and a
  restitution public meeting with its feedback to participants;
- the OPAH-RU office hours: a monthly permanence alternating between Wassy and La Porte du Der (the December one is
  still planned);
- the L103-2 concertation on the brownfield of rue du Moulin (W-05): a held public meeting whose bilan is not yet
  adopted by deliberation (flagged);
- a co-design workshop on the heritage trail (W-09), planned in February 2027.

Retained contributions that changed demo operations: W-01 (place Notre-Dame: short-stay parking, then trees and
shaded benches), W-02 (the halle: a Sunday producers' market) and W-08 (shops on trial: progressive rents).

Idempotent: rows are upserted on natural keys (programme + title + date; event + profile; event + subject), and a
status change is recorded only when an event is created.
"""

import datetime
from typing import TYPE_CHECKING

from operations.models import (
    AttendanceProfile,
    ConcertationEvent,
    ConcertationPlanItem,
    Contribution,
    Operation,
)
from operations.participation.models import (
    AttendeeProfile as P,
)
from operations.participation.models import (
    ContributionOutcome as O,
)
from operations.participation.models import (
    EventFormat as F,
)
from operations.participation.models import (
    EventStatus,
    LegalFrame,
)
from partners.models import Theme
from pvd.models import StatusChange
from pvd.upsert import upsert

if TYPE_CHECKING:
    from partners.models import Organisation
    from programmes.models import Programme
    from pvd.accounts.models import User

D = datetime.date
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# key: title, format, frame, from, until, expected sessions, operation codes, communes, description
PLAN = {
    "reveler": (
        "« Révéler Wassy » : diagnostic partagé du centre-bourg",
        F.SURVEY,
        LegalFrame.VOLUNTARY,
        D(2026, 3, 1),
        D(2026, 6, 30),
        4,
        ["W-01", "W-02", "W-08"],
        ["wassy"],
        (
            "Une enquête en ligne et sur papier, deux balades urbaines et une réunion publique de restitution pour "
            "construire avec les habitants et les commerçants le diagnostic du centre-bourg."
        ),
    ),
    "opah": (
        "Permanences de l'OPAH-RU des centres-bourgs",
        F.OFFICE_HOURS,
        LegalFrame.VOLUNTARY,
        D(2026, 1, 1),
        D(2026, 12, 31),
        12,
        ["PVD-02"],
        ["wassy", "la_porte_du_der"],
        (
            "Une permanence mensuelle de l'opérateur, en alternance à Wassy et à La Porte du Der, pour informer les "
            "propriétaires sur les aides à la rénovation."
        ),
    ),
    "friche": (
        "Concertation préalable sur la reconversion de la friche de la rue du Moulin",
        F.PUBLIC_MEETING,
        LegalFrame.URBANISM,
        D(2026, 9, 1),
        D(2026, 12, 15),
        2,
        ["W-05"],
        ["wassy"],
        (
            "Concertation du code de l'urbanisme (art. L103-2) : objectifs et modalités fixés par délibération, "
            "bilan à adopter par le conseil communautaire."
        ),
    ),
    "patrimoine": (
        "Co-construction du parcours patrimonial de Wassy",
        F.CO_DESIGN,
        LegalFrame.VOLUNTARY,
        D(2027, 1, 15),
        D(2027, 4, 30),
        2,
        ["W-09"],
        ["wassy"],
        "Deux ateliers avec les associations d'histoire locale, l'office de tourisme et les habitants.",
    ),
}


def _event(plan: str, title: str, fmt: str, status: str, starts: D, **extra: object) -> dict:
    return {"plan": plan, "title": title, "format": fmt, "status": status, "starts_on": starts, **extra}


# Each event: its fields, communes, operations, themes, attendance by profile, contributions
# (subject, theme, count, outcome, notable text, effect: (operation code, change, date) or None, answer).
EVENTS = [
    _event(
        "reveler",
        "Enquête « Révéler Wassy » (en ligne et sur papier)",
        F.SURVEY,
        EventStatus.HELD,
        D(2026, 3, 2),
        ends_on=D(2026, 4, 30),
        place="En ligne, mairie, médiathèque et commerces partenaires",
        facilitator="Cheffe de projet PVD et service communication de Wassy",
        target_public="Habitants, commerçants et usagers du centre-bourg",
        invitations_sent=1450,
        invitation_channels="Bulletin municipal distribué dans toutes les boîtes, réseaux sociaux, affiches",
        attendance_count=412,
        materials="Questionnaire de 18 questions ; urne à la mairie et à la médiathèque.",
        synthesis="412 réponses (dont 131 sur papier). Les attentes portent d'abord sur les espaces publics et le "
        "commerce : une place Notre-Dame plus accueillante, une halle vivante, des vitrines occupées.",
        communes=["wassy"],
        operations=["W-01", "W-02", "W-08"],
        themes=["espaces-publics", "commerce", "mobilite"],
        profiles={P.RESIDENTS: 298, P.TRADERS: 34, P.YOUNG: 41, P.SENIORS: 27},
        contributions=[
            (
                "Rendre la place Notre-Dame aux piétons",
                "espaces-publics",
                124,
                O.PARTLY,
                "",
                (
                    "W-01",
                    "Zone de rencontre à 20 km/h sur la place ; fermée à la circulation les jours de marché.",
                    D(2026, 5, 12),
                ),
                "La place reste accessible aux voitures, à 20 km/h, sauf les jours de marché.",
            ),
            (
                "Ouvrir la halle le dimanche matin avec un marché de producteurs",
                "commerce",
                86,
                O.PARTLY,
                "« Une halle qui ne sert qu'au marché du jeudi, c'est dommage : le dimanche, tout est fermé. »",
                (
                    "W-02",
                    (
                        "Programme de la halle gourmande revu : un marché de producteurs le dimanche matin, "
                        "à l'essai pendant un an."
                    ),
                    D(2026, 7, 8),
                ),
                "La commune teste le marché du dimanche pendant un an avant de l'inscrire au règlement de la halle.",
            ),
            ("Stationnement près des commerces", "mobilite", 57, O.PENDING, "", None, ""),
            ("Mettre en valeur l'histoire de la ville", "patrimoine", 41, O.PENDING, "", None, ""),
            (
                "Aides pour rénover les logements anciens",
                "habitat",
                33,
                O.OUT_OF_SCOPE,
                "",
                None,
                "Ces demandes relèvent de l'OPAH-RU : les permanences de l'opérateur y répondent.",
            ),
        ],
    ),
    _event(
        "reveler",
        "Balade urbaine : la place Notre-Dame et la rue principale",
        F.GUIDED_WALK,
        EventStatus.HELD,
        D(2026, 4, 11),
        start_time=datetime.time(10, 0),
        place="Départ devant la mairie de Wassy",
        facilitator="CAUE de la Haute-Marne",
        target_public="Habitants et commerçants du centre-bourg",
        invitations_sent=600,
        invitation_channels="Affiches chez les commerçants, site de la commune",
        attendance_count=38,
        materials="Carte du parcours, fiches d'observation, photographies avant-projet.",
        synthesis="Les participants veulent une place moins dominée par la voiture mais gardant des arrêts "
        "minute pour les commerces.",
        communes=["wassy"],
        operations=["W-01", "W-08"],
        themes=["espaces-publics", "commerce"],
        profiles={P.RESIDENTS: 24, P.TRADERS: 7, P.ELECTED: 4, P.PARTNERS: 3},
        contributions=[
            (
                "Garder du stationnement minute devant les commerces",
                "mobilite",
                12,
                O.ADOPTED,
                "« Si je ne peux plus m'arrêter deux minutes pour mon pain, j'irai au supermarché. »",
                (
                    "W-01",
                    "Six places de stationnement minute ajoutées au projet de la place Notre-Dame.",
                    D(2026, 5, 12),
                ),
                "Le maître d'œuvre a intégré six places minute au projet ; elles figurent au plan présenté en juin.",
            ),
            (
                "Des vitrines vides qui donnent une image d'abandon",
                "commerce",
                9,
                O.ADOPTED,
                "",
                (
                    "W-08",
                    "Loyers progressifs pour les boutiques à l'essai, et habillage des vitrines vides.",
                    D(2026, 6, 30),
                ),
                "Deux vitrines habillées dès l'été ; appel à candidatures en septembre.",
            ),
        ],
    ),
    _event(
        "reveler",
        "Balade urbaine : de la halle aux bords de la Blaise",
        F.GUIDED_WALK,
        EventStatus.HELD,
        D(2026, 4, 25),
        start_time=datetime.time(14, 30),
        place="Départ devant la halle de Wassy",
        facilitator="CAUE de la Haute-Marne",
        target_public="Habitants, familles, associations",
        attendance_count=29,
        communes=["wassy"],
        operations=["W-01", "W-02"],
        themes=["espaces-publics", "transition-ecologique"],
        profiles={P.RESIDENTS: 17, P.YOUNG: 5, P.ASSOCIATIONS: 4, P.ELECTED: 2},
        contributions=[
            (
                "Ombrager la place et planter des arbres",
                "transition-ecologique",
                15,
                O.ADOPTED,
                "",
                (
                    "W-01",
                    "Huit arbres d'alignement et des bancs ombragés ajoutés au plan de la place.",
                    D(2026, 5, 12),
                ),
                "Les arbres sont au plan ; les essences ont été choisies avec le CAUE.",
            ),
            (
                "Un cheminement piéton continu jusqu'à la rivière",
                "espaces-publics",
                6,
                O.NOT_ADOPTED,
                "",
                None,
                "Hors du périmètre des travaux actuels ; l'idée est gardée pour une phase ultérieure.",
            ),
        ],
    ),
    _event(
        "reveler",
        "Réunion publique de restitution de « Révéler Wassy »",
        F.PUBLIC_MEETING,
        EventStatus.HELD,
        D(2026, 6, 18),
        start_time=datetime.time(18, 30),
        place="Salle des fêtes de Wassy",
        facilitator="Maire de Wassy et cheffe de projet PVD",
        target_public="Tous publics",
        invitations_sent=1450,
        invitation_channels="Courrier dans toutes les boîtes, presse locale, réseaux sociaux",
        attendance_count=86,
        materials="Diaporama de restitution, panneaux d'exposition, plan de la place.",
        synthesis="Restitution des résultats de l'enquête et des balades ; présentation des changements décidés "
        "sur la place Notre-Dame et la halle.",
        feedback_on=D(2026, 7, 3),
        feedback="Synthèse de 8 pages publiée sur le site de la commune et envoyée aux 214 répondants ayant "
        "laissé une adresse ; exposition des résultats en mairie pendant l'été.",
        communes=["wassy"],
        operations=["W-01", "W-02", "W-08"],
        themes=["espaces-publics", "commerce"],
        profiles={P.RESIDENTS: 58, P.TRADERS: 11, P.ELECTED: 9, P.PARTNERS: 5},
        contributions=[
            (
                "Associer les commerçants au calendrier des travaux",
                "commerce",
                7,
                O.ADOPTED,
                "",
                (
                    "W-01",
                    (
                        "Travaux de la place phasés pour garder un accès à chaque commerce ; réunion de chantier "
                        "mensuelle ouverte aux commerçants."
                    ),
                    D(2026, 9, 1),
                ),
                "Première réunion de chantier ouverte en septembre.",
            ),
        ],
    ),
    _event(
        "friche",
        "Réunion publique de concertation préalable : la friche de la rue du Moulin",
        F.PUBLIC_MEETING,
        EventStatus.HELD,
        D(2026, 10, 8),
        start_time=datetime.time(18, 30),
        place="Salle des fêtes de Wassy",
        legal_frame=LegalFrame.URBANISM,
        facilitator="Agglomération (service urbanisme) et bureau d'études",
        target_public="Riverains, habitants, associations de protection de l'environnement",
        invitations_sent=900,
        invitation_channels="Avis dans la presse, affichage légal, site de l'agglomération",
        attendance_count=54,
        materials="Dossier de concertation, registre en mairie.",
        synthesis="Inquiétudes sur la pollution des sols ; demande d'espaces verts et de logements adaptés aux "
        "seniors.",
        communes=["wassy"],
        operations=["W-05"],
        themes=["transition-ecologique", "habitat"],
        profiles={P.RESIDENTS: 39, P.ASSOCIATIONS: 8, P.ELECTED: 5},
        contributions=[
            (
                "Publier les résultats des analyses de sols",
                "transition-ecologique",
                14,
                O.ADOPTED,
                "",
                (
                    "W-05",
                    "Les diagnostics de pollution seront publiés et présentés avant le choix du scénario.",
                    D(2026, 11, 4),
                ),
                "Publication prévue avec le bilan de la concertation.",
            ),
            ("Des logements adaptés aux seniors", "habitat", 9, O.PENDING, "", None, ""),
        ],
    ),
    _event(
        "patrimoine",
        "Atelier de co-conception du parcours patrimonial",
        F.CO_DESIGN,
        EventStatus.PLANNED,
        D(2027, 2, 10),
        start_time=datetime.time(18, 0),
        place="Médiathèque de Wassy",
        facilitator="Office de tourisme et cheffe de projet PVD",
        target_public="Associations d'histoire locale, habitants, commerçants",
        invitations_sent=120,
        invitation_channels="Courrier aux associations, site de la commune",
        communes=["wassy"],
        operations=["W-09"],
        themes=["patrimoine", "tourisme"],
        profiles={},
        contributions=[],
    ),
]

# OPAH-RU office hours: (day, commune, visitors) — December's is still planned.
PERMANENCES = [
    (D(2026, 1, 14), "wassy", 9),
    (D(2026, 2, 11), "la_porte_du_der", 6),
    (D(2026, 3, 11), "wassy", 12),
    (D(2026, 4, 8), "la_porte_du_der", 7),
    (D(2026, 5, 13), "wassy", 10),
    (D(2026, 6, 10), "la_porte_du_der", 8),
    (D(2026, 7, 8), "wassy", 5),
    (D(2026, 9, 9), "la_porte_du_der", 9),
    (D(2026, 10, 14), "wassy", 14),
    (D(2026, 11, 12), "la_porte_du_der", 11),
    (D(2026, 12, 9), "wassy", None),
]
PLACES = {"wassy": "Mairie de Wassy", "la_porte_du_der": "Mairie de Montier-en-Der (La Porte du Der)"}


def _set_m2m(manager: object, wanted: list[object]) -> None:
    """Set a many-to-many only when it differs: no history row on a second load."""
    if set(manager.values_list("pk", flat=True)) != {obj.pk for obj in wanted}:  # type: ignore[attr-defined]
        manager.set(wanted)  # type: ignore[attr-defined]


def _upsert_event(
    programme: "Programme",
    plan_item: ConcertationPlanItem,
    fields: dict[str, object],
    communes: list["Organisation"],
    operations: list[Operation],
    themes: list[Theme],
    manager: "User",
) -> ConcertationEvent:
    title, starts_on = fields.pop("title"), fields.pop("starts_on")
    fields.setdefault("legal_frame", plan_item.legal_frame)
    event, created = upsert(
        ConcertationEvent,
        programme=programme,
        title=title,
        starts_on=starts_on,
        defaults={"plan_item": plan_item, **fields},
    )
    _set_m2m(event.communes, communes)
    _set_m2m(event.operations, operations)
    _set_m2m(event.themes, themes)
    if created:
        StatusChange.objects.create(
            obj=event,
            source="",
            target=EventStatus.PLANNED,
            by=manager,
            comment="Création du temps de concertation.",
        )
        if event.status != EventStatus.PLANNED:
            StatusChange.objects.create(
                obj=event, source=EventStatus.PLANNED, target=event.status, by=manager
            )
    return event


def load(programme: "Programme", orgs: dict[str, "Organisation"], users: dict[str, "User"]) -> None:
    manager = users["cheffe-de-projet"]
    operations = {o.code: o for o in Operation.objects.filter(programme=programme)}
    themes = {t.code: t for t in Theme.objects.all()}
    items: dict[str, ConcertationPlanItem] = {}
    for key, (title, fmt, frame, start, end, sessions, codes, communes, description) in PLAN.items():
        item, _ = upsert(
            ConcertationPlanItem,
            programme=programme,
            title=title,
            defaults={
                "format": fmt,
                "legal_frame": frame,
                "planned_from": start,
                "planned_until": end,
                "expected_sessions": sessions,
                "description": description,
            },
        )
        _set_m2m(item.operations, [operations[c] for c in codes if c in operations])
        _set_m2m(item.communes, [orgs[c] for c in communes])
        items[key] = item

    for spec in EVENTS:
        fields = dict(spec)
        plan = fields.pop("plan")
        communes = [orgs[c] for c in fields.pop("communes")]
        ops = [operations[c] for c in fields.pop("operations") if c in operations]
        event_themes = [themes[c] for c in fields.pop("themes") if c in themes]
        profiles = fields.pop("profiles")
        contributions = fields.pop("contributions")
        fields["organiser"] = orgs["wassy"] if plan == "reveler" else orgs["epci"]
        event = _upsert_event(programme, items[plan], fields, communes, ops, event_themes, manager)
        for profile, count in profiles.items():
            upsert(AttendanceProfile, event=event, profile=profile, defaults={"count": count})
        for subject, theme, count, outcome, text, effect, answer in contributions:
            code, change, decided_on = effect or ("", "", None)
            upsert(
                Contribution,
                event=event,
                subject=subject,
                defaults={
                    "theme": themes.get(theme),
                    "count": count,
                    "outcome": outcome,
                    "text": text,
                    "notable": bool(text),
                    "effect_operation": operations.get(code) if code else None,
                    "effect_description": change,
                    "effect_on": decided_on,
                    "answer": answer,
                },
            )

    for day, commune, visitors in PERMANENCES:
        held = visitors is not None
        event = _upsert_event(
            programme,
            items["opah"],
            {
                "title": f"Permanence OPAH-RU de {MONTHS[day.month - 1]} à {orgs[commune].name}",
                "starts_on": day,
                "format": F.OFFICE_HOURS,
                "status": EventStatus.HELD if held else EventStatus.PLANNED,
                "start_time": datetime.time(9, 30),
                "place": PLACES[commune],
                "facilitator": "Opérateur de suivi-animation de l'OPAH-RU",
                "target_public": "Propriétaires occupants et bailleurs",
                "attendance_count": visitors,
                "organiser": orgs["epci"],
            },
            [orgs[commune]],
            [operations[c] for c in ["PVD-02"] if c in operations],
            [themes[c] for c in ["habitat"] if c in themes],
            manager,
        )
        if held:
            owners = visitors - visitors // 3
            upsert(AttendanceProfile, event=event, profile=P.OWNERS, defaults={"count": owners})
            upsert(AttendanceProfile, event=event, profile=P.RESIDENTS, defaults={"count": visitors - owners})
