"""Demo of the communication part (issue 11): the press article launching the Wassy survey, a website article and
social posts, the DETR site panels of the place Notre-Dame (W-01) and of the place de l'Hôtel de Ville of
Montier-en-Der (LPD-01) crediting the State — their obligation is met —, a press visit of the maison de santé
(W-03, in works, DETR granted) that credits no financer and no site panel there — its DETR obligation is
**missing** on the financers' publicity page —, and the inauguration of the place Notre-Dame, planned.

Idempotent: an action is found by its programme and title, created once with its author (history and the
StatusChange of its status), and its links set (a second load writes nothing).
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType

from operations.models import CommunicationAction, Operation
from operations.participation.models import CommunicationStatus
from partners.models import CommunicationKind
from pvd.models import StatusChange

if TYPE_CHECKING:
    from partners.models import Organisation
    from programmes.models import Programme
    from pvd.accounts.models import User

D = datetime.date
K = CommunicationKind
S = CommunicationStatus
STATE = "Préfecture de la Haute-Marne"
REGION = "Région Grand Est"
DEPARTMENT = "Département de la Haute-Marne"


@dataclass(frozen=True)
class Action:
    kind: str
    title: str
    date: datetime.date
    status: str
    communes: tuple[str, ...]
    operations: tuple[str, ...] = ()
    funders: tuple[str, ...] = ()
    audience: str = ""
    message: str = ""
    reach: int | None = None
    proof_note: str = ""


ACTIONS = [
    Action(
        K.PRESS,
        "Lancement de l'enquête « Révéler Wassy » : donnez votre avis sur le centre-bourg",
        D(2026, 3, 9),
        S.DONE,
        ("wassy",),
        audience="Habitants de Wassy et des communes voisines",
        message="Questionnaire en ligne et en mairie jusqu'au 30 avril ; deux balades urbaines en mai.",
        reach=5200,
        proof_note="Journal de la Haute-Marne, édition du 9 mars 2026, page 7.",
    ),
    Action(
        K.WEBSITE,
        "Place Notre-Dame : la deuxième tranche de travaux commence",
        D(2026, 4, 14),
        S.DONE,
        ("wassy",),
        operations=("W-01",),
        funders=(STATE, REGION, DEPARTMENT),
        audience="Habitants, commerçants riverains",
        message="Calendrier des travaux, circulation et stationnement pendant la tranche 2.",
        reach=1850,
        proof_note="https://www.wassy.example/actualites/place-notre-dame-tranche-2",
    ),
    Action(
        K.SOCIAL,
        "Balades urbaines du 16 mai : inscrivez-vous",
        D(2026, 5, 2),
        S.DONE,
        ("wassy",),
        audience="Abonnés de la page de la commune",
        reach=2300,
    ),
    Action(
        K.SOCIAL,
        "Permanences OPAH-RU : chaque premier mardi du mois",
        D(2026, 9, 1),
        S.DONE,
        ("wassy", "la_porte_du_der"),
        operations=("PVD-02",),
        audience="Propriétaires occupants et bailleurs",
        reach=1400,
    ),
    Action(
        K.SIGNAGE,
        "Panneau de chantier de la place Notre-Dame",
        D(2024, 3, 4),
        S.DONE,
        ("wassy",),
        operations=("W-01",),
        funders=(STATE, REGION, DEPARTMENT),
        audience="Passants et riverains",
        message="Requalification de la place Notre-Dame — avec le soutien de l'État (DETR), de la Région et du "
        "Département.",
        proof_note="Photo du panneau jointe à la demande d'acompte DETR (T-2024-0187).",
    ),
    Action(
        K.SIGNAGE,
        "Panneau de chantier de la place de l'Hôtel de Ville",
        D(2024, 6, 3),
        S.DONE,
        ("la_porte_du_der",),
        operations=("LPD-01",),
        funders=(STATE, REGION, DEPARTMENT),
        audience="Passants et riverains",
        proof_note="Photo du panneau jointe à la demande d'acompte DETR (T-2024-0298).",
    ),
    Action(
        K.PRESS,
        "Visite de chantier de la maison de santé pluriprofessionnelle",
        D(2026, 6, 20),
        S.DONE,
        ("wassy",),
        operations=("W-03",),
        audience="Presse locale, professionnels de santé",
        reach=3100,
        proof_note="L'Affranchi de Chaumont, 24 juin 2026 (aucun financeur cité).",
    ),
    Action(
        K.INAUGURATION,
        "Inauguration de la place Notre-Dame",
        D(2027, 4, 10),
        S.PLANNED,
        ("wassy",),
        operations=("W-01",),
        funders=(STATE, REGION, DEPARTMENT),
        audience="Habitants, financeurs, entreprises du chantier",
        message="Discours du maire, du sous-préfet et des élus de la Région et du Département.",
    ),
]


def load(programme: "Programme", orgs: dict[str, "Organisation"], users: dict[str, "User"]) -> None:
    author = users["cheffe-de-projet"]
    operations = {op.code: op for op in Operation.objects.filter(programme=programme)}
    content_type = ContentType.objects.get_for_model(CommunicationAction)
    for spec in ACTIONS:
        action = CommunicationAction.objects.filter(programme=programme, title=spec.title).first()
        if action is None:
            action = CommunicationAction(
                programme=programme,
                title=spec.title,
                kind=spec.kind,
                date=spec.date,
                status=spec.status,
                audience=spec.audience,
                message=spec.message,
                reach=spec.reach,
                proof_note=spec.proof_note,
            )
            action.full_clean()
            action._history_user = author  # type: ignore[attr-defined]  # read by django-simple-history
            action.save()
        action.operations.set([operations[code] for code in spec.operations if code in operations])
        action.communes.set([orgs[key] for key in spec.communes])
        action.funders_credited.set([orgs[name] for name in spec.funders])
        chain = [("", S.PLANNED, "Action enregistrée.")]
        if spec.status != S.PLANNED:
            chain.append((S.PLANNED, spec.status, ""))
        for source, target, comment in chain:
            StatusChange.objects.get_or_create(
                content_type=content_type,
                object_id=action.pk,
                source=source,
                target=target,
                defaults={"by": author, "comment": comment},
            )
