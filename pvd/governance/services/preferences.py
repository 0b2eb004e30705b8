"""Writes of a user's notification preferences and calendar token (issue 8, H6)."""

from django.db import transaction

from pvd.accounts.models import User
from pvd.governance.models import EmailAlerts, NotificationPreference
from pvd.governance.models.alerts import new_calendar_token
from pvd.governance.services.notify import preferences_for


@transaction.atomic
def preferences_update(
    *, user: User, email_alerts: str, email_decisions: bool, weekly_digest: bool
) -> NotificationPreference:
    """Record what `user` wants by e-mail and whether they get the weekly digest."""
    if email_alerts not in EmailAlerts.values:
        from django.core.exceptions import ValidationError

        raise ValidationError({"email_alerts": "Choisissez une option pour les alertes par e-mail."})
    preference = preferences_for(user)
    preference.email_alerts = email_alerts
    preference.email_decisions = email_decisions
    preference.weekly_digest = weekly_digest
    preference.save(update_fields=["email_alerts", "email_decisions", "weekly_digest"])
    return preference


@transaction.atomic
def calendar_token_reset(*, user: User) -> NotificationPreference:
    """A new secret for the user's calendar feed: the old address stops working at once."""
    preference = preferences_for(user)
    preference.calendar_token = new_calendar_token()
    preference.save(update_fields=["calendar_token"])
    return preference
