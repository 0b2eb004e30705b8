"""Factories of indicators, their targets and measurements (issue 10)."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from programmes.indicators.models import Indicator, IndicatorTarget, IndicatorTemplate, Measurement
from tests.factories import ProgrammeFactory


def library(key: str) -> IndicatorTemplate:
    """A template of the library (shipped by programmes' data migration 0005, replayed after flushes)."""
    return IndicatorTemplate.objects.get(key=key)


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Indicateur n° {n}")
    unit = "%"
    direction = "down"
    frequency = "yearly"
    computation = "manual"


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2026
    value = Decimal(10)


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    measured_on = factory.Sequence(lambda n: datetime.date(2020, 1, 1) + datetime.timedelta(days=n))
    value = Decimal("12.5")
    origin = "entered"
