"""The personal calendar feed (issue 8, H6): what a user's calendar application subscribes to with the secret
address of their preferences page.

- the meetings the user sees, from 3 months back to 12 months ahead (timed events, Europe/Paris);
- deadlines as all-day events: for managers and referents the active alerts of their programmes with a due date;
  for referents the arbitrations awaiting their decision with a `due_on`; for mayors their commune's subsidy and
  procurement deadlines (the commune page's selectors) — never household data.

A fixed number of queries whatever the data size (the mayor's deadlines: three per commune they are mayor of).
"""

import datetime

import icalendar
from django.urls import reverse

from budget.selectors.commune_page import subsidy_deadlines
from operations.models import Operation
from operations.selectors.commune_page import procurement_deadlines
from partners.models import Organisation
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.governance import ical
from pvd.governance.models import ACTIVE_STATUSES, Alert, Meeting, NotificationPreference
from pvd.governance.selectors.week import awaiting_referent, day_start

MONTHS_BACK = 3
MONTHS_AHEAD = 12


def feed_owner(token: str) -> User | None:
    """The active user with a role whose calendar token this is, else None (the feed answers 404)."""
    preference = NotificationPreference.objects.select_related("user").filter(calendar_token=token).first()
    if preference is None or not preference.user.is_active:
        return None
    if not policy.scope_for(preference.user).has_any_role:
        return None
    return preference.user


def _months(day: datetime.date, months: int) -> datetime.date:
    """`day` shifted by `months` (the last day of a shorter month when needed)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def feed_window(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    return _months(day, -MONTHS_BACK), _months(day, MONTHS_AHEAD)


def feed_events(user: User, *, site_url: str, day: datetime.date | None = None) -> list[icalendar.Event]:
    """The user's events, one per UID."""
    day = day or policy.today()
    scope = policy.scope_for(user)
    first, last = feed_window(day)
    events: dict[str, icalendar.Event] = {}

    meetings = (
        Meeting.objects.visible_to(user)
        .filter(starts_at__gte=day_start(first), starts_at__lt=day_start(last))
        .select_related("committee")
        .prefetch_related("items")
        .order_by("starts_at", "pk")
    )
    for meeting in meetings:
        event = ical.meeting_event(meeting, site_url=site_url)
        events[str(event["uid"])] = event

    host = ical.site_host(site_url)
    alert_programmes = scope.managed_programmes | scope.referent_programmes
    if alert_programmes:
        alerts = (
            Alert.objects.visible_to(user)
            .filter(
                programme_id__in=alert_programmes,
                status__in=ACTIVE_STATUSES,
                due_on__isnull=False,
                due_on__gte=first,
                due_on__lte=last,
            )
            .select_related("programme")
            .order_by("due_on", "pk")
        )
        for alert in alerts:
            uid = f"alert-{alert.pk}@{host}"
            events[uid] = ical.deadline_event(
                uid=uid,
                summary=f"Échéance : {alert.title}",
                day=alert.due_on,
                description=f"{alert.get_level_display()} — {alert.programme.name}\n{alert.detail}".strip(),
                url=ical.absolute_url(site_url, reverse("governance:alert", args=[alert.pk])),
            )

    if scope.referent_programmes:
        for arbitration in awaiting_referent(user, scope.referent_programmes):
            if arbitration.due_on is None or not first <= arbitration.due_on <= last:
                continue
            uid = f"arbitration-{arbitration.pk}@{host}"
            events[uid] = ical.deadline_event(
                uid=uid,
                summary=f"Arbitrage à rendre : {arbitration.reference} — {arbitration.title}",
                day=arbitration.due_on,
                description=f"Décision attendue de l'élu(e) référent(e) — {arbitration.programme.name}",
                url=ical.absolute_url(site_url, reverse("governance:arbitration", args=[arbitration.pk])),
            )

    for commune in Organisation.objects.filter(pk__in=scope.mayor_communes).order_by("name", "pk"):
        operations = Operation.objects.filter(communes=commune)
        commune_url = ical.absolute_url(site_url, reverse("commune", args=[commune.insee_code]))
        for deadline in subsidy_deadlines(operations, day):
            if not first <= deadline.due_on <= last:
                continue
            uid = f"subsidy-{deadline.request_id}-{deadline.code}@{host}"
            events[uid] = ical.deadline_event(
                uid=uid,
                summary=f"Subvention : {deadline.label} — {deadline.request_title}",
                day=deadline.due_on,
                description=f"Commune de {commune.name}. {deadline.rule}".strip(),
                url=commune_url,
            )
        for item in procurement_deadlines(operations, day):
            if not first <= item.due_on <= last:
                continue
            uid = f"consultation-{item.consultation_id}-{item.code}@{host}"
            events[uid] = ical.deadline_event(
                uid=uid,
                summary=f"Marché public : {item.label} — {item.consultation_title}",
                day=item.due_on,
                description=f"Commune de {commune.name}. {item.rule}".strip(),
                url=commune_url,
            )
    return list(events.values())
