"""A PDF rendered by a real Celery worker on Redis (skipped without REDIS_URL, like tests/test_celery_worker.py):
the request commits, the worker renders, the file and its hash are stored."""

import hashlib
import time

import pytest
from django.core.files.storage import default_storage

from pvd import documents
from pvd.models import DocumentStatus, RenderedDocument
from tests.operations.participation_rows import participation_rows
from tests.worker import skip_without_worker

skip_without_worker()

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_renders_the_pdf_after_the_request_commits(real_worker, territory, manager) -> None:
    sheet = participation_rows(territory).published_sheet
    doc = documents.request_document(sheet, "practice_sheet", manager)  # autocommit: queued at once
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        doc.refresh_from_db()
        if doc.status in (DocumentStatus.DONE, DocumentStatus.FAILED):
            break
        time.sleep(0.2)
    assert doc.status == DocumentStatus.DONE, doc.error
    with default_storage.open(doc.file.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == doc.sha256
    assert RenderedDocument.objects.get(pk=doc.pk).requested_by == manager
