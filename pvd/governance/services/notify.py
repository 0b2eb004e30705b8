"""Notifications (issue 8): one entry point that writes the in-app notification and, as the user's preferences
say, queues its e-mail once the transaction commits."""

from django.conf import settings
from django.db import transaction

from pvd.accounts.models import User
from pvd.governance.models import (
    Alert,
    AlertLevel,
    Arbitration,
    EmailAlerts,
    Notification,
    NotificationKind,
    NotificationPreference,
)

# Kinds about a decision (requested, rendered): e-mailed when `email_decisions` is on.
DECISION_KINDS = frozenset({NotificationKind.DECISION_REQUESTED, NotificationKind.DECIDED})


def preferences_for(user: User) -> NotificationPreference:
    """The user's preferences, created with the defaults on first use."""
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    return preference


def wants_email(preference: NotificationPreference, *, kind: str, alert: Alert | None) -> bool:
    """Whether this notification also goes by e-mail, by the user's preferences."""
    if kind in DECISION_KINDS or kind == NotificationKind.MEETING:
        return preference.email_decisions
    if kind == NotificationKind.DIGEST:
        return preference.weekly_digest
    if preference.email_alerts == EmailAlerts.NONE:
        return False
    if preference.email_alerts == EmailAlerts.ALL:
        return True
    return kind == NotificationKind.ESCALATION or (alert is not None and alert.level == AlertLevel.CRITICAL)


def notify(
    *,
    user: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    alert: Alert | None = None,
    arbitration: Arbitration | None = None,
    email: bool | None = None,
) -> Notification:
    """Write an in-app notification for `user`; e-mail it on commit when `email` (default: the preferences)."""
    notification = Notification.objects.create(
        user=user, kind=kind, title=title[:250], body=body, url=url, alert=alert, arbitration=arbitration
    )
    send = wants_email(preferences_for(user), kind=kind, alert=alert) if email is None else email
    if send and user.email and user.is_active:
        from pvd.governance.tasks import email_notification  # lazy: tasks import services

        transaction.on_commit(lambda: email_notification.delay(notification.pk, settings.SITE_URL))
    return notification
