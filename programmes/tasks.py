"""Celery autodiscovers `programmes.tasks` only: the indicator tasks are registered through the imports below."""

# --- issue 10, H1: measurement import task (from programmes.indicators.tasks import ...  # noqa: F401) ---
from programmes.indicators.tasks import run_measurement_import  # noqa: F401

# --- issue 10, H2: computed indicators task (from programmes.indicators.tasks_compute import ...  # noqa: F401) ---
from programmes.indicators.tasks_compute import refresh_computed_indicators  # noqa: F401
