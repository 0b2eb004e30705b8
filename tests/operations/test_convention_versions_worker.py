"""An issued version's PDF rendered by a real Celery worker on Redis (skipped without REDIS_URL, like
tests/test_celery_worker.py): queued on commit by the issuing service, done with its SHA-256 by the worker."""

import time

import pytest

from operations.conventions.services import versions as services
from operations.models import ConventionVersion
from pvd.models import DocumentStatus, RenderedDocument
from tests.operations.convention_factories import ConventionArticleFactory, ConventionFactory
from tests.worker import skip_without_worker

skip_without_worker()

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_renders_the_pdf_of_an_issued_version(real_worker, territory, manager) -> None:
    convention = ConventionFactory(
        programme=territory.programme, title="Convention-cadre rendue par le worker"
    )
    ConventionArticleFactory(convention=convention)
    version = services.version_issue(convention=convention, by=manager, site_url="https://pvd.example.fr/")

    deadline = time.monotonic() + 60
    while (
        RenderedDocument.objects.get(pk=version.document_id).status
        in (DocumentStatus.QUEUED, DocumentStatus.RENDERING)
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    version = ConventionVersion.objects.select_related("document").get(pk=version.pk)
    assert version.document.status == DocumentStatus.DONE, version.document.error
    assert len(version.sha256) == 64 and version.document.size > 0
