"""Background jobs of governance (issue 8): thin wrappers, ids in (STYLE.md §18)."""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_notification(notification_id: int, site_url: str = "") -> bool:
    """E-mail one notification (queued on commit by `notify`); idempotent: sent once. H6 owns the message."""
    from pvd.governance.services.emails import send_notification_email  # lazy: services queue us

    return send_notification_email(notification_id=notification_id, site_url=site_url)


@shared_task
def refresh_alerts() -> dict[str, int]:
    """Daily (beat): collect every programme's alert candidates; raise, escalate, resolve. H5 owns the engine."""
    from pvd.governance.alerts.engine import refresh_all

    return refresh_all()


@shared_task
def send_weekly_digests() -> int:
    """Monday morning (beat): each user's weekly digest, by role. H6 owns the digest."""
    from pvd.governance.services.digest import send_weekly_digests as send

    return send()


@shared_task
def send_meeting_invitations(meeting_id: int, site_url: str = "") -> int:
    """E-mail the invitations of a meeting with its iCal attachment (queued on commit). H1 owns the service."""
    from pvd.governance.services.meetings import send_invitations

    return send_invitations(meeting_id=meeting_id, site_url=site_url)
