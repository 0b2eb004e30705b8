"""Demo data of the revitalisation project of Wassy and La Porte du Der (issue 3).

Version 1 was validated on 14 March 2023 by the élu référent of the time, after the deliberation of the
community council; version 2 is the draft the team reworks after the March 2026 elections, with a fifth axis
on the ecological transition. The content is illustrative, not the real project.

Stakes are picked from the database by theme (and commune), so the demo works whatever stakes the
strategy's demo creates, and without any. The demo référent account's mandate starts in 2026: version 1
records no `validated_by` user (its validator's mandate ended), only the date, the comment and the
deliberation.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from partners.models import Theme
from programmes.models import Axis, Objective, Programme, ProjectStatus, RevitalisationProject, Stake
from programmes.selectors.project import project_as_dict
from programmes.services import project as services
from pvd.models import StatusChange

# (title, description, theme codes, commune name or None for the stakes, objectives)
# objective: (title, description, theme codes, commune name or None)
AXES_V1 = [
    (
        "Habiter les cœurs de bourg",
        (
            "Redonner envie d'habiter les centres anciens de Wassy et de Montier-en-Der : logements vacants "
            "remis sur le marché, habitat dégradé traité, îlots requalifiés."
        ),
        ["habitat", "patrimoine"],
        [
            (
                "Remettre sur le marché les logements vacants des centres anciens",
                "Repérage, contact des propriétaires, aides de l'OPAH-RU et prime de sortie de vacance.",
                ["habitat"],
                None,
            ),
            (
                "Lutter contre l'habitat indigne et accompagner les propriétaires occupants modestes",
                "Signalements, visites, procédures coercitives si besoin ; accompagnement par l'opérateur.",
                ["habitat"],
                None,
            ),
            (
                "Requalifier les îlots dégradés prioritaires",
                "Étude de calibrage puis portage foncier avec l'EPF Grand Est sur deux îlots.",
                ["habitat", "espaces-publics"],
                None,
            ),
        ],
    ),
    (
        "Commerces et services de proximité",
        "Conforter l'offre commerciale et les services des deux centres-bourgs, pôles relais du SCoT.",
        ["commerce"],
        [
            (
                "Résorber la vacance commerciale de la rue principale de Wassy",
                "Linéaire commercial resserré, boutiques à l'essai, droit de préemption commercial.",
                ["commerce"],
                "Wassy",
            ),
            (
                "Conforter le marché et les commerces de bouche de Montier-en-Der",
                "Halle du marché, animation commerciale, signalétique.",
                ["commerce"],
                "La Porte du Der",
            ),
            (
                "Maintenir les services publics et l'offre de soins en centre-bourg",
                "France Services, maison de santé pluriprofessionnelle.",
                ["commerce", "transversal"],
                None,
            ),
        ],
    ),
    (
        "Espaces publics et mobilités",
        "Des places et des rues apaisées, un stationnement organisé, des liaisons douces vers les équipements.",
        ["espaces-publics", "mobilite"],
        [
            (
                "Requalifier les places et les entrées de bourg",
                "Place Notre-Dame à Wassy, abords de l'abbatiale à Montier-en-Der.",
                ["espaces-publics"],
                None,
            ),
            (
                "Organiser le stationnement et les liaisons douces vers les équipements",
                "Plan de stationnement, itinéraires cyclables vers les écoles et le collège.",
                ["mobilite"],
                None,
            ),
        ],
    ),
    (
        "Patrimoine et tourisme autour du lac du Der",
        "Faire du patrimoine des deux bourgs une étape pour les visiteurs du lac du Der.",
        ["patrimoine", "tourisme"],
        [
            (
                "Mettre en valeur le patrimoine bâti des centres anciens",
                "Ravalement de façades, signalétique patrimoniale, accompagnement du CAUE.",
                ["patrimoine"],
                None,
            ),
            (
                "Capter les visiteurs du lac du Der dans les centres-bourgs",
                "Liaison vélo lac – bourgs, hébergements, offre de restauration.",
                ["tourisme"],
                "La Porte du Der",
            ),
        ],
    ),
]

VISION_V1 = (
    "En 2030, Wassy et La Porte du Der sont deux pôles relais vivants du sud de l'agglomération : on y "
    "habite des logements rénovés au cœur des bourgs, on y trouve commerces et services du quotidien, on y "
    "circule à pied et à vélo dans des espaces publics accueillants.\n\n"
    "Le programme s'appuie sur leur patrimoine et sur la proximité du lac du Der pour attirer de nouveaux "
    "habitants et des visiteurs."
)

VISION_V2 = (
    VISION_V1 + "\n\nLa version 2 ajoute l'adaptation au changement climatique : sobriété énergétique des "
    "bâtiments, îlots de fraîcheur et désimperméabilisation des espaces publics."
)

# Axes of version 1 renamed in version 2: old title -> (new title, theme codes)
AXIS_V2_CHANGES = {
    "Habiter les cœurs de bourg": ("Habitat et cœurs de bourg", ["habitat", "patrimoine"]),
    "Patrimoine et tourisme autour du lac du Der": (
        "Patrimoine, culture, tourisme et lac du Der",
        ["patrimoine", "culture", "tourisme"],
    ),
}

OBJECTIVES_V2_ADDED = {
    "Patrimoine, culture, tourisme et lac du Der": (
        "Développer une programmation culturelle partagée entre les deux bourgs",
        "Saison culturelle commune, médiathèques, valorisation de l'histoire de Wassy.",
        ["culture"],
        None,
    ),
}

AXIS_V2_NEW = (
    "Transition écologique",
    "Adapter les bourgs au changement climatique et réduire leurs consommations d'énergie.",
    ["transition-ecologique"],
    [
        (
            "Désimperméabiliser et végétaliser les espaces publics",
            "Cours d'écoles, places et parkings : îlots de fraîcheur et gestion de l'eau à la parcelle.",
            ["transition-ecologique", "espaces-publics"],
            None,
        ),
        (
            "Réduire les consommations d'énergie des bâtiments publics",
            "Audit énergétique du patrimoine communal, plan de travaux, éclairage public.",
            ["transition-ecologique"],
            None,
        ),
        (
            "Accompagner la rénovation énergétique des logements anciens",
            "Articulation avec l'OPAH-RU et France Rénov', copropriétés des centres anciens.",
            ["habitat", "transition-ecologique"],
            None,
        ),
    ],
)

VALIDATED_ON = datetime.date(2023, 3, 14)
DELIBERATION = "Délibération du conseil communautaire n° 2023-041"


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _themes(codes: list[str]) -> list[Theme]:
    return list(Theme.objects.filter(code__in=codes).order_by("order", "pk"))


def _stakes(programme: Programme, codes: list[str], commune: str | None, limit: int) -> list[Stake]:
    """The programme's most important stakes of these themes (of the commune and common ones if given)."""
    stakes = Stake.objects.filter(programme=programme, theme__code__in=codes)
    if commune is not None:
        stakes = stakes.filter(Q(commune__name=commune) | Q(commune__isnull=True))
    return list(stakes.order_by("priority", "theme__order", "title", "pk")[:limit])


