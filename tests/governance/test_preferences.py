"""Preferences (issue 8, H6): every user sets what they get by e-mail and the weekly digest, reads the absolute
address of their calendar feed, and makes a new one (the old stops working)."""

from django.urls import reverse

from pvd.governance.models import EmailAlerts, NotificationPreference
from pvd.governance.services.notify import preferences_for
from tests.factories import UserFactory


def test_the_page_shows_the_defaults_and_the_absolute_calendar_address(territory, manager, client) -> None:
    client.force_login(manager)
    html = client.get(reverse("governance:preferences")).content.decode()
    token = preferences_for(manager).calendar_token
    assert f'value="http://testserver/gouvernance/calendrier/{token}.ics"' in html
    assert 'for="adresse-calendrier"' in html
    assert "Seulement les alertes critiques et celles qui me sont remontées" in html
    assert 'value="critical"' in html and "checked" in html


def test_a_user_changes_their_email_alerts_decisions_and_digest(territory, mayor_of_wassy, client) -> None:
    client.force_login(mayor_of_wassy)
    response = client.post(
        reverse("governance:preferences"), {"email_alerts": EmailAlerts.NONE, "email_decisions": "on"}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=mayor_of_wassy)
    assert preference.email_alerts == EmailAlerts.NONE
    assert preference.email_decisions is True
    assert preference.weekly_digest is False
    assert "Vos préférences ont été enregistrées." in client.get(response["Location"]).content.decode()


def test_an_unknown_choice_is_refused_with_a_french_message_and_nothing_saved(
    territory, manager, client
) -> None:
    client.force_login(manager)
    response = client.post(reverse("governance:preferences"), {"email_alerts": "sms", "weekly_digest": "on"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert preferences_for(manager).email_alerts == EmailAlerts.CRITICAL


def test_a_user_without_any_role_has_preferences_too(territory, client) -> None:
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("governance:preferences")).status_code == 200
    assert NotificationPreference.objects.filter(user=user).exists()


def test_a_new_calendar_address_replaces_the_old_one(territory, manager, client) -> None:
    client.force_login(manager)
    old = preferences_for(manager).calendar_token
    response = client.post(reverse("governance:calendar_reset"), follow=True)
    new = preferences_for(manager).calendar_token
    html = response.content.decode()
    assert new != old
    assert f"/gouvernance/calendrier/{new}.ics" in html and old not in html
    assert "l&#x27;ancienne ne fonctionne plus" in html
    assert client.get(reverse("governance:calendar_feed", args=[old])).status_code == 404


def test_the_calendar_reset_is_post_only(territory, manager, client) -> None:
    client.force_login(manager)
    old = preferences_for(manager).calendar_token
    assert client.get(reverse("governance:calendar_reset")).status_code == 405
    assert preferences_for(manager).calendar_token == old


def test_a_user_only_ever_changes_their_own_preferences(territory, manager, partner, client) -> None:
    preferences_for(partner)
    client.force_login(manager)
    client.post(reverse("governance:preferences"), {"email_alerts": EmailAlerts.ALL})
    assert preferences_for(partner).email_alerts == EmailAlerts.CRITICAL
    assert preferences_for(manager).email_alerts == EmailAlerts.ALL
