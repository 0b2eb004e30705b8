"""Reads of the GDPR pages: who opened a household file, and which files the next retention run anonymises."""

import datetime

from django.db.models import QuerySet

from operations.housing.services.privacy import RetentionReport, anonymise_expired
from operations.models import HousingFile, HousingFileAccess, HousingProgramme


def file_accesses(*, file: HousingFile) -> QuerySet[HousingFileAccess]:
    """The file's access log, newest first, with each user (one query per page)."""
    return HousingFileAccess.objects.filter(file=file).select_related("user").order_by("-at", "-pk")


def retention_preview(*, housing_programme: HousingProgramme, day: datetime.date) -> RetentionReport:
    """What the next run would anonymise in this programme (a dry run: changes nothing)."""
    return anonymise_expired(day=day, dry_run=True, housing_programme=housing_programme)


def anonymised_count(*, housing_programme: HousingProgramme) -> int:
    return HousingFile.objects.filter(
        housing_programme=housing_programme, anonymised_on__isnull=False
    ).count()
