"""Reading django-simple-history records as "who changed what, when" for the Historique panel.

One query for the records (with their authors), then one query per related model to name the
foreign keys that changed: the panel's cost does not grow with the number of entries shown.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import timezone

from pvd.money import format_decimal

# Bookkeeping fields that say nothing to a user.
HIDDEN_FIELDS = {"id", "version", "password", "last_login", "created_at", "updated_at"}

HISTORY_KINDS = {"+": "Création", "~": "Modification", "-": "Suppression"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    date: datetime.datetime
    user: str
    kind: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


def _display(model_field: models.Field, value: object, names: dict[tuple[type, object], str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(model_field, models.ForeignKey):
        return names.get((model_field.related_model, value), f"n° {value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y à %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return format_decimal(
            value, max(0, -value.as_tuple().exponent) if value.as_tuple().exponent < 0 else 0
        )
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


def tracked_fields(instance: models.Model) -> list[models.Field]:
    manager = instance.history  # type: ignore[attr-defined]
    return [f for f in manager.model.tracked_fields if f.name not in HIDDEN_FIELDS]


def _m2m_history_accessor(historical_model: type[models.Model], field_name: str) -> str:
    """The reverse accessor from a historical record to its rows of a tracked many-to-many field."""
    wanted = f"{historical_model._meta.model_name}_{field_name}".lower()
    for relation in historical_model._meta.related_objects:
        if relation.related_model._meta.model_name == wanted:
            return relation.get_accessor_name()
    raise LookupError(f"No history table for {historical_model.__name__}.{field_name}")


def history_entries(instance: models.Model, limit: int = 20) -> list[HistoryEntry]:
    """The latest `limit` changes of `instance`, newest first, each with its field-by-field diff."""
    fields = tracked_fields(instance)
    m2m_fields = list(getattr(instance.history.model, "_history_m2m_fields", []))  # type: ignore[attr-defined]
    accessors = {f.name: _m2m_history_accessor(instance.history.model, f.name) for f in m2m_fields}  # type: ignore[attr-defined]
    records = list(
        instance.history.select_related("history_user")  # type: ignore[attr-defined]
        .prefetch_related(*accessors.values())
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    # Name every foreign key value shown, one query per related model.
    wanted: dict[type, set[object]] = defaultdict(set)
    fk_fields = [f for f in fields if isinstance(f, models.ForeignKey)]
    for record in records:
        for f in fk_fields:
            value = getattr(record, f.attname)
            if value is not None:
                wanted[f.related_model].add(value)
    m2m_values: dict[tuple[int, str], frozenset[object]] = {}
    for record in records:
        for f in m2m_fields:
            target = f.related_model
            column = f"{target._meta.model_name}_id"
            ids = frozenset(getattr(row, column) for row in getattr(record, accessors[f.name]).all())
            m2m_values[(record.pk, f.name)] = ids
            wanted[target] |= ids
    names: dict[tuple[type, object], str] = {}
    for related_model, ids in wanted.items():
        for obj in related_model._default_manager.filter(pk__in=ids):
            names[(related_model, obj.pk)] = str(obj)

    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        user = record.history_user
        entry = HistoryEntry(
            date=record.history_date,
            user=(user.get_full_name() or user.email) if user else "Système (import ou tâche automatique)",
            kind=HISTORY_KINDS.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
        )
        for f in fields:
            new = getattr(record, f.attname)
            old = getattr(previous, f.attname) if previous is not None else None
            if record.history_type == "+" and new in (None, "", [], False):
                continue
            if previous is not None and old == new:
                continue
            if record.history_type == "-":
                continue
            entry.changes.append(
                Change(
                    label=str(f.verbose_name).capitalize(),
                    old=_display(f, old, names),
                    new=_display(f, new, names),
                )
            )
        for f in m2m_fields:
            new_ids = m2m_values[(record.pk, f.name)]
            old_ids = m2m_values[(previous.pk, f.name)] if previous is not None else frozenset()
            if new_ids == old_ids or record.history_type == "-":
                continue
            entry.changes.append(
                Change(
                    label=str(f.verbose_name).capitalize(),
                    old=_names(f.related_model, old_ids, names),
                    new=_names(f.related_model, new_ids, names),
                )
            )
        entries.append(entry)
    return entries


def _names(model: type, ids: frozenset[object], names: dict[tuple[type, object], str]) -> str:
    return ", ".join(sorted(names.get((model, i), f"n° {i}") for i in ids)) or "—"
