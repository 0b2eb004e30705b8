"""Background jobs of the accounts app: thin wrappers, strings and ids in."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.utils import timezone


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send one e-mail; SMTP hiccups are retried with a growing delay."""
    return send_mail(subject, body, None, recipients)


@shared_task
def purge_expired_sessions() -> int:
    """Nightly (beat): delete expired sessions, what `manage.py clearsessions` does."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
