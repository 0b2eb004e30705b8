"""Revitalisation project rows for the tests and the access matrix, made on demand for one territory.

`write_version` fills a draft through the services; `freeze` validates it without going through the
référent's service (the matrix builds its rows before any persona exists); `project_rows(t)` gives the
matrix a validated version 1 and a draft version 2 with one axis and one objective.
"""

import datetime
from dataclasses import dataclass

from programmes.models import Axis, Objective, Programme, ProjectStatus, RevitalisationProject
from programmes.selectors.project import project_as_dict
from programmes.services import project as services
from tests.conftest import Territory
from tests.programmes.factories import theme


def write_version(
    programme: Programme, *, axes: int = 2, objectives: int = 2, vision: str = "Des bourgs vivants."
) -> RevitalisationProject:
    """A new draft version (a copy of the validated one, if any), given a vision, and `axes` axes of
    `objectives` objectives each, every one tied to a theme."""
    project = services.project_start(programme=programme, by=None)
    project = services.project_update(
        project=project, expected_version=project.version, by=None, title=project.title, vision=vision
    )
    for a in range(1, axes + 1):
        axis = services.axis_create(
            project=project, by=None, title=f"Axe écrit n° {a}", themes=[theme("habitat")]
        )
        for o in range(1, objectives + 1):
            services.objective_create(
                axis=axis, by=None, title=f"Objectif {a}.{o}", themes=[theme("commerce")]
            )
    project.refresh_from_db()
    return project


def freeze(
    project: RevitalisationProject, on: datetime.date = datetime.date(2023, 3, 14)
) -> RevitalisationProject:
    """Mark a draft validated with its snapshot, as the référent's service would (no référent needed)."""
    project.refresh_from_db()
    project.status = ProjectStatus.VALIDATED
    project.validated_on = on
    project.deliberation_reference = "Délibération n° 2023-041"
    project.snapshot = project_as_dict(project)
    project.save()
    return project


@dataclass
class ProjectRows:
    validated: RevitalisationProject
    draft: RevitalisationProject
    axis: Axis  # of the draft
    objective: Objective  # of the draft
    validated_axis: Axis


def project_rows(t: Territory) -> ProjectRows:
    """Version 1 validated, version 2 a draft: created once per test (cached on the territory object)."""
    rows = getattr(t, "_project_rows", None)
    if rows is None:
        validated = freeze(write_version(t.programme, axes=1, objectives=1))
        draft = write_version(t.programme, axes=0)  # copies version 1's axis and objective
        axis = draft.axes.get()
        rows = ProjectRows(validated, draft, axis, axis.objectives.get(), validated.axes.get())
        t._project_rows = rows  # type: ignore[attr-defined]
    return rows
