"""Page-shaped reads of the revitalisation project and of the strategy overview.

A version's content is read as one plain dict (`project_as_dict`): the same shape is frozen into a validated
version's `snapshot`, rendered for a draft, and compared by `diff_versions`. A validated (or superseded)
version is always shown from its snapshot, never from the live rows: a stake renamed or deleted later does
not change what the élu référent validated.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from django.urls import Resolver404, resolve

from partners.models import Theme
from programmes.models import (
    Axis,
    EngineeringNeed,
    Objective,
    Programme,
    ProjectStatus,
    RevitalisationProject,
    Stake,
    StrategicDocument,
)
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.models import StatusChange

FROZEN_STATUSES = frozenset({ProjectStatus.VALIDATED, ProjectStatus.SUPERSEDED})


# --- Versions and their content ------------------------------------------------------------------------


def _themes() -> Prefetch:
    return Prefetch("themes", queryset=Theme.objects.order_by("order", "pk"))


def _stakes() -> Prefetch:
    return Prefetch("stakes", queryset=Stake.objects.order_by("priority", "theme__order", "title", "pk"))


def content_prefetches() -> list[Prefetch]:
    """Axes → objectives → themes and stakes: six queries whatever the number of axes and objectives."""
    objectives = Objective.objects.order_by("order", "pk").prefetch_related(_themes(), _stakes())
    axes = Axis.objects.order_by("order", "pk").prefetch_related(
        _themes(), _stakes(), Prefetch("objectives", queryset=objectives)
    )
    return [Prefetch("axes", queryset=axes)]


def project_versions(user: User, programme: Programme) -> list[RevitalisationProject]:
    """Every version of the programme's project the user may read, newest first, with who submitted and
    validated it."""
    return list(
        policy.visible_to(RevitalisationProject.objects.filter(programme=programme), user)
        .select_related("submitted_by", "validated_by")
        .order_by("-number", "-pk")
    )


def _names(items: QuerySet) -> list[str]:
    return [str(item) for item in items.all()]


def project_as_dict(project: RevitalisationProject) -> dict[str, object]:
    """The version's content as plain JSON-able data: title, vision, axes in order with their objectives,
    and the names of their themes and the titles of their stakes.

    Prefetches what it reads if the caller has not (six queries); `id`s let a draft's page link to its
    rows, and are ignored by the diff.
    """
    prefetch_related_objects([project], *content_prefetches())
    return {
        "number": project.number,
        "title": project.title,
        "vision": project.vision,
        "axes": [
            {
                "id": axis.pk,
                "order": axis.order,
                "title": axis.title,
                "description": axis.description,
                "themes": _names(axis.themes),
                "stakes": _names(axis.stakes),
                "objectives": [
                    {
                        "id": objective.pk,
                        "order": objective.order,
                        "title": objective.title,
                        "description": objective.description,
                        "themes": _names(objective.themes),
                        "stakes": _names(objective.stakes),
                    }
                    for objective in axis.objectives.all()
                ],
            }
            for axis in project.axes.all()
        ],
    }


def project_content(project: RevitalisationProject) -> dict[str, object]:
    """What a page shows of a version: the frozen snapshot once validated, the live rows before."""
    if project.status in FROZEN_STATUSES and project.snapshot is not None:
        return project.snapshot
    return project_as_dict(project)


def status_changes(projects: list[RevitalisationProject]) -> list[StatusChange]:
    """The transitions of these versions, newest first, with who made them (one query)."""
    numbers = {project.pk: project.number for project in projects}
    changes = list(
        StatusChange.objects.filter(
            content_type__app_label="programmes",
            content_type__model="revitalisationproject",
            object_id__in=list(numbers),
        )
        .select_related("by")
        .order_by("-at", "-pk")
    )
    labels = dict(ProjectStatus.choices)
    for change in changes:
        change.number = numbers[change.object_id]  # type: ignore[attr-defined]
        change.source_label = labels.get(change.source, "—") if change.source else "—"  # type: ignore[attr-defined]
        change.target_label = labels.get(change.target, change.target)  # type: ignore[attr-defined]
    return changes


def version_by_number(versions: list[RevitalisationProject], number: int) -> RevitalisationProject:
    for version in versions:
        if version.number == number:
            return version
    raise Http404("Cette version du projet n'existe pas.")


def version_in_force(versions: list[RevitalisationProject]) -> RevitalisationProject | None:
    """The validated version if there is one, else the latest version (a first draft), else None."""
    validated = next((v for v in versions if v.status == ProjectStatus.VALIDATED), None)
    return validated or (versions[0] if versions else None)


# --- Diff between two versions -------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ItemDiff:
    """One axis or objective across two versions: added, removed, renamed, changed or unchanged."""

    kind: str  # "added" | "removed" | "renamed" | "changed" | "unchanged"
    old: dict | None
    new: dict | None
    changes: list[FieldChange] = field(default_factory=list)
    objectives: list["ItemDiff"] = field(default_factory=list)

    KIND_LABELS = {
        "added": "Ajouté",
        "removed": "Supprimé",
        "renamed": "Renommé",
        "changed": "Modifié",
        "unchanged": "Inchangé",
    }

    @property
    def label(self) -> str:
        return self.KIND_LABELS[self.kind]

    @property
    def title(self) -> str:
        return (self.new or self.old or {}).get("title", "")


@dataclass
class ProjectDiff:
    old_number: int
    new_number: int
    title: FieldChange | None
    vision: FieldChange | None
    axes: list[ItemDiff]

    @property
    def is_empty(self) -> bool:
        return self.title is None and self.vision is None and all(a.kind == "unchanged" for a in self.axes)

    def _count(self, kind: str) -> int:
        return sum(1 for axis in self.axes if axis.kind == kind)

    @property
    def added_count(self) -> int:
        return self._count("added")

    @property
    def removed_count(self) -> int:
        return self._count("removed")

    @property
    def renamed_count(self) -> int:
        return self._count("renamed")

    @property
    def changed_count(self) -> int:
        return self._count("changed")


def _join(values: list[str]) -> str:
    return ", ".join(values) or "—"


def _field_changes(old: dict, new: dict) -> list[FieldChange]:
    changes = []
    if old["title"] != new["title"]:
        changes.append(FieldChange("Intitulé", old["title"], new["title"]))
    if old.get("description", "") != new.get("description", ""):
        changes.append(
            FieldChange("Description", old.get("description") or "—", new.get("description") or "—")
        )
    if sorted(old.get("themes", [])) != sorted(new.get("themes", [])):
        changes.append(FieldChange("Thèmes", _join(old.get("themes", [])), _join(new.get("themes", []))))
    if sorted(old.get("stakes", [])) != sorted(new.get("stakes", [])):
        changes.append(
            FieldChange("Enjeux traités", _join(old.get("stakes", [])), _join(new.get("stakes", [])))
        )
    return changes


def _pair(old_items: list[dict], new_items: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Match items across versions: same title first; then, among the rest, same position (a rename);
    what is left was removed or added. Versions copy their rows, so there is no shared id to follow."""
    pairs: list[tuple[dict | None, dict | None]] = []
    unmatched_new = list(new_items)
    unmatched_old = []
    for old in old_items:
        match = next((n for n in unmatched_new if n["title"].strip() == old["title"].strip()), None)
        if match is None:
            unmatched_old.append(old)
        else:
            unmatched_new.remove(match)
            pairs.append((old, match))
    for old in list(unmatched_old):
        match = next((n for n in unmatched_new if n["order"] == old["order"]), None)
        if match is not None:
            unmatched_old.remove(old)
            unmatched_new.remove(match)
            pairs.append((old, match))
    pairs += [(old, None) for old in unmatched_old]
    pairs += [(None, new) for new in unmatched_new]
    # Show in the new version's order, removed items where they were in the old one.
    return sorted(pairs, key=lambda p: ((p[1] or p[0])["order"], p[1] is not None))  # type: ignore[index]


