"""The personal calendar feed (issue 8, H6): token-protected, parsed back with `icalendar` — meetings as timed
events in Europe/Paris with their VTIMEZONE, deadlines as all-day events, UIDs unique and stable — by role, never
household data, a new token kills the old address, and a query count that does not grow with the data."""

import datetime

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from operations.models import OperationStatus
from pvd.accounts.models import Membership
from pvd.governance import ical
from pvd.governance.models import AlertLevel, ArbitrationStatus, MeetingStatus
from pvd.governance.services.notify import preferences_for
from tests.budget.subsidy_rows import awarded_request
from tests.factories import HousingProgrammeFactory
from tests.governance.factories import (
    PARIS,
    AgendaItemFactory,
    AlertFactory,
    ArbitrationFactory,
    CommitteeFactory,
    MeetingFactory,
)
from tests.operations.factories import OperationFactory
from tests.operations.housing_factories import HousingFileFactory

D = datetime.timedelta


def today() -> datetime.date:
    return timezone.localdate()


def at(days: int, hour: int = 14) -> datetime.datetime:
    """`days` from today at `hour` o'clock, Paris time."""
    day = today() + D(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS)


def meeting(territory, days: int, **fields):
    committee = fields.pop("committee", None) or CommitteeFactory(programme=territory.programme)
    return MeetingFactory(committee=committee, starts_at=at(days), ends_at=at(days, 16), **fields)


