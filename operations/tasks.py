"""Background jobs of the operations app: thin wrappers, ids in (STYLE.md §18)."""

from celery import shared_task


@shared_task
def run_operation_import(import_id: int) -> None:
    """Run one action-plan import (queued on commit by `operation_import_start`)."""
    from operations.importer import operation_import_run  # lazy: the importer queues this task
    from operations.models import OperationImport

    operation_import_run(
        job=OperationImport.objects.select_related("programme", "created_by").get(pk=import_id)
    )


# Celery autodiscovers `operations.tasks` only: the housing tasks are registered through this import.
from operations.housing.tasks import anonymise_expired_files  # noqa: F401
from operations.participation.tasks import send_information_letter  # noqa: F401
