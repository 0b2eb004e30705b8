"""The shared iCal builder (RFC 5545, on the `icalendar` library): meetings as timed events in Europe/Paris with
their VTIMEZONE, deadlines as all-day events, and the calendar wrapper. Used by the invitations and the meeting's
.ics (H1, METHOD:REQUEST) and by the personal calendar feed (H6)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.urls import reverse
from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//PVD Pilot//Gouvernance//FR"
# A meeting without an end time is shown as lasting two hours.
DEFAULT_MEETING_DURATION = datetime.timedelta(hours=2)


def site_host(site_url: str) -> str:
    """The host part of the site's URL, for the UIDs (`meeting-12@pvd.example.fr`)."""
    return urlsplit(site_url).hostname or "pvd-pilot"


def absolute_url(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + path


def meeting_uid(meeting, *, site_url: str) -> str:
    """Stable per meeting: an update (new SEQUENCE) replaces the event in the attendee's calendar."""
    return f"meeting-{meeting.pk}@{site_host(site_url)}"


def _agenda_lines(meeting) -> list[str]:
    # `meeting.items.all()` uses the prefetch when the caller made one (the feed does).
    return [f"{item.order}. {item.title}" for item in meeting.items.all()]


def meeting_event(meeting, *, site_url: str) -> icalendar.Event:
    """One meeting: UID `meeting-<pk>@<host>`, DTSTART/DTEND in Europe/Paris, SUMMARY the body's name, LOCATION,
    DESCRIPTION with the agenda, URL to the meeting page, SEQUENCE = the meeting's version, CANCELLED when it is."""
    from pvd.governance.models import MeetingStatus

    starts = timezone.localtime(meeting.starts_at, PARIS)
    ends = (
        timezone.localtime(meeting.ends_at, PARIS) if meeting.ends_at else starts + DEFAULT_MEETING_DURATION
    )
    url = absolute_url(site_url, reverse("governance:meeting", args=[meeting.pk]))

    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting, site_url=site_url))
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", str(meeting.committee))
    if meeting.place:
        event.add("location", meeting.place)
    description = []
    if meeting.purpose:
        description.append(meeting.purpose.strip())
    agenda = _agenda_lines(meeting)
    if agenda:
        description.append("Ordre du jour :\n" + "\n".join(agenda))
    description.append(url)
    event.add("description", "\n\n".join(description))
    event.add("url", url)
    event.add("sequence", int(getattr(meeting, "version", 0) or 0))
    if meeting.status == MeetingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def deadline_event(
    *, uid: str, summary: str, day: datetime.date, description: str = "", url: str = ""
) -> icalendar.Event:
    """A deadline: an all-day event (VALUE=DATE) on `day`."""
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    return event


def calendar_bytes(events: Iterable[icalendar.Event], *, name: str, method: str | None = None) -> bytes:
    """The VCALENDAR around `events` (PRODID, VERSION 2.0, X-WR-CALNAME, METHOD when given), with the VTIMEZONE
    of every TZID used (Europe/Paris)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method.upper())
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
