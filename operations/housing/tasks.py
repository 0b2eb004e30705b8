"""Background jobs of housing: thin wrappers (STYLE.md §18)."""

from celery import shared_task
from django.utils import timezone


@shared_task
def anonymise_expired_files() -> int:
    """Nightly (beat): anonymise the household files kept longer than their programme's retention period.
    Returns the number of files anonymised."""
    from operations.housing.services.privacy import anonymise_expired

    return anonymise_expired(day=timezone.localdate(), dry_run=False).total
