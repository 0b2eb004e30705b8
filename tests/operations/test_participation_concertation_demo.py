"""The concertation demo: « Révéler Wassy », the OPAH-RU office hours, the L103-2 concertation on the brownfield
and a planned workshop, readable on the pages; retained contributions changed W-01, W-02 and W-08."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from operations.models import ConcertationEvent, Contribution, Operation
from operations.participation.models import EventFormat, EventStatus
from programmes.models import Programme
from pvd.accounts.models import User


@pytest.fixture
def demo(db, settings) -> Programme:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get()


def _client(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_the_demo_concertation_is_readable(demo: Programme) -> None:
    events = ConcertationEvent.objects.filter(programme=demo)
    assert events.filter(format=EventFormat.SURVEY, ends_on__isnull=False).count() == 1
    assert events.filter(format=EventFormat.GUIDED_WALK, status=EventStatus.HELD).count() == 2
    assert events.filter(format=EventFormat.OFFICE_HOURS).count() >= 10
    assert events.filter(status=EventStatus.PLANNED).exists()
    changed = set(
        Contribution.objects.filter(event__programme=demo, effect_operation__isnull=False).values_list(
            "effect_operation__code", flat=True
        )
    )
    assert {"W-01", "W-02", "W-08"} <= changed

    manager = _client("cheffe-de-projet@pvd.example")
    hub = manager.get(reverse("operations:participation", args=[demo.pk]))
    assert hub.status_code == 200 and hub.context["hub"].figures.bilan_missing == 1
    assert manager.get(reverse("operations:concertation_plan", args=[demo.pk])).status_code == 200
    assert manager.get(reverse("operations:concertation_events", args=[demo.pk])).status_code == 200
    walk = events.get(title__startswith="Balade urbaine : la place Notre-Dame")
    assert manager.get(reverse("operations:concertation_event", args=[walk.pk])).status_code == 200
    w01 = Operation.objects.get(programme=demo, code="W-01")
    html = manager.get(reverse("operations:detail", args=[w01.pk])).content.decode()
    assert "Six places de stationnement minute" in html

    mayor = _client("maire-la-porte-du-der@pvd.example")
    assert mayor.get(reverse("operations:concertation_event", args=[walk.pk])).status_code == 404
    listing = mayor.get(reverse("operations:concertation_events", args=[demo.pk]))
    assert {e.title for e in listing.context["data"].page} <= set(
        events.filter(communes__insee_code="52331").values_list("title", flat=True)
    )