def _item_diff(old: dict | None, new: dict | None, with_objectives: bool) -> ItemDiff:
    if old is None:
        return ItemDiff("added", None, new)
    if new is None:
        return ItemDiff("removed", old, None)
    changes = _field_changes(old, new)
    objectives = []
    if with_objectives:
        objectives = [
            _item_diff(o, n, with_objectives=False)
            for o, n in _pair(old.get("objectives", []), new.get("objectives", []))
        ]
    if old["title"] != new["title"]:
        kind = "renamed"
    elif changes or any(o.kind != "unchanged" for o in objectives):
        kind = "changed"
    else:
        kind = "unchanged"
    return ItemDiff(kind, old, new, changes, objectives)


def diff_versions(a: dict, b: dict) -> ProjectDiff:
    """What changed from version `a` to version `b` (two `project_as_dict` / snapshot dicts)."""
    title = FieldChange("Titre", a["title"], b["title"]) if a["title"] != b["title"] else None
    vision = FieldChange("Vision", a["vision"], b["vision"]) if a["vision"] != b["vision"] else None
    axes = [_item_diff(o, n, with_objectives=True) for o, n in _pair(a["axes"], b["axes"])]
    return ProjectDiff(a["number"], b["number"], title, vision, axes)


# --- The strategy overview -----------------------------------------------------------------------------


