"""Celery autodiscovers `programmes.tasks` only: the indicator tasks are registered through these imports."""

from programmes.indicators.tasks import run_measurement_import  # noqa: F401
from programmes.indicators.tasks_compute import refresh_computed_indicators  # noqa: F401
