"""Log-in by e-mail, throttling, password reset by e-mail, and dated memberships."""

import datetime
import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from pvd.accounts import policy
from pvd.accounts.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
def camille(db):
    return UserFactory(email="camille.martin@agglo-saint-dizier.fr", full_name="Camille Martin")


def login(client: Client, email: str, password: str):
    return client.post("/comptes/connexion/", {"username": email, "password": password})


def test_login_with_the_e_mail_in_any_case(camille) -> None:
    client = Client()
    response = login(client, "Camille.Martin@Agglo-Saint-Dizier.fr", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == camille


def test_wrong_password_gets_a_french_message(camille) -> None:
    response = login(Client(), camille.email, "mauvais")
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()


def test_five_failures_lock_the_account_even_with_the_right_password(camille) -> None:
    client = Client()
    for _ in range(5):
        login(client, camille.email, "mauvais")
    response = login(client, camille.email, PASSWORD)
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(camille) -> None:
    client = Client()
    client.force_login(camille)
    assert client.post("/comptes/deconnexion/").status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_password_reset_mails_a_working_link(camille, django_capture_on_commit_callbacks) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comptes/mot-de-passe/oubli/", {"email": camille.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [camille.email]
    assert message.subject == "PVD Pilot — choisir un nouveau mot de passe"
    link = re.search(r"https?://[^/]+(/comptes/mot-de-passe/nouveau/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "Wassy-La-Porte-2026!"
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    camille.refresh_from_db()
    assert camille.check_password(new_password)


def test_password_reset_does_not_reveal_unknown_addresses(db) -> None:
    response = Client().post("/comptes/mot-de-passe/oubli/", {"email": "inconnu@exemple.fr"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_sessions_expire_after_a_working_day_and_with_the_browser(settings) -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_a_mayor_elected_in_march_2026_takes_over_from_the_former_one(territory) -> None:
    former, elected = UserFactory(), UserFactory()
    MembershipFactory(
        user=former,
        role=Role.MAYOR,
        commune=territory.wassy,
        valid_from=datetime.date(2020, 7, 1),
        valid_until=datetime.date(2026, 3, 27),
    )
    MembershipFactory(
        user=elected, role=Role.MAYOR, commune=territory.wassy, valid_from=datetime.date(2026, 3, 28)
    )
    before, after = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
    assert territory.wassy.pk in policy.scope_for(former, on=before).mayor_communes
    assert territory.wassy.pk not in policy.scope_for(former, on=after).mayor_communes
    assert territory.wassy.pk not in policy.scope_for(elected, on=before).mayor_communes
    assert territory.wassy.pk in policy.scope_for(elected, on=after).mayor_communes


def test_a_mayor_membership_must_name_a_commune(territory) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), role=Role.MAYOR, programme=territory.programme)


def test_an_operator_membership_must_name_a_housing_programme(territory) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), role=Role.OPERATOR, programme=territory.programme)


def test_a_membership_cannot_end_before_it_starts(territory) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=UserFactory(),
            role=Role.MANAGER,
            programme=territory.programme,
            valid_from=datetime.date(2026, 5, 1),
            valid_until=datetime.date(2026, 4, 1),
        )


def test_a_deactivated_account_sees_nothing(territory, manager) -> None:
    manager.is_active = False
    assert policy.scope_for(manager).programmes == frozenset()
