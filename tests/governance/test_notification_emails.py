"""Notification e-mails (issue 8, H6): the e-mail copy of a notification — subject « [PVD Pilot] <title> », plain
text and HTML with an absolute link — sent once however often the task runs, as the preferences say."""

from django.core import mail
from django.urls import reverse

from pvd.governance.models import AlertLevel, EmailAlerts, Notification, NotificationKind
from pvd.governance.services.emails import send_notification_email
from pvd.governance.services.notify import notify, preferences_for
from tests.governance.factories import AlertFactory, NotificationFactory

SITE = "https://pvd.example.fr"


def test_a_decision_request_is_emailed_with_its_subject_and_absolute_link(
    territory, referent, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            user=referent,
            kind=NotificationKind.DECISION_REQUESTED,
            title="Arbitrage ARB-2026-004 : décision attendue",
            body="Report de la phase 2 de la halle.",
            url="/gouvernance/arbitrages/4/",
        )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [referent.email]
    assert message.subject == "[PVD Pilot] Arbitrage ARB-2026-004 : décision attendue"
    assert "Report de la phase 2 de la halle." in message.body
    assert "/gouvernance/arbitrages/4/" in message.body and "://" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http' in html and "/gouvernance/arbitrages/4/" in html
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_a_notification_is_emailed_only_once(territory, manager) -> None:
    notification = NotificationFactory(user=manager, title="Nouvelle alerte", url="/gouvernance/alertes/1/")

    assert send_notification_email(notification_id=notification.pk, site_url=SITE) is True
    assert send_notification_email(notification_id=notification.pk, site_url=SITE) is False

    assert len(mail.outbox) == 1
    assert f"{SITE}/gouvernance/alertes/1/" in mail.outbox[0].body


def test_without_a_page_the_link_opens_the_notifications(territory, manager) -> None:
    notification = NotificationFactory(user=manager, title="Pour information")
    send_notification_email(notification_id=notification.pk, site_url=SITE)
    assert SITE + reverse("governance:notifications") in mail.outbox[0].body


def test_nothing_is_sent_to_a_user_made_inactive_or_for_a_deleted_notification(territory, manager) -> None:
    notification = NotificationFactory(user=manager)
    manager.is_active = False
    manager.save()
    assert send_notification_email(notification_id=notification.pk, site_url=SITE) is False
    assert send_notification_email(notification_id=999999, site_url=SITE) is False
    assert mail.outbox == []
    assert Notification.objects.get(pk=notification.pk).emailed_at is None


def test_a_user_who_wants_no_alert_emails_gets_the_alert_in_the_app_only(
    territory, manager, django_capture_on_commit_callbacks
) -> None:
    preference = preferences_for(manager)
    preference.email_alerts = EmailAlerts.NONE
    preference.save()
    alert = AlertFactory(programme=territory.programme, level=AlertLevel.CRITICAL)

    with django_capture_on_commit_callbacks(execute=True):
        notify(user=manager, kind=NotificationKind.ALERT, title="Alerte critique", alert=alert)

    assert mail.outbox == []
    assert Notification.objects.filter(user=manager, title="Alerte critique").exists()


def test_the_task_sends_through_the_same_service(territory, manager) -> None:
    from pvd.governance.tasks import email_notification

    notification = NotificationFactory(user=manager, title="Par la tâche")
    assert email_notification.delay(notification.pk, SITE).get() is True
    assert email_notification.delay(notification.pk, SITE).get() is False
    assert [m.subject for m in mail.outbox] == ["[PVD Pilot] Par la tâche"]
