"""Demo of the network and capitalisation part (issue 11): three network meetings attended with their notes (a Club
PVD Grand Est meeting, an ANCT webinar, a departmental meeting in Chaumont) and three good-practice sheets written
from demo operations — the diagnostic walks of the place Notre-Dame (published), the OPAH-RU office hours
(published) and the heritage signage of Montier-en-Der (draft). Idempotent (upsert on natural keys). PDFs are not
rendered here: the first request renders them."""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType

from operations.models import NetworkEvent, Operation, PracticeSheet
from operations.participation.models import NetworkEventKind, SheetStatus
from partners.models import Theme
from pvd.models import StatusChange
from pvd.upsert import upsert

if TYPE_CHECKING:
    from partners.models import Organisation
    from programmes.models import Programme
    from pvd.accounts.models import User

D = datetime.date

# (title, kind, date, organiser key, place, url, attendees, themes, notes, takeaways)
NETWORK_EVENTS = [
    (
        "Club PVD Grand Est : revitaliser le commerce de centre-bourg",
        NetworkEventKind.CLUB_PVD,
        D(2026, 6, 5),
        "Agence nationale de la cohésion des territoires (ANCT)",
        "Bar-le-Duc",
        "",
        "Cheffe de projet PVD, manager de centre-ville",
        ["commerce"],
        (
            "Retours de Commercy et de Ligny-en-Barrois sur les boutiques à l'essai : bail précaire d'un an, loyer "
            "progressif, accompagnement par la CCI. Intervention de la Banque des Territoires sur les foncières "
            "de redynamisation commerciale."
        ),
        (
            "Proposer une boutique à l'essai rue principale à Wassy (opération W-08) ; contacter la CCI pour "
            "l'accompagnement des porteurs de projet."
        ),
    ),
    (
        "Webinaire ANCT : associer les habitants à un projet d'espace public",
        NetworkEventKind.WEBINAR,
        D(2026, 3, 19),
        "Agence nationale de la cohésion des territoires (ANCT)",
        "En ligne",
        "https://agence-cohesion-territoires.gouv.fr",
        "Cheffe de projet PVD",
        ["espaces-publics", "participation"],
        (
            "Méthodes de diagnostic en marchant, questionnaires courts, restitution publique des choix. "
            "Témoignage d'une commune de l'Orne sur la place du marché."
        ),
        (
            "Organiser deux balades urbaines avant l'avant-projet de la place Notre-Dame ; restituer les choix "
            "aux participants."
        ),
    ),
    (
        "Rencontre départementale des Petites villes de demain",
        NetworkEventKind.REGIONAL,
        D(2026, 10, 8),
        "Préfecture de la Haute-Marne",
        "Chaumont, préfecture",
        "",
        "Cheffe de projet PVD, élu référent",
        ["habitat", "transversal"],
        (
            "Point d'étape du programme dans le département ; présentation du permis de louer à Langres ; "
            "calendrier des appels à projets du Fonds vert et de la DETR 2027."
        ),
        "Étudier le permis de louer dans le périmètre de l'OPAH-RU ; déposer les dossiers DETR avant fin janvier.",
    ),
]

