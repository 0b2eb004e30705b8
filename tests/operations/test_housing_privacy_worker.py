"""The nightly anonymisation through a real Celery worker on Redis (skipped without REDIS_URL, like
tests/test_celery_worker.py)."""

import datetime
from decimal import Decimal

import pytest

from operations.housing.models import FileStatus
from operations.housing.services.privacy import ANONYMISED_NAME
from operations.housing.tasks import anonymise_expired_files
from tests.operations.housing_factories import HousingFileFactory
from tests.worker import skip_without_worker

skip_without_worker()

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


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
