"""The action-plan import through a real Celery worker on Redis (CI's second run sets REDIS_URL).

Same skip logic and worker fixture as tests/test_celery_worker.py: without REDIS_URL the module is skipped,
unless PVD_REQUIRE_WORKER=1 demands the worker.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from operations import importer
from operations.models import ImportStatus, Operation, OperationImport
from tests.operations.test_import import GOOD_ROWS, xlsx
from tests.worker import skip_without_worker

skip_without_worker()

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_imports_the_file_after_commit(real_worker, territory, manager) -> None:
    territory.epci.name = "CA du Grand Saint-Dizier"
    territory.epci.save()
    with transaction.atomic():
        job = importer.operation_import_start(
            programme=territory.programme, file=SimpleUploadedFile("plan.xlsx", xlsx(GOOD_ROWS)), by=manager
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            break
        time.sleep(0.2)
    assert (job.status, job.progress, job.imported_count) == (ImportStatus.DONE, 100, 3), job.report
    assert Operation.objects.filter(programme=territory.programme).count() == 3
    assert OperationImport.objects.count() == 1