def _add_axis(project: RevitalisationProject, spec: tuple) -> Axis:
    title, description, codes, objectives = spec
    axis = services.axis_create(
        project=project,
        by=None,
        title=title,
        description=description,
        themes=_themes(codes),
        stakes=_stakes(project.programme, codes, None, limit=3),
    )
    for objective in objectives:
        _add_objective(axis, objective)
    return axis


def _add_objective(axis: Axis, spec: tuple) -> Objective:
    title, description, codes, commune = spec
    return services.objective_create(
        axis=axis,
        by=None,
        title=title,
        description=description,
        themes=_themes(codes),
        stakes=_stakes(axis.project.programme, codes, commune, limit=2),
    )


def _status_change(
    project: RevitalisationProject, source: str, target: str, at: datetime.datetime, comment: str
) -> None:
    change = StatusChange.objects.create(obj=project, source=source, target=target, comment=comment)
    StatusChange.objects.filter(pk=change.pk).update(at=at)  # `at` is auto_now_add: date it afterwards


def load_project(programme: Programme) -> None:
    """Version 1 validated in 2023 and version 2 in draft (idempotent: nothing if a version exists)."""
    if programme.projects.exists():
        return

    # Version 1: written, submitted and validated in 2022-2023. Built by the services, then frozen here:
    # the validation service asks for today's référent, and the 2023 one has left office.
    v1 = services.project_start(programme=programme, by=None)
    services.project_update(
        project=v1,
        expected_version=v1.version,
        by=None,
        title="Projet de revitalisation de Wassy et La Porte du Der",
        vision=VISION_V1,
    )
    for spec in AXES_V1:
        _add_axis(v1, spec)
    v1.refresh_from_db()
    v1.status = ProjectStatus.VALIDATED
    v1.submitted_at = _at(datetime.date(2023, 2, 20))
    v1.validated_on = VALIDATED_ON
    v1.validation_comment = (
        "Validé en comité de projet du 14 mars 2023 par l'élu référent (mandature 2020-2026), "
        "préalable à la signature de la convention-cadre valant ORT."
    )
    v1.deliberation_reference = DELIBERATION
    v1.snapshot = project_as_dict(v1)
    v1.version += 1
    v1.full_clean()
    v1.save()
    StatusChange.objects.filter(content_type__model="revitalisationproject", object_id=v1.pk).update(
        at=_at(datetime.date(2022, 11, 15))
    )
    _status_change(v1, ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, _at(datetime.date(2023, 2, 20)), "")
    _status_change(
        v1, ProjectStatus.SUBMITTED, ProjectStatus.VALIDATED, _at(VALIDATED_ON, 18), v1.validation_comment
    )

    # Version 2: reopened after the March 2026 elections; renamed axes, a cultural objective, a fifth axis.
    v2 = services.project_start(programme=programme, by=None)
    services.project_update(
        project=v2, expected_version=v2.version, by=None, title=v2.title, vision=VISION_V2
    )
    for axis in v2.axes.order_by("order", "pk"):
        title, codes = AXIS_V2_CHANGES.get(axis.title, (axis.title, None))
        if codes is not None:
            services.axis_update(
                axis=axis,
                expected_version=axis.version,
                by=None,
                title=title,
                description=axis.description,
                themes=_themes(codes),
                stakes=list(axis.stakes.all()),
            )
        if title in OBJECTIVES_V2_ADDED:
            axis.refresh_from_db()
            _add_objective(axis, OBJECTIVES_V2_ADDED[title])
    _add_axis(v2, AXIS_V2_NEW)
    StatusChange.objects.filter(content_type__model="revitalisationproject", object_id=v2.pk).update(
        at=_at(datetime.date(2026, 10, 5))
    )
