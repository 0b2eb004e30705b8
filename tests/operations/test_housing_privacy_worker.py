"""The nightly anonymisation through a real Celery worker on Redis (skipped without REDIS_URL, like
tests/test_celery_worker.py)."""

import datetime
import os
from decimal import Decimal

import pytest
from django.conf import settings

from operations.housing.models import FileStatus
from operations.housing.services.privacy import ANONYMISED_NAME
from operations.housing.tasks import anonymise_expired_files
from tests.operations.housing_factories import HousingFileFactory

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


def test_the_worker_anonymises_the_expired_files(real_worker, territory) -> None:
    file = HousingFileFactory(
        housing_programme=territory.opah_ru,
        commune=territory.saint_dizier,
        status=FileStatus.CLOSED,
        applicant_name="Famille Worker",
        reference_income=Decimal("15432.00"),
        first_contact_on=datetime.date(2010, 1, 4),
        closed_on=datetime.date(2012, 1, 4),
    )
    assert anonymise_expired_files.delay().get(timeout=30) == 1
    file.refresh_from_db()
    assert (file.applicant_name, file.reference_income) == (ANONYMISED_NAME, None)
