"""Writes of the strategy's sources: strategic documents and studies, and the stakes drawn from them.

Keyword-only, typed, atomic; every row is validated (`full_clean`) and its history records `by`. Updates go
through `save_versioned`: a form edited from a stale version is refused (StaleObjectError), never merged.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from partners.models import Organisation, Theme
from programmes.models import Programme, Stake, StrategicDocument
from pvd.accounts.models import User
from pvd.concurrency import save_versioned


def _check_communes(programme: Programme, communes: Iterable[Organisation], field: str = "communes") -> None:
    allowed = set(programme.communes.values_list("pk", flat=True))
    strangers = sorted(c.name for c in communes if c.pk not in allowed)
    if strangers:
        raise ValidationError({field: f"Hors du programme : {', '.join(strangers)}."})


def _set_m2m(obj: object, by: User, **relations: Iterable[object]) -> None:
    """Replace many-to-many values that changed; the history's m2m record carries `by` too."""
    obj._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
    for name, values in relations.items():
        manager = getattr(obj, name)
        wanted = {value.pk for value in values}  # type: ignore[attr-defined]
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(list(values))


# --- Strategic documents -----------------------------------------------------------------------------------


@transaction.atomic
def document_create(
    *,
    programme: Programme,
    by: User,
    title: str,
    kind: str,
    status: str,
    author: Organisation | None = None,
    year: int | None = None,
    file: UploadedFile | None = None,
    url: str = "",
    summary: str = "",
    themes: Iterable[Theme] = (),
    communes: Iterable[Organisation] = (),
) -> StrategicDocument:
    """Add a document to the programme's inventory. The file must have passed programmes.validators."""
    communes = list(communes)
    _check_communes(programme, communes)
    document = StrategicDocument(
        programme=programme,
        title=title,
        kind=kind,
        status=status,
        author=author,
        year=year,
        url=url,
        summary=summary,
    )
    if file is not None:
        document.file = file
    document.full_clean()
    document._history_user = by  # type: ignore[attr-defined]
    document.save()
    _set_m2m(document, by, themes=list(themes), communes=communes)
    return document


@transaction.atomic
def document_update(
    *,
    document: StrategicDocument,
    expected_version: int,
    by: User,
    title: str,
    kind: str,
    status: str,
    author: Organisation | None,
    year: int | None,
    url: str,
    summary: str,
    themes: Iterable[Theme],
    communes: Iterable[Organisation],
    file: UploadedFile | None = None,
    remove_file: bool = False,
) -> StrategicDocument:
    """Change a document. `file` replaces the stored file, `remove_file` drops it; neither keeps it."""
    communes = list(communes)
    _check_communes(document.programme, communes)
    changes: dict[str, object] = {
        "title": title,
        "kind": kind,
        "status": status,
        "author": author,
        "year": year,
        "url": url,
        "summary": summary,
    }
    if file is not None:
        changes["file"] = file
    elif remove_file:
        changes["file"] = ""
    document = save_versioned(document, expected_version=expected_version, by=by, changes=changes)
    _set_m2m(document, by, themes=list(themes), communes=communes)
    return document


# --- Stakes ------------------------------------------------------------------------------------------------


def _check_sources(programme: Programme, sources: Iterable[StrategicDocument]) -> None:
    strangers = sorted(d.title for d in sources if d.programme_id != programme.pk)
    if strangers:
        raise ValidationError({"sources": f"Documents d'un autre programme : {', '.join(strangers)}."})


@transaction.atomic
def stake_create(
    *,
    programme: Programme,
    by: User,
    title: str,
    theme: Theme,
    priority: int,
    commune: Organisation | None = None,
    description: str = "",
    sources: Iterable[StrategicDocument] = (),
) -> Stake:
    """Record a stake (enjeu) of the programme, for one commune or the whole programme (commune=None)."""
    sources = list(sources)
    if commune is not None:
        _check_communes(programme, [commune], field="commune")
    _check_sources(programme, sources)
    stake = Stake(
        programme=programme,
        title=title,
        theme=theme,
        priority=priority,
        commune=commune,
        description=description,
    )
    stake.full_clean()
    stake._history_user = by  # type: ignore[attr-defined]
    stake.save()
    _set_m2m(stake, by, sources=sources)
    return stake


@transaction.atomic
def stake_update(
    *,
    stake: Stake,
    expected_version: int,
    by: User,
    title: str,
    theme: Theme,
    priority: int,
    commune: Organisation | None,
    description: str,
    sources: Iterable[StrategicDocument],
) -> Stake:
    sources = list(sources)
    if commune is not None:
        _check_communes(stake.programme, [commune], field="commune")
    _check_sources(stake.programme, sources)
    stake = save_versioned(
        stake,
        expected_version=expected_version,
        by=by,
        changes={
            "title": title,
            "theme": theme,
            "priority": priority,
            "commune": commune,
            "description": description,
        },
    )
    _set_m2m(stake, by, sources=sources)
    return stake
