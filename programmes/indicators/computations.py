"""Measurements computed from the app's data (issue 10): which provider computes each kind of computed
indicator, what each figure means, and the service that records them.

Each `IndicatorComputation` key but MANUAL names, by dotted path, a provider in the app that owns the data
(`operations`, `budget` sit above `programmes`: they are reached through `import_string`, never imported, like
`operations/conventions/blocks.py` does). A provider is

    provider(programme_id: int, commune_id: int | None, day: datetime.date) -> Decimal | None

— the value on `day` for the programme, or for one of its communes (only what concerns that commune); None when
the figure cannot be told (nothing to divide by, a housing figure resting on fewer than 5 households…). Each one
is a fixed small number of aggregate queries whatever the data size.

`refresh_computed(programme=…, day=…)` records, for each computed indicator of the programme that is not
archived, a `Measurement(origin=computed)` dated `day` when the value differs from the latest one before it;
it never touches an entered or imported measurement (one value per date: that date is then skipped). Run again on
the same day, it writes nothing new. The Celery task `programmes.indicators.tasks_compute` runs it every night.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.module_loading import import_string

from programmes.indicators.models import Indicator, IndicatorComputation, Measurement, MeasurementOrigin
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.money import round_cents

C = IndicatorComputation
SOURCE = "Calcul PVD Pilot"

Provider = Callable[[int, int | None, datetime.date], Decimal | None]

# computation key -> dotted path of its provider
PROVIDERS: dict[str, str] = {
    C.OPERATIONS_DELIVERED: "operations.selectors.indicators.delivered_count",
    C.OPERATIONS_DELIVERED_RATE: "operations.selectors.indicators.delivered_rate",
    C.OPERATIONS_COMMITTED_RATE: "operations.selectors.indicators.committed_rate",
    C.SUBSIDIES_OBTAINED_RATE: "budget.selectors.indicators.subsidies_obtained_rate",
    C.SUBSIDIES_RECEIVED: "budget.selectors.indicators.subsidies_received",
    C.EXPENSES_PAID: "budget.selectors.indicators.expenses_paid",
    C.DWELLINGS_RENOVATED: "operations.housing.selectors.indicators.dwellings_renovated",
    C.HOUSING_WORKS_AMOUNT: "operations.housing.selectors.indicators.works_amount",
    C.HOUSING_AID_AMOUNT: "operations.housing.selectors.indicators.aid_amount",
    C.HOUSING_ENERGY_GAIN: "operations.housing.selectors.indicators.energy_gain",
    C.HOUSING_TARGET_RATE: "operations.housing.selectors.indicators.target_rate",
    C.PARTICIPATION_ATTENDANCE: "operations.participation.selectors.indicators.attendance",
}

# computation key -> what the figure is, in the words of the indicator's page (the providers' docstrings say the
# same in detail). « Pour une commune » applies when the indicator is a commune's.
HELP: dict[str, str] = {
    C.MANUAL: "Les mesures sont saisies ou importées (fichier CSV).",
    C.OPERATIONS_DELIVERED: (
        "Nombre d'opérations du plan d'action au statut « Livrée » ou « Soldée » à la date de la mesure. "
        "Pour une commune : les opérations qui la concernent."
    ),
    C.OPERATIONS_DELIVERED_RATE: (
        "Opérations livrées ou soldées ÷ opérations non abandonnées (les suspendues comptent), en %. "
        "Pour une commune : les opérations qui la concernent."
    ),
    C.OPERATIONS_COMMITTED_RATE: (
        "Opérations engagées, en travaux, livrées ou soldées ÷ opérations non abandonnées, en %. "
        "Pour une commune : les opérations qui la concernent."
    ),
    C.SUBSIDIES_OBTAINED_RATE: (
        "Montants attribués (moins les réductions) ÷ montants demandés, en %, pour les demandes de subvention "
        "déposées à la date de la mesure, hors demandes retirées ; une demande rejetée ou caduque compte comme "
        "demandée sans rien apporter. Pour une commune : la part de ses opérations (au prorata des affectations)."
    ),
    C.SUBSIDIES_RECEIVED: (
        "Subventions encaissées (date d'encaissement) moins les reversements, en €, à la date de la mesure. "
        "Pour une commune : la part de ses opérations (au prorata des affectations)."
    ),
    C.EXPENSES_PAID: (
        "Dépenses mandatées ou payées (€ TTC) du budget du programme, à la date de leur mandat. "
        "Pour une commune : les dépenses de ses opérations."
    ),
    C.DWELLINGS_RENOVATED: (
        "Logements des dossiers OPAH / PIG soldés ou clos, solde versé à la date de la mesure. "
        "Pour une commune : les dossiers de la commune. Non calculé quand il repose sur 1 à 4 ménages."
    ),
    C.HOUSING_WORKS_AMOUNT: (
        "Montant des travaux (€ HT) des dossiers OPAH / PIG agréés à la date de la mesure. "
        "Non calculé quand il repose sur 1 à 4 ménages."
    ),
    C.HOUSING_AID_AMOUNT: (
        "Aides engagées (€, tous financeurs) sur les dossiers OPAH / PIG à la date de la mesure. "
        "Non calculé quand il repose sur 1 à 4 ménages."
    ),
    C.HOUSING_ENERGY_GAIN: (
        "Gain énergétique moyen (consommation avant − après) ÷ avant, en %, des dossiers agréés dont les deux "
        "consommations sont connues. Non calculé quand il repose sur 1 à 4 ménages."
    ),
    C.HOUSING_TARGET_RATE: (
        "Dossiers agréés ÷ objectifs de la convention OPAH (toutes années), en %, sur les catégories qui ont un "
        "objectif, comptés comme sur la page des résultats. Pour tout le programme seulement."
    ),
    C.PARTICIPATION_ATTENDANCE: (
        "Participants comptés aux temps de concertation tenus à la date de la mesure. "
        "Pour une commune : les temps de concertation qui la concernent."
    ),
}


def provider_for(computation: str) -> Provider:
    """The provider of a computed indicator's key (KeyError for MANUAL or an unknown key)."""
    return import_string(PROVIDERS[computation])