@dataclass
class ThemeRow:
    theme: Theme
    documents: int = 0
    stakes: int = 0
    needs: int = 0
    axes: int = 0
    objectives: int = 0

    @property
    def total(self) -> int:
        return self.documents + self.stakes + self.needs + self.axes + self.objectives


@dataclass
class StrategyOverview:
    programme: Programme
    documents: int
    stakes: int
    needs: int
    rows: list[ThemeRow]
    project: RevitalisationProject | None
    content: dict | None
    open_version: RevitalisationProject | None
    links: dict[str, str]

    @property
    def axes(self) -> int:
        return len(self.content["axes"]) if self.content else 0

    @property
    def objectives(self) -> int:
        return sum(len(axis["objectives"]) for axis in self.content["axes"]) if self.content else 0


# The other strategy pages, by path: linked only if the URL exists (they are built alongside this page).
STRATEGY_PAGES = {"documents": "documents/", "stakes": "enjeux/", "needs": "besoins/"}


def strategy_links(programme: Programme) -> dict[str, str]:
    links = {}
    for key, suffix in STRATEGY_PAGES.items():
        path = f"/programmes/{programme.pk}/{suffix}"
        try:
            resolve(path)
        except Resolver404:
            continue
        links[key] = path
    return links


def _by_theme(rows: QuerySet, column: str) -> dict[int, int]:
    return {row[column]: row["n"] for row in rows}


def strategy_overview(user: User, programme: Programme) -> StrategyOverview:
    """Documents → stakes → axes → objectives of one programme, and their counts by theme.

    Counts are scoped by the policy: a mayor counts the stakes and needs of their commune and those common
    to the programme. The axes and objectives are those of the version in force (validated, else the first
    draft), read from its snapshot once validated. Queries: themes, documents (total + by theme), stakes,
    needs, versions, and the six content queries for a draft only.
    """
    themes = list(Theme.objects.order_by("order", "pk"))
    documents = policy.visible_to(StrategicDocument.objects.filter(programme=programme), user)
    document_count = documents.count()
    documents_by_theme = _by_theme(
        StrategicDocument.themes.through.objects.filter(strategicdocument_id__in=documents.values("pk"))
        .values("theme_id")
        .annotate(n=Count("strategicdocument_id"))
        .order_by(),
        "theme_id",
    )
    stakes_by_theme = _by_theme(
        policy.visible_to(Stake.objects.filter(programme=programme), user)
        .values("theme_id")
        .annotate(n=Count("pk"))
        .order_by(),
        "theme_id",
    )
    needs_by_theme = _by_theme(
        policy.visible_to(EngineeringNeed.objects.filter(programme=programme), user)
        .values("theme_id")
        .annotate(n=Count("pk"))
        .order_by(),
        "theme_id",
    )
    versions = project_versions(user, programme)
    project = version_in_force(versions)
    content = project_content(project) if project is not None else None
    open_version = next(
        (v for v in versions if v.status in {ProjectStatus.DRAFT, ProjectStatus.SUBMITTED}), None
    )
    axes_by_theme: Counter[str] = Counter()
    objectives_by_theme: Counter[str] = Counter()
    for axis in content["axes"] if content else []:
        axes_by_theme.update(set(axis["themes"]))
        for objective in axis["objectives"]:
            objectives_by_theme.update(set(objective["themes"]))
    rows = [
        ThemeRow(
            theme=theme,
            documents=documents_by_theme.get(theme.pk, 0),
            stakes=stakes_by_theme.get(theme.pk, 0),
            needs=needs_by_theme.get(theme.pk, 0),
            axes=axes_by_theme.get(theme.name, 0),
            objectives=objectives_by_theme.get(theme.name, 0),
        )
        for theme in themes
    ]
    return StrategyOverview(
        programme=programme,
        documents=document_count,
        stakes=sum(stakes_by_theme.values()),
        needs=sum(needs_by_theme.values()),
        rows=rows,
        project=project,
        content=content,
        open_version=open_version if open_version is not project else None,
        links=strategy_links(programme),
    )


def project_for_document(programme: Programme) -> tuple[RevitalisationProject | None, dict | None]:
    """The version in force of the programme's project (validated, else the latest) and its content, for a
    document read by the programme's readers and the mayors of its communes, who read every version (the
    caller checked the access). One query for a validated version (its snapshot), seven for a draft."""
    versions = list(RevitalisationProject.objects.filter(programme=programme).order_by("-number", "-pk"))
    project = version_in_force(versions)
    return project, project_content(project) if project is not None else None
