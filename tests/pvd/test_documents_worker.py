"""A PDF rendered by a real Celery worker on Redis (skipped without REDIS_URL, like tests/test_celery_worker.py):
the request commits, the worker renders, the file and its hash are stored."""

import hashlib
import os
import time

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from pvd import documents
from pvd.models import DocumentStatus, RenderedDocument
from tests.operations.participation_rows import participation_rows

if not settings.REDIS_URL:
    if os.environ.get("PVD_REQUIRE_WORKER") == "1":
        raise RuntimeError("PVD_REQUIRE_WORKER=1 mais REDIS_URL n'est pas défini.")
    pytest.skip("REDIS_URL non défini : les tâches s'exécutent en mode eager", allow_module_level=True)

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def real_worker(django_db_blocker):
    from celery.contrib.testing.worker import start_worker

    from pvd.celery import app

    app.conf.task_always_eager = False
    with (
        django_db_blocker.unblock(),
        start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
        ) as worker,
    ):
        yield worker


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
