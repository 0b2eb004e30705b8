"""Background jobs of participation: thin wrappers, ids in (STYLE.md §18)."""

from celery import shared_task

# A failed address is tried again this many times, a little later each time (SMTP hiccups).
MAX_RETRIES = 3


@shared_task(bind=True, max_retries=MAX_RETRIES, default_retry_delay=60)
def send_information_letter(self, letter_id: int, site_url: str = "") -> dict[str, int]:
    """Send a frozen information letter to its list (queued on commit by `letter_send`). Idempotent: a retry
    sends only to the addresses not yet served. Returns the counts of this run."""
    from operations.models import InformationLetter
    from operations.participation.services.letters import letter_deliver  # lazy: the service queues us

    report = letter_deliver(letter=InformationLetter.objects.get(pk=letter_id), site_url=site_url)
    if report.failed and not self.request.is_eager:
        # The failures are recorded on the letter's page; the worker tries them again later.
        raise self.retry(countdown=60 * (self.request.retries + 1))
    return {"sent": report.sent, "failed": report.failed, "skipped": report.skipped}