# (slug, operation code, status, published_on, title, summary, context, actions, cost, funding, results,
#  difficulties, lessons, contact key, contact service, themes, communes)
SHEETS = [
    (
        "diagnostic-en-marchant-place-notre-dame-wassy",
        "W-01",
        SheetStatus.PUBLISHED,
        D(2026, 9, 15),
        "Un diagnostic en marchant pour redessiner la place Notre-Dame",
        (
            "Deux balades urbaines et un questionnaire ont changé le programme de la place avant l'avant-projet : "
            "moins de stationnement longue durée, plus d'ombre et des places minute pour les commerces."
        ),
        (
            "Place centrale de Wassy, dominée par le stationnement, bordée de commerces et de l'église Notre-Dame. "
            "La commune voulait un projet partagé avant de lancer la maîtrise d'œuvre."
        ),
        (
            "Deux balades urbaines un samedi matin et un mardi soir (62 participants), un questionnaire en ligne "
            "et papier (214 réponses), une restitution publique des choix et un compte rendu diffusé en mairie."
        ),
        Decimal("4500.00"),
        (
            "Animation assurée par le CAUE de la Haute-Marne dans le cadre de sa mission de conseil ; impressions "
            "et collation financées par la commune."
        ),
        (
            "Six places minute ajoutées, un alignement d'arbres au sud de la place, le marché du jeudi maintenu sur "
            "la place pendant les travaux."
        ),
        "Peu de jeunes parmi les participants ; les commerçants sont venus surtout à la seconde balade.",
        (
            "Marcher avec les habitants avant de dessiner : les observations de terrain sont plus précises que les "
            "réunions en salle. Prévoir un horaire en soirée pour les actifs et restituer rapidement les choix."
        ),
        "wassy",
        "Service urbanisme de la mairie",
        ["espaces-publics", "participation"],
        ["wassy"],
    ),
    (
        "permanences-opah-ru-centres-bourgs",
        "PVD-02",
        SheetStatus.PUBLISHED,
        D(2026, 10, 20),
        "Des permanences OPAH-RU en mairie pour aller vers les propriétaires",
        (
            "Une permanence mensuelle dans chaque bourg a fait venir des propriétaires que les courriers et le site "
            "internet n'atteignaient pas."
        ),
        (
            "Centres-bourgs anciens de Wassy et de Montier-en-Der, beaucoup de logements vacants ou dégradés, des "
            "propriétaires âgés et peu connectés."
        ),
        (
            "Une permanence le premier mardi du mois à Wassy et le troisième à Montier-en-Der, tenue par "
            "l'opérateur de suivi-animation ; annonces dans le bulletin municipal, chez les commerçants et par "
            "courrier aux propriétaires de logements vacants."
        ),
        Decimal("18000.00"),
        "Part de la mission de suivi-animation de l'OPAH-RU, financée par l'Anah et l'intercommunalité.",
        (
            "Quarante-trois contacts en un an, dont dix-neuf dossiers déposés ; la moitié des contacts venus par le "
            "bouche-à-oreille des commerçants."
        ),
        "Des permanences peu fréquentées l'été ; des rendez-vous à domicile nécessaires pour les plus âgés.",
        (
            "Tenir les permanences en mairie, toujours au même créneau, et les faire annoncer par les commerçants. "
            "Compléter par des visites à domicile pour les propriétaires âgés."
        ),
        "epci",
        "Service habitat de l'agglomération",
        ["habitat"],
        ["wassy", "la_porte_du_der"],
    ),
    (
        "signaletique-patrimoniale-montier-en-der",
        "LPD-08",
        SheetStatus.DRAFT,
        None,
        "Une signalétique patrimoniale conçue avec l'office de tourisme",
        "Douze panneaux et un parcours balisé relient l'abbatiale, le haras et les commerces du centre-bourg.",
        (
            "Un patrimoine riche mais peu visible depuis les axes de passage ; des visiteurs du lac du Der qui ne "
            "s'arrêtent pas dans le bourg."
        ),
        (
            "Conception des contenus avec l'office de tourisme et une association d'histoire locale, pose de douze "
            "panneaux et d'un marquage au sol."
        ),
        Decimal("65000.00"),
        "DETR 40 %, Région Grand Est 20 %, commune 40 %.",
        "",
        "Les délais de validation de l'architecte des Bâtiments de France ont retardé la pose de trois mois.",
        "",
        "la_porte_du_der",
        "Secrétariat général de la mairie",
        ["patrimoine", "tourisme"],
        ["la_porte_du_der"],
    ),
]


def _organisation(orgs: dict[str, "Organisation"], key: str) -> "Organisation | None":
    return orgs.get(key)


def load(programme: "Programme", orgs: dict[str, "Organisation"], users: dict[str, "User"]) -> None:
    themes = {theme.code: theme for theme in Theme.objects.all()}
    for title, kind, date, organiser, place, url, attendees, codes, notes, takeaways in NETWORK_EVENTS:
        event, _ = upsert(
            NetworkEvent,
            {
                "kind": kind,
                "date": date,
                "organiser": _organisation(orgs, organiser),
                "place": place,
                "url": url,
                "attendees": attendees,
                "notes": notes,
                "takeaways": takeaways,
            },
            programme=programme,
            title=title,
        )
        event.themes.set([themes[c] for c in codes if c in themes])

    manager = users.get("cheffe-de-projet")
    sheet_type = ContentType.objects.get_for_model(PracticeSheet)
    for (
        slug,
        code,
        status,
        published_on,
        title,
        summary,
        context,
        actions,
        cost,
        funding,
        results,
        difficulties,
        lessons,
        contact,
        service,
        codes,
        communes,
    ) in SHEETS:
        sheet, _ = upsert(
            PracticeSheet,
            {
                "programme": programme,
                "operation": Operation.objects.filter(programme=programme, code=code).first(),
                "title": title,
                "summary": summary,
                "context": context,
                "actions": actions,
                "cost_ht": cost,
                "funding": funding,
                "results": results,
                "difficulties": difficulties,
                "lessons": lessons,
                "contact_organisation": _organisation(orgs, contact),
                "contact_service": service,
                "status": status,
                "published_on": published_on,
            },
            slug=slug,
        )
        sheet.themes.set([themes[c] for c in codes if c in themes])
        sheet.communes.set([orgs[c] for c in communes])
        if status == SheetStatus.PUBLISHED:
            # The publication, as the service records it (once: the demo may be loaded twice).
            StatusChange.objects.get_or_create(
                content_type=sheet_type,
                object_id=sheet.pk,
                target=SheetStatus.PUBLISHED,
                defaults={
                    "source": SheetStatus.DRAFT,
                    "by": manager,
                    "comment": f"Publiée le {published_on:%d/%m/%Y}.",
                },
            )
