"""The revitalisation project: its versions, axes and objectives, and the validation workflow.

    draft ──submit──▶ submitted ──validate (élu référent)──▶ validated ──(a later version validated)──▶ superseded
      ▲                   │
      └───return (élu référent, with a comment)

Only a draft is edited. A validated version is frozen: its `snapshot` keeps the content as validated and
every edit is refused; later changes go into a new version (`project_start`), which starts as a copy of the
validated one. Every transition writes a `StatusChange` row in the same transaction. Who may do what is
asked to the access policy here too, not only in the views: a service is also called from the shell.
"""

import datetime
from collections.abc import Iterable
from typing import Literal

from django.db import transaction
from django.db.models import Max, prefetch_related_objects
from django.utils import timezone

from partners.models import Theme
from programmes.models import Axis, Objective, Programme, ProjectStatus, RevitalisationProject, Stake
from programmes.selectors.project import content_prefetches, project_as_dict
from programmes.services.errors import StrategyError
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.concurrency import StaleObjectError, save_versioned
from pvd.models import StatusChange

FROZEN_MESSAGE = "Une version validée ne se modifie pas : créez une nouvelle version."
SUBMITTED_MESSAGE = (
    "Cette version est soumise à l'élu référent : elle ne se modifie plus, sauf s'il la renvoie en brouillon."
)

# Allowed source statuses of each target status (STYLE.md §11).
TRANSITIONS: dict[str, set[str]] = {
    ProjectStatus.SUBMITTED: {ProjectStatus.DRAFT},
    ProjectStatus.DRAFT: {ProjectStatus.SUBMITTED},  # sent back by the référent
    ProjectStatus.VALIDATED: {ProjectStatus.SUBMITTED},
    ProjectStatus.SUPERSEDED: {ProjectStatus.VALIDATED},
}

Direction = Literal["up", "down"]


# --- Helpers -------------------------------------------------------------------------------------------


def _record(
    project: RevitalisationProject, source: str, target: str, by: User | None, comment: str = ""
) -> None:
    StatusChange.objects.create(obj=project, source=source, target=target, by=by, comment=comment)


def _check_transition(project: RevitalisationProject, target: str) -> None:
    if project.status not in TRANSITIONS[target]:
        raise StrategyError(
            f"La version {project.number} est « {project.get_status_display()} » : "
            f"elle ne peut pas passer à « {ProjectStatus(target).label} »."
        )


def _check_version(project: RevitalisationProject, expected_version: int) -> None:
    if project.version != expected_version:
        raise StaleObjectError(
            f"La version {project.number} du projet a changé pendant votre saisie "
            f"(elle est maintenant « {project.get_status_display()} »). Rechargez la page."
        )


def _locked(project: RevitalisationProject) -> RevitalisationProject:
    """The project row, locked until the end of the transaction: edits and transitions of one version
    are serialised, so an axis cannot be added while the version is being submitted."""
    return RevitalisationProject.objects.select_for_update().select_related("programme").get(pk=project.pk)


def refusal_message(project: RevitalisationProject) -> str:
    """Why a version that is not a draft cannot be edited."""
    return SUBMITTED_MESSAGE if project.status == ProjectStatus.SUBMITTED else FROZEN_MESSAGE


def _require_draft(project: RevitalisationProject) -> None:
    if project.status != ProjectStatus.DRAFT:
        raise StrategyError(refusal_message(project))


def _check_stakes(project: RevitalisationProject, stakes: Iterable[Stake]) -> None:
    foreign = [stake for stake in stakes if stake.programme_id != project.programme_id]
    if foreign:
        raise StrategyError(
            f"L'enjeu « {foreign[0]} » appartient à un autre programme : il ne peut pas être rattaché ici."
        )


def _set_links(obj: Axis | Objective, themes: Iterable[Theme], stakes: Iterable[Stake]) -> None:
    """Replace the themes and stakes, touching (and recording in the history) only what changed."""
    for manager, wanted in ((obj.themes, list(themes)), (obj.stakes, list(stakes))):
        if {item.pk for item in manager.all()} != {item.pk for item in wanted}:
            manager.set(wanted)


def _renumber(items: list[Axis] | list[Objective], by: User | None) -> None:
    """Orders 1, 2, 3… in the list's order; saves only the rows whose order changes."""
    for position, item in enumerate(items, start=1):
        if item.order != position:
            item.order = position
            item._history_user = by  # type: ignore[union-attr]
            item.save(update_fields=["order"])


def _move(items: list, item: Axis | Objective, direction: Direction, by: User | None) -> None:
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        return  # already first (or last): nothing to do
    items[index], items[target] = items[target], items[index]
    _renumber(items, by)


# --- Versions ------------------------------------------------------------------------------------------


