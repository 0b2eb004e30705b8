"""Optimistic locking: editable objects carry a version; a form edited from a stale version is refused.

The refusal says who changed the object, when, and which fields, so the user can reload and redo
their change knowingly instead of silently overwriting a colleague's.
"""

from django.db import models, transaction
from django.utils import timezone

from pvd.history import tracked_fields


class VersionedModel(models.Model):
    """An editable domain object; `version` goes up by one at every save through `save_versioned`."""

    version = models.PositiveIntegerField("version", default=1, editable=False)

    class Meta:
        abstract = True


class StaleObjectError(Exception):
    """The object changed since the form was displayed; str(error) is the French message to show."""


def _describe_changes(current: VersionedModel, expected_version: int) -> str:
    records = list(current.history.select_related("history_user").order_by("-history_date", "-history_id"))  # type: ignore[attr-defined]
    seen = next((r for r in records if r.version == expected_version), None)
    changed = []
    if seen is not None:
        for f in tracked_fields(current):
            if getattr(seen, f.attname) != getattr(current, f.attname):
                changed.append(str(f.verbose_name))
    latest = records[0] if records else None
    who = ""
    if latest is not None:
        author = latest.history_user
        name = (author.get_full_name() or author.email) if author else "un traitement automatique"
        when = timezone.localtime(latest.history_date).strftime("%d/%m/%Y à %H:%M")
        who = f" par {name} le {when}"
    fields = f" Champs modifiés : {', '.join(changed)}." if changed else ""
    return (
        f"« {current} » a été modifié{who} pendant votre saisie.{fields} "
        "Vos modifications n'ont pas été enregistrées : rechargez la page pour repartir de la version actuelle."
    )


def save_audited(obj: models.Model, by: object, *, reason: str = "") -> None:
    """Validate and save a row whose history record names `by` (django-simple-history reads `_history_user`) and,
    when given, why (`reason`, ≤ 100 characters: « Arbitrage ARB-2026-003, option B »)."""
    obj.full_clean()
    obj._history_user = by  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason[:100]  # type: ignore[attr-defined]  # read by django-simple-history
    obj.save()


def save_versioned[M: VersionedModel](
    obj: M, *, expected_version: int, changes: dict[str, object], by: object | None = None, reason: str = ""
) -> M:
    """Apply `changes` to `obj` if nobody saved it since `expected_version`; validate; save; bump the version.

    Runs in a transaction with the row locked, so two simultaneous saves cannot both pass the check.
    """
    with transaction.atomic():
        current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        if current.version != expected_version:
            raise StaleObjectError(_describe_changes(current, expected_version))
        for name, value in changes.items():
            setattr(current, name, value)
        current.version += 1
        current.full_clean()
        if by is not None:
            current._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
        if reason:  # why, in the history (an arbitration's effect names it)
            current._change_reason = reason[:100]  # type: ignore[attr-defined]
        current.save()
    return current
