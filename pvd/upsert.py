"""Create-or-update that writes (and so records history) only when something really changed."""

from django.db import models


def upsert[M: models.Model](model: type[M], defaults: dict[str, object], **lookup: object) -> tuple[M, bool]:
    """Like QuerySet.update_or_create, without a save (nor a history row) when nothing differs."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **defaults), True
    changed = [name for name, value in defaults.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, defaults[name])
        obj.save()
    return obj, False
