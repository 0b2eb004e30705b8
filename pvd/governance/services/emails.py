"""Notification e-mails (issue 8, H6): the e-mail copy of an in-app notification, plain text and HTML, with an
absolute link to what it is about; sent once (`emailed_at`), whatever the number of times the task runs."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pvd.governance.models import Notification

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[PVD Pilot]"
TEMPLATES = "governance/emails"


def subject_for(title: str) -> str:
    """« [PVD Pilot] <title> » on one line."""
    return f"{SUBJECT_PREFIX} {' '.join(title.split())}"


def absolute(site_url: str, path: str) -> str:
    """An absolute link: `path` as is when it already is one, else on `site_url` (the settings' by default)."""
    if path.startswith(("http://", "https://")):
        return path
    return (site_url or settings.SITE_URL).rstrip("/") + path


def send_html_email(*, to: str, subject: str, template: str, context: dict[str, object]) -> None:
    """One e-mail rendered from `<template>.txt` and `<template>.html` (the HTML as an alternative)."""
    text = render_to_string(f"{TEMPLATES}/{template}.txt", context)
    html = render_to_string(f"{TEMPLATES}/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_notification_email(*, notification_id: int, site_url: str) -> bool:
    """E-mail the notification to its user, once: True when sent now; False when already sent, gone, or the user
    has no address or was made inactive. The notification is marked first (a second run finds it sent); a
    delivery failure unmarks it so that the task's retry sends it."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return False
    user = notification.user
    if not user.is_active or not user.email:
        return False
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=now)
    if not claimed:
        return False
    link = absolute(site_url, notification.url or reverse("governance:notifications"))
    context = {
        "notification": notification,
        "user": user,
        "link": link,
        "notifications_url": absolute(site_url, reverse("governance:notifications")),
        "preferences_url": absolute(site_url, reverse("governance:preferences")),
    }
    try:
        send_html_email(
            to=user.email, subject=subject_for(notification.title), template="notification", context=context
        )
    except Exception:
        Notification.objects.filter(pk=notification.pk, emailed_at=now).update(emailed_at=None)
        logger.warning("E-mail de la notification %s non envoyé", notification.pk, exc_info=True)
        raise
    return True
