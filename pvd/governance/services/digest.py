"""The weekly digest (issue 8, H6), sent on Monday morning (beat `send-weekly-digests`).

One e-mail per active user with a role whose preference `weekly_digest` is on and who has something to read:
- what is coming in the next 7 days, by role as on « Ma semaine » (`selectors.week`): the manager's alerts, tasks
  and deadlines, the referent's decisions to take and escalated alerts, everyone's meetings;
- what changed in the last 7 days: alerts raised and resolved (managers and referents), decisions taken;
- mayors: their commune's summary (`pvd.dashboards.commune.summary_for_commune`: user-less, aggregates only — never
  a household's name) and the upcoming meetings.

The in-app copy is a DIGEST notification; `last_digest_at` keeps a user from getting two digests the same week
when the task runs twice.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partners.selectors import mayor_communes
from pvd.accounts import policy
from pvd.accounts.models import Membership, User
from pvd.dashboards.commune import CommuneSummary, summary_for_commune
from pvd.governance.models import (
    Alert,
    Arbitration,
    Decision,
    Meeting,
    NotificationKind,
    NotificationPreference,
)
from pvd.governance.selectors.week import (
    AlertGroup,
    Tasks,
    active_alerts,
    awaiting_referent,
    by_level,
    day_start,
    decisions_since,
    manager_tasks,
    meetings_between,
    roles_of,
    week_bounds,
)
from pvd.governance.services.emails import absolute, send_html_email, subject_for
from pvd.governance.services.notify import notify, preferences_for

logger = logging.getLogger(__name__)

AHEAD_DAYS = 7
BACK_DAYS = 7
CHANGES_LIMIT = 20


@dataclass
class Digest:
    user: User
    day: datetime.date
    until: datetime.date
    is_manager: bool = False
    is_referent: bool = False
    is_mayor: bool = False
    is_partner: bool = False
    meetings: list[Meeting] = field(default_factory=list)
    alert_groups: list[AlertGroup] = field(default_factory=list)
    tasks: Tasks = field(default_factory=Tasks)
    deadlines: list[Alert] = field(default_factory=list)
    awaiting: list[Arbitration] = field(default_factory=list)
    escalated: list[Alert] = field(default_factory=list)
    raised: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    communes: list[CommuneSummary] = field(default_factory=list)

    @property
    def alerts_count(self) -> int:
        return sum(len(group.alerts) for group in self.alert_groups)

    @property
    def is_empty(self) -> bool:
        """Nothing worth an e-mail: no meeting, nothing to do or decide, nothing changed, a commune without any
        operation nor deadline."""
        communes = any(s.operations_count or s.deadlines for s in self.communes)
        return not (
            self.meetings
            or self.alert_groups
            or self.tasks.count
            or self.deadlines
            or self.awaiting
            or self.escalated
            or self.raised
            or self.resolved
            or self.decisions
            or communes
        )

    @property
    def title(self) -> str:
        return f"Votre semaine du {self.day:%d/%m/%Y} au {self.until:%d/%m/%Y}"

    def summary_line(self) -> str:
        """The in-app notification's body: the counts that matter."""
        parts = [f"{len(self.meetings)} réunion(s) à venir"]
        if self.is_manager:
            parts += [f"{self.alerts_count} alerte(s) active(s)", f"{self.tasks.count} tâche(s)"]
        if self.is_referent:
            parts.append(f"{len(self.awaiting)} arbitrage(s) à rendre")
        if self.decisions:
            parts.append(f"{len(self.decisions)} décision(s) prise(s) cette semaine")
        return ", ".join(parts) + "."


