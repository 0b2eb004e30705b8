"""Indicator rows of the access matrix (tests/test_access_matrix.py): made on demand for one territory.

An indicator of Wassy (the mayor of Wassy reads it, the mayor of La Porte du Der does not see it: 404), one
entered measurement of it, and a finished CSV import of the programme (seen by its managers only).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile

from programmes.indicators.models import Indicator, IndicatorComputation, Measurement, MeasurementImport
from tests.conftest import Territory
from tests.factories import UserFactory
from tests.programmes.indicator_factories import IndicatorFactory, MeasurementFactory


@dataclass
class IndicatorRows:
    indicator: Indicator
    measurement: Measurement
    job: MeasurementImport


def indicator_rows(t: Territory) -> IndicatorRows:
    """The rows, created once per test (the territory object caches them)."""
    rows = getattr(t, "_indicator_rows", None)
    if rows is None:
        indicator = IndicatorFactory(
            programme=t.programme, commune=t.wassy, name="Taux de vacance commerciale"
        )
        measurement = MeasurementFactory(
            indicator=indicator, measured_on=datetime.date(2025, 6, 1), value=Decimal("11.4")
        )
        job = MeasurementImport(
            programme=t.programme,
            created_by=UserFactory(full_name="Auteur de l'import"),
            original_name="mesures.csv",
            status=MeasurementImport.Status.DONE,
        )
        job.file.save("mesures.csv", ContentFile(b"indicateur;commune;date;valeur\r\n"), save=False)
        job.save()
        rows = IndicatorRows(indicator, measurement, job)
        t._indicator_rows = rows  # type: ignore[attr-defined]
    return rows


def computed_indicator(t: Territory) -> Indicator:
    """A programme-wide computed indicator of the territory's programme (access matrix rows)."""
    indicator, _ = Indicator.objects.get_or_create(
        programme=t.programme,
        commune=None,
        name="Actions livrées",
        defaults={"unit": "actions", "computation": IndicatorComputation.OPERATIONS_DELIVERED},
    )
    return indicator