@transaction.atomic
def project_start(*, programme: Programme, by: User | None) -> RevitalisationProject:
    """Open a new draft version: version 1, or version N+1 copying the validated version's title, vision,
    axes and objectives with their themes and stakes. Refused while a version is a draft or submitted."""
    Programme.objects.select_for_update().get(pk=programme.pk)  # serialise two simultaneous starts
    versions = list(programme.projects.order_by("-number"))
    open_version = next(
        (v for v in versions if v.status in {ProjectStatus.DRAFT, ProjectStatus.SUBMITTED}), None
    )
    if open_version is not None:
        raise StrategyError(
            f"La version {open_version.number} du projet est déjà en cours "
            f"(« {open_version.get_status_display()} ») : poursuivez-la plutôt que d'en ouvrir une autre."
        )
    source = next((v for v in versions if v.status == ProjectStatus.VALIDATED), None)
    number = versions[0].number + 1 if versions else 1
    project = RevitalisationProject(programme=programme, number=number)
    if source is not None:
        project.title, project.vision = source.title, source.vision
    project.full_clean()
    project._history_user = by  # type: ignore[attr-defined]
    project.save()
    if source is not None:
        _copy_content(source, project, by)
        comment = f"Version {number} ouverte à partir de la version {source.number} validée."
    else:
        comment = "Première version du projet."
    _record(project, "", ProjectStatus.DRAFT, by, comment)
    return project


def _copy_content(source: RevitalisationProject, target: RevitalisationProject, by: User | None) -> None:
    prefetch_related_objects([source], *content_prefetches())
    for axis in source.axes.all():
        new_axis = Axis(project=target, order=axis.order, title=axis.title, description=axis.description)
        new_axis._history_user = by  # type: ignore[attr-defined]
        new_axis.save()
        _set_links(new_axis, axis.themes.all(), axis.stakes.all())
        for objective in axis.objectives.all():
            new_objective = Objective(
                axis=new_axis, order=objective.order, title=objective.title, description=objective.description
            )
            new_objective._history_user = by  # type: ignore[attr-defined]
            new_objective.save()
            _set_links(new_objective, objective.themes.all(), objective.stakes.all())


@transaction.atomic
def project_update(
    *, project: RevitalisationProject, expected_version: int, by: User | None, title: str, vision: str
) -> RevitalisationProject:
    """Change a draft's title and vision (optimistic locking: StaleObjectError if saved meanwhile)."""
    current = _locked(project)
    _require_draft(current)
    return save_versioned(
        current, expected_version=expected_version, by=by, changes={"title": title, "vision": vision}
    )


@transaction.atomic
def project_submit(
    *, project: RevitalisationProject, expected_version: int, by: User
) -> RevitalisationProject:
    """Draft → submitted, by the programme's team; the version needs a vision and at least one axis."""
    current = _locked(project)
    policy.require(
        policy.can_edit_strategy(by, current.programme),
        "Seule l'équipe projet du programme soumet le projet à l'élu référent.",
    )
    _check_version(current, expected_version)
    _check_transition(current, ProjectStatus.SUBMITTED)
    if not current.vision.strip():
        raise StrategyError("Rédigez la vision du projet avant de le soumettre à validation.")
    if not current.axes.exists():
        raise StrategyError("Le projet doit comporter au moins un axe stratégique avant d'être soumis.")
    source = current.status
    current = save_versioned(
        current,
        expected_version=expected_version,
        by=by,
        changes={"status": ProjectStatus.SUBMITTED, "submitted_at": timezone.now(), "submitted_by": by},
    )
    _record(current, source, current.status, by)
    return current


@transaction.atomic
def project_return(
    *, project: RevitalisationProject, expected_version: int, by: User, comment: str
) -> RevitalisationProject:
    """Submitted → draft: the élu référent sends the version back to the team, saying why."""
    current = _locked(project)
    policy.require(
        policy.can_validate_project(by, current.programme),
        "Seul l'élu référent du programme peut renvoyer le projet en brouillon.",
    )
    _check_version(current, expected_version)
    _check_transition(current, ProjectStatus.DRAFT)
    if not comment.strip():
        raise StrategyError(
            "Indiquez à l'équipe projet ce qui doit être revu : le commentaire est obligatoire."
        )
    source = current.status
    current = save_versioned(
        current,
        expected_version=expected_version,
        by=by,
        changes={"status": ProjectStatus.DRAFT, "submitted_at": None, "submitted_by": None},
    )
    _record(current, source, current.status, by, comment.strip())
    return current