def feed(client, user) -> icalendar.Calendar:
    response = client.get(reverse("governance:calendar_feed", args=[preferences_for(user).calendar_token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    found = list(calendar.walk("VEVENT"))
    uids = [str(e["uid"]) for e in found]
    assert len(uids) == len(set(uids)), "UID en double"
    return {str(e["summary"]): e for e in found}


def test_the_managers_feed_parses_back_with_meetings_in_paris_time_and_deadlines_as_dates(
    territory, manager, client
) -> None:
    committee = CommitteeFactory(programme=territory.programme, name="Comité de projet PVD")
    upcoming = meeting(territory, 5, committee=committee, place="Mairie de Wassy")
    AgendaItemFactory(meeting=upcoming, order=1, title="Avancement de la halle")
    AlertFactory(programme=territory.programme, title="Demande de solde DETR", due_on=today() + D(days=20))

    calendar = feed(client, manager)

    assert str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-calname"]).startswith("PVD Pilot")
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    found = events(calendar)
    event = found["Comité de projet PVD"]
    start = event.decoded("dtstart")
    assert isinstance(start, datetime.datetime)
    assert start == at(5) and str(start.tzinfo) == "Europe/Paris"
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event.decoded("dtend") == at(5, 16)
    assert str(event["uid"]).startswith(f"meeting-{upcoming.pk}@")
    assert str(event["location"]) == "Mairie de Wassy"
    assert "1. Avancement de la halle" in str(event["description"])
    assert str(event["url"]).endswith(reverse("governance:meeting", args=[upcoming.pk]))
    deadline = found["Échéance : Demande de solde DETR"]
    assert deadline.decoded("dtstart") == today() + D(days=20)
    assert not isinstance(deadline.decoded("dtstart"), datetime.datetime)  # all-day (VALUE=DATE)


def test_a_cancelled_meeting_says_so_and_its_sequence_follows_its_version(territory, manager, client) -> None:
    cancelled = meeting(territory, 3, status=MeetingStatus.CANCELLED)
    type(cancelled).objects.filter(pk=cancelled.pk).update(version=4)

    event = next(iter(feed(client, manager).walk("VEVENT")))

    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 4


def test_meetings_outside_three_months_back_to_twelve_ahead_are_left_out(territory, manager, client) -> None:
    committee = CommitteeFactory(programme=territory.programme, name="COPIL")
    meeting(territory, -100, committee=committee, status=MeetingStatus.HELD)
    kept_past = meeting(territory, -80, committee=committee, status=MeetingStatus.HELD)
    kept_future = meeting(territory, 360, committee=committee)
    meeting(territory, 380, committee=committee)

    uids = {str(e["uid"]) for e in feed(client, manager).walk("VEVENT")}

    assert {uid.split("@")[0] for uid in uids} == {f"meeting-{kept_past.pk}", f"meeting-{kept_future.pk}"}


def test_the_referent_gets_the_arbitrations_awaiting_their_decision_not_the_drafts(
    territory, referent, client
) -> None:
    ArbitrationFactory(
        programme=territory.programme,
        title="Report de la phase 2",
        status=ArbitrationStatus.SUBMITTED,
        due_on=today() + D(days=9),
    )
    ArbitrationFactory(programme=territory.programme, title="Brouillon", due_on=today() + D(days=9))

    found = events(feed(client, referent))

    titles = [title for title in found if title.startswith("Arbitrage à rendre")]
    assert len(titles) == 1 and "Report de la phase 2" in titles[0]
    assert found[titles[0]].decoded("dtstart") == today() + D(days=9)


def test_a_mayor_gets_meetings_and_the_communes_subsidy_deadlines_never_household_data_nor_alerts(
    territory, manager, mayor_of_wassy, client
) -> None:
    meeting(territory, 7)
    # Notified 18 months ago: the DETR start deadline (24 months) falls in 6 months, inside the feed's window.
    notified = today() - D(days=548)
    operation = OperationFactory(
        programme=territory.programme,
        owner=territory.wassy,
        communes=[territory.wassy],
        status=OperationStatus.COMMITTED,
    )
    awarded_request(
        territory,
        manager,
        operation=operation,
        title="DETR — Halle de Wassy",
        filed_on=notified - D(days=90),
        notified_on=notified,
    )
    housing = HousingProgrammeFactory(communes=[territory.wassy], owner=territory.wassy)
    HousingFileFactory(housing_programme=housing, commune=territory.wassy, applicant_name="Famille Secrète")
    AlertFactory(programme=territory.programme, title="Alerte interne", due_on=today() + D(days=5))

    response = client.get(
        reverse("governance:calendar_feed", args=[preferences_for(mayor_of_wassy).calendar_token])
    )
    found = events(icalendar.Calendar.from_ical(response.content))

    subsidies = [title for title in found if title.startswith("Subvention :")]
    assert subsidies and all("DETR — Halle de Wassy" in title for title in subsidies)
    assert all(not isinstance(found[t].decoded("dtstart"), datetime.datetime) for t in subsidies)
    assert not any("Alerte interne" in title for title in found)
    assert "Famille Secrète" not in response.content.decode()
    assert len([e for e in found.values() if str(e["uid"]).startswith("meeting-")]) == 1


def test_a_partner_gets_the_meetings_but_no_alert(territory, partner, client) -> None:
    meeting(territory, 2)
    AlertFactory(programme=territory.programme, title="Alerte interne", due_on=today() + D(days=5))

    found = events(feed(client, partner))

    assert len(found) == 1 and str(next(iter(found.values()))["uid"]).startswith("meeting-")


def test_an_unknown_token_answers_404(territory, client) -> None:
    assert client.get(reverse("governance:calendar_feed", args=["pas-un-jeton"])).status_code == 404


def test_the_feed_of_a_user_made_inactive_or_without_any_active_role_answers_404(
    territory, manager, partner, client
) -> None:
    manager_url = reverse("governance:calendar_feed", args=[preferences_for(manager).calendar_token])
    partner_url = reverse("governance:calendar_feed", args=[preferences_for(partner).calendar_token])
    manager.is_active = False
    manager.save()
    Membership.objects.filter(user=partner).update(valid_until=today() - D(days=1))

    assert client.get(manager_url).status_code == 404
    assert client.get(partner_url).status_code == 404


def test_a_new_token_makes_the_old_address_stop_working(territory, manager, client) -> None:
    old = reverse("governance:calendar_feed", args=[preferences_for(manager).calendar_token])
    client.force_login(manager)

    response = client.post(reverse("governance:calendar_reset"))

    assert response.status_code == 302
    new = reverse("governance:calendar_feed", args=[preferences_for(manager).calendar_token])
    assert new != old
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_the_shared_builder_writes_an_invitation_with_its_method(territory) -> None:
    invitation = meeting(territory, 4)
    body = ical.calendar_bytes(
        [ical.meeting_event(invitation, site_url="https://pvd.example.fr")],
        name="Invitation",
        method="request",
    )
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["method"]) == "REQUEST"
    assert str(calendar["prodid"]) == ical.PRODID
    assert str(next(iter(calendar.walk("VEVENT")))["uid"]) == f"meeting-{invitation.pk}@pvd.example.fr"


def grow(territory, factor: int) -> None:
    committee = CommitteeFactory(programme=territory.programme)
    for n in range(factor):
        upcoming = meeting(territory, 1 + n, committee=committee)
        AgendaItemFactory(meeting=upcoming)
        AgendaItemFactory(meeting=upcoming)
        AlertFactory(programme=territory.programme, level=AlertLevel.CRITICAL, due_on=today() + D(days=n + 1))
        ArbitrationFactory(
            programme=territory.programme, status=ArbitrationStatus.SUBMITTED, due_on=today() + D(days=n + 1)
        )


def test_the_feed_costs_the_same_queries_with_ten_times_the_data(
    territory, manager, referent, client
) -> None:
    membership = Membership.objects.get(user=referent)
    Membership.objects.create(
        user=manager, role="referent", programme=territory.programme, valid_from=membership.valid_from
    )
    url = reverse("governance:calendar_feed", args=[preferences_for(manager).calendar_token])
    counts = []
    for factor in (1, 10):
        grow(territory, factor if not counts else factor - 1)
        with CaptureQueriesContext(connection) as queries:
            calendar = icalendar.Calendar.from_ical(client.get(url).content)
        counts.append(len(queries))
    assert len(list(calendar.walk("VEVENT"))) == 30
    assert counts[0] == counts[1]


@pytest.mark.parametrize("token", ["", "a" * 80])
def test_odd_tokens_answer_404(territory, client, token) -> None:
    assert client.get(f"/gouvernance/calendrier/{token}.ics").status_code == 404