def digest_for(user: User, day: datetime.date | None = None) -> Digest:
    """The digest of `user` on `day` (today by default): the next 7 days and the last 7."""
    day = day or policy.today()
    scope = policy.scope_for(user, day)
    until = day + datetime.timedelta(days=AHEAD_DAYS - 1)
    since = day - datetime.timedelta(days=BACK_DAYS)
    digest = Digest(user=user, day=day, until=until, **roles_of(user))
    digest.meetings = meetings_between(user, day_start(day), day_start(until + datetime.timedelta(days=1)))
    if digest.is_manager:
        alerts = list(active_alerts(user, scope.managed_programmes))
        digest.alert_groups = by_level(alerts)
        digest.tasks = manager_tasks(user, scope.managed_programmes)
        digest.deadlines = sorted(
            (a for a in alerts if a.due_on is not None and day <= a.due_on <= until), key=lambda a: a.due_on
        )
    if digest.is_referent:
        digest.awaiting = awaiting_referent(user, scope.referent_programmes)
        digest.escalated = [
            a for a in active_alerts(user, scope.referent_programmes) if a.status == "escalated"
        ]
    alert_programmes = scope.managed_programmes | scope.referent_programmes
    if alert_programmes:
        readable = (
            Alert.objects.visible_to(user)
            .filter(programme_id__in=alert_programmes)
            .select_related("programme")
        )
        digest.raised = list(
            readable.filter(raised_at__gte=day_start(since)).order_by("-level", "-raised_at", "pk")[
                :CHANGES_LIMIT
            ]
        )
        digest.resolved = list(
            readable.filter(resolved_at__gte=day_start(since)).order_by("-resolved_at", "pk")[:CHANGES_LIMIT]
        )
    digest.decisions = decisions_since(user, since, limit=CHANGES_LIMIT)
    if digest.is_mayor:
        digest.communes = [summary_for_commune(commune, day) for commune in mayor_communes(user)]
    return digest


def digest_recipients(day: datetime.date) -> list[User]:
    """Active users with an e-mail address and a role today."""
    with_role = Membership.objects.active_on(day).order_by().values("user_id")
    return list(User.objects.filter(is_active=True, pk__in=with_role).exclude(email="").order_by("pk"))


def already_sent_this_week(preference: NotificationPreference, day: datetime.date) -> bool:
    if preference.last_digest_at is None:
        return False
    monday, _ = week_bounds(day)
    return timezone.localtime(preference.last_digest_at).date() >= monday


def send_digest(*, user: User, day: datetime.date, site_url: str = "") -> bool:
    """Send `user`'s digest if they want it, have something to read and have not had it this week. True when
    sent. The notification, the e-mail and `last_digest_at` go together: a failed delivery leaves nothing."""
    preference = preferences_for(user)
    if not preference.weekly_digest or already_sent_this_week(preference, day):
        return False
    digest = digest_for(user, day)
    if digest.is_empty:
        return False
    with transaction.atomic():
        preference = NotificationPreference.objects.select_for_update().get(user=user)
        if not preference.weekly_digest or already_sent_this_week(preference, day):
            return False
        week_url = absolute(site_url, reverse("governance:my_week"))
        notification = notify(
            user=user,
            kind=NotificationKind.DIGEST,
            title=digest.title,
            body=digest.summary_line(),
            url=reverse("governance:my_week"),
            email=False,
        )
        context = {
            "digest": digest,
            "user": user,
            "link": week_url,
            "site": absolute(site_url, ""),
            "preferences_url": absolute(site_url, reverse("governance:preferences")),
        }
        send_html_email(to=user.email, subject=subject_for(digest.title), template="digest", context=context)
        now = timezone.now()
        notification.emailed_at = now
        notification.save(update_fields=["emailed_at"])
        preference.last_digest_at = now
        preference.save(update_fields=["last_digest_at"])
    return True


def send_weekly_digests(*, day: datetime.date | None = None, site_url: str = "") -> int:
    """Every recipient's digest (beat, Monday 07:00); how many were sent. One failed delivery does not stop the
    others (it is logged, and that user gets theirs on the next run)."""
    day = day or policy.today()
    sent = 0
    for user in digest_recipients(day):
        try:
            sent += send_digest(user=user, day=day, site_url=site_url)
        except OSError:
            logger.warning("Synthèse hebdomadaire non envoyée à l'utilisateur %s", user.pk, exc_info=True)
    return sent
