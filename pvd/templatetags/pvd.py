"""Template filters shared by every app: `euros`, `percent`, `date_fr`, `integer`, and the history panel."""

import datetime
from decimal import Decimal

from django import template
from django.db.models import Model
from django.utils import timezone

from pvd.history import history_entries
from pvd.money import format_decimal, format_euros, format_percent

register = template.Library()

DASH = "—"


@register.filter
def euros(value: Decimal | None) -> str:
    """1 234 567,89 € — refuses anything but Decimal, so a float never reaches a page."""
    if value is None or value == "":
        return DASH
    return format_euros(value)


@register.filter
def percent(value: Decimal | None, places: int = 2) -> str:
    """A fraction shown as a percentage: 0.2 -> 20,00 %."""
    if value is None or value == "":
        return DASH
    return format_percent(value, int(places))


@register.filter
def integer(value: int | None) -> str:
    """2771 -> '2 771'; 22858 -> '22 858'."""
    if value is None or value == "":
        return DASH
    return format_decimal(Decimal(int(value)), 0)


@register.filter
def date_fr(value: datetime.date | datetime.datetime | None) -> str:
    """14/04/2026; a datetime is shown in Paris time as 14/04/2026 à 09:30."""
    if value is None or value == "":
        return DASH
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y à %H:%M")
    return value.strftime("%d/%m/%Y")


@register.inclusion_tag("partials/_history.html")
def history_panel(obj: Model, limit: int = 20) -> dict[str, object]:
    """The "Historique" panel: who changed what, and when, on any model that keeps its history."""
    return {"entries": history_entries(obj, limit=limit), "object": obj}
