"""Background jobs of the indicators: thin wrappers, ids in (STYLE.md §18).

Registered with Celery through `programmes/tasks.py` (the only module it autodiscovers in this app).
"""

from celery import shared_task


@shared_task
def run_measurement_import(import_id: int) -> None:
    """Run one CSV import of measurements (queued on commit by `measurement_import_start`)."""
    from programmes.indicators.importer import measurement_import_run  # lazy: the importer queues this task
    from programmes.indicators.models import MeasurementImport

    measurement_import_run(
        job=MeasurementImport.objects.select_related("programme", "created_by").get(pk=import_id)
    )
