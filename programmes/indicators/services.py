"""Writes on indicators (issue 10): create from the library or custom, update, archive, yearly targets, entered
measurements. Keyword-only, atomic, audited (the history's user is the actor); editable indicators use optimistic
locking. A business rule refused → `IndicatorError` (French message); a field refused → `ValidationError`.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from partners.models import Organisation
from programmes.indicators.models import (
    Indicator,
    IndicatorComputation,
    IndicatorTarget,
    IndicatorTemplate,
    Measurement,
    MeasurementOrigin,
)
from programmes.models import Objective, Programme
from programmes.services.documents import _set_m2m
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned
from pvd.errors import DomainError

# What an indicator copies from its library template.
TEMPLATE_FIELDS = ("name", "unit", "source", "method", "frequency", "direction", "computation")


class IndicatorError(DomainError):
    """A rule of the indicators refused the action; str(error) is the French message shown as is."""


def _check_commune(programme: Programme, commune: Organisation | None) -> None:
    if commune is not None and not programme.communes.filter(pk=commune.pk).exists():
        raise ValidationError({"commune": f"{commune.name} ne fait pas partie des communes du programme."})


def _check_objectives(programme: Programme, objectives: list[Objective]) -> None:
    """One query: the objectives of the programme's projects among those given."""
    ours = set(
        Objective.objects.filter(
            pk__in=[o.pk for o in objectives], axis__project__programme=programme
        ).values_list("pk", flat=True)
    )
    strangers = sorted(o.title for o in objectives if o.pk not in ours)
    if strangers:
        raise ValidationError({"objectives": f"Objectifs d'un autre programme : {', '.join(strangers)}."})


@transaction.atomic
def indicator_create(
    *,
    programme: Programme,
    by: User,
    template: IndicatorTemplate | None = None,
    commune: Organisation | None = None,
    name: str = "",
    unit: str = "",
    source: str = "",
    method: str = "",
    frequency: str = "",
    direction: str = "",
    computation: str = "",
    baseline_on: datetime.date | None = None,
    baseline_value: Decimal | None = None,
    baseline_source: str = "",
    objectives: Iterable[Objective] = (),
) -> Indicator:
    """A new indicator of the programme (commune=None: the whole programme). From a library `template`, the
    definition (name, unit, source, method, frequency, direction, computation) is copied from it — a name
    given here replaces the template's; without one, the definition is the custom one given here."""
    objectives = list(objectives)
    _check_commune(programme, commune)
    _check_objectives(programme, objectives)
    given = {
        "name": name,
        "unit": unit,
        "source": source,
        "method": method,
        "frequency": frequency,
        "direction": direction,
        "computation": computation,
    }
    if template is not None:
        definition = {field: getattr(template, field) for field in TEMPLATE_FIELDS}
        if name.strip():
            definition["name"] = name.strip()
    else:
        definition = {key: value for key, value in given.items() if value}
        definition.setdefault("computation", IndicatorComputation.MANUAL)
    indicator = Indicator(
        programme=programme,
        template=template,
        commune=commune,
        baseline_on=baseline_on,
        baseline_value=baseline_value,
        baseline_source=baseline_source,
        **definition,
    )
    save_audited(indicator, by)
    _set_m2m(indicator, by, objectives=objectives)
    return indicator


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    expected_version: int,
    by: User,
    objectives: Iterable[Objective] | None = None,
    **changes: object,
) -> Indicator:
    """Change an indicator's definition, commune or baseline (refused if someone saved it meanwhile)."""
    allowed = {*TEMPLATE_FIELDS, "commune", "baseline_on", "baseline_value", "baseline_source", "archived"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"indicator_update: unknown fields {sorted(unknown)}")
    if "commune" in changes:
        _check_commune(indicator.programme, changes["commune"])  # type: ignore[arg-type]
    if objectives is not None:
        objectives = list(objectives)
        _check_objectives(indicator.programme, objectives)
    saved = save_versioned(indicator, expected_version=expected_version, changes=changes, by=by)
    if objectives is not None:
        _set_m2m(saved, by, objectives=objectives)
    return saved


def indicator_archive(
    *, indicator: Indicator, expected_version: int, by: User, archived: bool = True
) -> Indicator:
    """Archive an indicator (its measurements stay; it leaves the lists), or bring it back."""
    return indicator_update(indicator=indicator, expected_version=expected_version, by=by, archived=archived)


@transaction.atomic
def targets_save(
    *, indicator: Indicator, by: User, targets: Iterable[tuple[int, Decimal]]
) -> list[IndicatorTarget]:
    """Replace the indicator's yearly targets by `targets` (year, value): all rows are saved or none; one per
    year. A year left out loses its target."""
    targets = list(targets)
    years = [year for year, _ in targets]
    duplicates = sorted({year for year in years if years.count(year) > 1})
    if duplicates:
        raise IndicatorError(
            f"Une seule cible par année : {', '.join(str(y) for y in duplicates)} "
            f"{'apparaît' if len(duplicates) == 1 else 'apparaissent'} plusieurs fois."
        )
    existing = {t.year: t for t in indicator.targets.all()}
    for year, target in existing.items():
        if year not in years:
            target._history_user = by  # type: ignore[attr-defined]
            target.delete()
    saved = []
    for year, value in sorted(targets):
        target = existing.get(year) or IndicatorTarget(indicator=indicator, year=year)
        if target.pk is not None and target.value == value:
            saved.append(target)
            continue
        target.value = value
        save_audited(target, by)
        saved.append(target)
    return saved


def _refuse_computed_indicator(indicator: Indicator) -> None:
    if indicator.is_computed:
        raise IndicatorError(
            f"« {indicator.name} » est calculé à partir des données du logiciel "
            f"({indicator.get_computation_display()}) : ses mesures ne se saisissent pas à la main."
        )


@transaction.atomic
def measurement_record(
    *,
    indicator: Indicator,
    by: User,
    measured_on: datetime.date,
    value: Decimal,
    source: str = "",
    comment: str = "",
) -> Measurement:
    """Record an entered measurement (one per date)."""
    _refuse_computed_indicator(indicator)
    measurement = Measurement(
        indicator=indicator,
        measured_on=measured_on,
        value=value,
        origin=MeasurementOrigin.ENTERED,
        source=source,
        comment=comment,
        recorded_by=by,
    )
    save_audited(measurement, by)
    return measurement


@transaction.atomic
def measurement_update(
    *,
    measurement: Measurement,
    by: User,
    measured_on: datetime.date,
    value: Decimal,
    source: str = "",
    comment: str = "",
) -> Measurement:
    """Correct an entered or imported measurement; a computed one is not edited by hand."""
    if measurement.origin == MeasurementOrigin.COMPUTED:
        raise IndicatorError(
            "Cette mesure est calculée à partir des données du logiciel : elle ne se modifie pas à la main "
            "(relancez le calcul, ou supprimez-la)."
        )
    measurement.measured_on = measured_on
    measurement.value = value
    measurement.source = source
    measurement.comment = comment
    measurement.recorded_by = by
    save_audited(measurement, by)
    return measurement


@transaction.atomic
def measurement_delete(*, measurement: Measurement, by: User) -> None:
    """Delete a measurement (computed ones included: the next computation writes it again)."""
    measurement._history_user = by  # type: ignore[attr-defined]
    measurement.delete()