def compute(indicator: Indicator, day: datetime.date) -> Decimal | None:
    """The value of a computed indicator on `day`, rounded to the cent (None when it cannot be told)."""
    value = provider_for(indicator.computation)(indicator.programme_id, indicator.commune_id, day)
    return None if value is None else round_cents(Decimal(value))


@transaction.atomic
def refresh_computed(
    *, programme: Programme, day: datetime.date | None = None, by: User | None = None
) -> int:
    """Compute, for `day` (today by default), every computed indicator of the programme that is not archived, and
    record the values that changed. Returns the number of measurements written (created or updated).

    On `day`: an entered or imported measurement is kept (skipped); a computed one is updated when the value
    changed; without one, a measurement is created when the value differs from the latest one before `day` (or
    there is none). Queries: the indicators with their measurements of `day` and the latest one before (one
    query), each provider once per (computation, commune), then the writes."""
    day = day or timezone.localdate()
    return _refresh(Indicator.objects.filter(programme=programme), day, by)


@transaction.atomic
def refresh_indicator(
    *, indicator: Indicator, day: datetime.date | None = None, by: User | None = None
) -> int:
    """`refresh_computed` for one indicator (its page's « Calculer » button). Returns 0 or 1."""
    day = day or timezone.localdate()
    return _refresh(Indicator.objects.filter(pk=indicator.pk), day, by)


def _refresh(indicators: object, day: datetime.date, by: User | None) -> int:
    on_day = Measurement.objects.filter(indicator=OuterRef("pk"), measured_on=day)
    before = Measurement.objects.filter(indicator=OuterRef("pk"), measured_on__lt=day).order_by(
        "-measured_on"
    )
    rows = list(
        indicators.filter(archived=False)
        .exclude(computation=C.MANUAL)
        .annotate(
            day_pk=Subquery(on_day.values("pk")[:1]),
            day_value=Subquery(on_day.values("value")[:1]),
            day_origin=Subquery(on_day.values("origin")[:1]),
            previous_value=Subquery(before.values("value")[:1]),
        )
        .order_by("pk")
    )
    values: dict[tuple[str, int | None], Decimal | None] = {}
    written = 0
    for indicator in rows:
        if indicator.day_pk is not None and indicator.day_origin != MeasurementOrigin.COMPUTED:
            continue  # an entered or imported value of that date is never overwritten
        key = (indicator.computation, indicator.commune_id)
        if key not in values:
            values[key] = compute(indicator, day)
        value = values[key]
        if value is None:
            continue
        if indicator.day_pk is not None:
            if indicator.day_value == value:
                continue
            measurement = Measurement.objects.get(pk=indicator.day_pk)
            measurement.value = value
            measurement.recorded_by = by
        else:
            if indicator.previous_value == value:
                continue
            measurement = Measurement(
                indicator=indicator,
                measured_on=day,
                value=value,
                origin=MeasurementOrigin.COMPUTED,
                source=SOURCE,
                recorded_by=by,
            )
        measurement._history_user = by  # type: ignore[attr-defined]
        measurement.save()
        written += 1
    return written


def programmes_with_computed_indicators() -> list[Programme]:
    """The programmes that follow at least one computed indicator not archived (for the nightly task)."""
    ids = (
        Indicator.objects.filter(archived=False)
        .exclude(computation=C.MANUAL)
        .order_by()
        .values("programme_id")
        .distinct()
    )
    return list(Programme.objects.filter(pk__in=ids).order_by("pk"))