@transaction.atomic
def project_validate(
    *,
    project: RevitalisationProject,
    expected_version: int,
    by: User,
    on: datetime.date,
    comment: str = "",
    deliberation_reference: str = "",
) -> RevitalisationProject:
    """Submitted → validated by the programme's élu référent, on `on`: freezes the content in `snapshot`
    and marks the previously validated version superseded (first, so the "one validated version"
    constraint holds at every statement), all in one transaction."""
    current = _locked(project)
    policy.require(
        policy.can_validate_project(by, current.programme),
        "Seul l'élu référent du programme peut valider le projet.",
    )
    _check_version(current, expected_version)
    _check_transition(current, ProjectStatus.VALIDATED)
    if current.submitted_at is not None and on < timezone.localdate(current.submitted_at):
        raise StrategyError(
            f"La date de validation ne peut pas précéder la soumission "
            f"(le {timezone.localdate(current.submitted_at):%d/%m/%Y})."
        )
    previous = (
        RevitalisationProject.objects.select_for_update()
        .filter(programme_id=current.programme_id, status=ProjectStatus.VALIDATED)
        .first()
    )
    if previous is not None:
        _check_transition(previous, ProjectStatus.SUPERSEDED)
        save_versioned(
            previous, expected_version=previous.version, by=by, changes={"status": ProjectStatus.SUPERSEDED}
        )
        _record(
            previous,
            ProjectStatus.VALIDATED,
            ProjectStatus.SUPERSEDED,
            by,
            f"Remplacée par la version {current.number}, validée le {on:%d/%m/%Y}.",
        )
    snapshot = project_as_dict(current)
    current = save_versioned(
        current,
        expected_version=expected_version,
        by=by,
        changes={
            "status": ProjectStatus.VALIDATED,
            "validated_on": on,
            "validated_by": by,
            "validation_comment": comment.strip(),
            "deliberation_reference": deliberation_reference.strip(),
            "snapshot": snapshot,
        },
    )
    _record(current, ProjectStatus.SUBMITTED, ProjectStatus.VALIDATED, by, comment.strip())
    return current


# --- Axes ----------------------------------------------------------------------------------------------


@transaction.atomic
def axis_create(
    *,
    project: RevitalisationProject,
    by: User | None,
    title: str,
    description: str = "",
    themes: Iterable[Theme] = (),
    stakes: Iterable[Stake] = (),
) -> Axis:
    """Add an axis at the end of a draft version."""
    current = _locked(project)
    _require_draft(current)
    stakes = list(stakes)
    _check_stakes(current, stakes)
    last = current.axes.aggregate(last=Max("order"))["last"] or 0
    axis = Axis(project=current, order=last + 1, title=title, description=description)
    axis.full_clean()
    axis._history_user = by  # type: ignore[attr-defined]
    axis.save()
    _set_links(axis, themes, stakes)
    return axis


@transaction.atomic
def axis_update(
    *,
    axis: Axis,
    expected_version: int,
    by: User | None,
    title: str,
    description: str,
    themes: Iterable[Theme],
    stakes: Iterable[Stake],
) -> Axis:
    current = _locked(axis.project)
    _require_draft(current)
    stakes = list(stakes)
    _check_stakes(current, stakes)
    axis = save_versioned(
        axis, expected_version=expected_version, by=by, changes={"title": title, "description": description}
    )
    _set_links(axis, themes, stakes)
    return axis


@transaction.atomic
def axis_delete(*, axis: Axis, by: User | None) -> None:
    """Delete a draft's axis with its objectives; the following axes move up."""
    current = _locked(axis.project)
    _require_draft(current)
    axis._history_user = by  # type: ignore[attr-defined]
    for objective in axis.objectives.all():
        objective._history_user = by  # type: ignore[attr-defined]
        objective.delete()
    axis.delete()
    _renumber(list(current.axes.order_by("order", "pk")), by)


@transaction.atomic
def axis_move(*, axis: Axis, by: User | None, direction: Direction) -> None:
    """Swap the axis with the one before (up) or after (down) it."""
    current = _locked(axis.project)
    _require_draft(current)
    _move(list(current.axes.order_by("order", "pk")), axis, direction, by)


# --- Objectives ----------------------------------------------------------------------------------------


@transaction.atomic
def objective_create(
    *,
    axis: Axis,
    by: User | None,
    title: str,
    description: str = "",
    themes: Iterable[Theme] = (),
    stakes: Iterable[Stake] = (),
) -> Objective:
    """Add an operational objective at the end of a draft's axis."""
    current = _locked(axis.project)
    _require_draft(current)
    stakes = list(stakes)
    _check_stakes(current, stakes)
    last = axis.objectives.aggregate(last=Max("order"))["last"] or 0
    objective = Objective(axis=axis, order=last + 1, title=title, description=description)
    objective.full_clean()
    objective._history_user = by  # type: ignore[attr-defined]
    objective.save()
    _set_links(objective, themes, stakes)
    return objective


@transaction.atomic
def objective_update(
    *,
    objective: Objective,
    expected_version: int,
    by: User | None,
    title: str,
    description: str,
    themes: Iterable[Theme],
    stakes: Iterable[Stake],
) -> Objective:
    current = _locked(objective.axis.project)
    _require_draft(current)
    stakes = list(stakes)
    _check_stakes(current, stakes)
    objective = save_versioned(
        objective,
        expected_version=expected_version,
        by=by,
        changes={"title": title, "description": description},
    )
    _set_links(objective, themes, stakes)
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective, by: User | None) -> None:
    axis = objective.axis
    current = _locked(axis.project)
    _require_draft(current)
    objective._history_user = by  # type: ignore[attr-defined]
    objective.delete()
    _renumber(list(axis.objectives.order_by("order", "pk")), by)


@transaction.atomic
def objective_move(*, objective: Objective, by: User | None, direction: Direction) -> None:
    """Swap the objective with its neighbour within its axis."""
    axis = objective.axis
    current = _locked(axis.project)
    _require_draft(current)
    _move(list(axis.objectives.order_by("order", "pk")), objective, direction, by)
