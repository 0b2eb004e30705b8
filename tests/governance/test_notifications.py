"""The user's notifications (issue 8): their own only, unread first, paginated at a constant query count;
opening one marks it read and goes to its page — a local path only, never an open redirect; marking all read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pvd.governance.models import Notification
from pvd.governance.views.notifications import is_local_path
from tests.conftest import Territory
from tests.governance.factories import NotificationFactory

LIST = reverse("governance:notifications")


def test_the_list_shows_my_notifications_unread_first(
    territory: Territory, client_for: object, manager: object
) -> None:
    NotificationFactory(user=manager, title="Lue", read_at=timezone.now())
    NotificationFactory(user=manager, title="Non lue")
    NotificationFactory(title="Celle d'un autre")
    response = client_for("manager").get(LIST)
    assert [n.title for n in response.context["notifications"]] == ["Non lue", "Lue"]
    html = response.content.decode()
    assert "1 non lue" in html
    assert "Celle d'un autre" not in html


def test_staff_see_only_their_own_notifications(
    territory: Territory, client_for: object, manager: object
) -> None:
    NotificationFactory(user=manager, title="Pour la chargée de mission")
    response = client_for("staff").get(LIST)
    assert list(response.context["notifications"]) == []


def _queries(client: object) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_the_same_queries_with_ten_times_the_notifications(
    territory: Territory, client_for: object, manager: object
) -> None:
    client = client_for("manager")
    NotificationFactory(user=manager)
    one = _queries(client)
    NotificationFactory.create_batch(9, user=manager)
    assert _queries(client) == one


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    territory: Territory, client_for: object, manager: object
) -> None:
    notification = NotificationFactory(user=manager, url="/gouvernance/alertes/12/")
    response = client_for("manager").get(reverse("governance:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/gouvernance/alertes/12/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "",
        "relative/path",
    ],
)
def test_opening_a_notification_never_redirects_outside_the_site(
    url: str, territory: Territory, client_for: object, manager: object
) -> None:
    notification = NotificationFactory(user=manager, url=url)
    response = client_for("manager").get(reverse("governance:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not is_local_path(url)


def test_another_users_notification_is_404_and_stays_unread(
    territory: Territory, client_for: object, referent: object
) -> None:
    notification = NotificationFactory(user=referent)
    for persona in ["manager", "staff"]:
        response = client_for(persona).get(reverse("governance:notification_open", args=[notification.pk]))
        assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_all_read_touches_only_my_unread_notifications(
    territory: Territory, client_for: object, manager: object, referent: object
) -> None:
    NotificationFactory.create_batch(3, user=manager)
    theirs = NotificationFactory(user=referent)
    response = client_for("manager").post(reverse("governance:notification_read_all"), follow=True)
    assert "3 notifications marquées comme lues." in response.content.decode()
    assert not Notification.objects.filter(user=manager, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
