"""The alerts engine (issue 8, decision 0015): every morning, for each programme, collect what the apps' providers
report (`pvd.governance.alerts.providers`), then for each candidate's `key`:

- an active alert (open, acknowledged or escalated) is brought up to date — never duplicated;
- a new key raises an alert, owned by the programme's first active manager, who is notified;
- an active alert whose key is no longer reported is resolved;
- an alert still **open** (nobody acknowledged it) past the delay of its level, or overdue, is escalated once to
  its decision level; the programme's referents (or its managers when that level is below the referent) are
  notified.

Idempotent: the same day run twice changes nothing and notifies nobody again. The conditional unique constraint
`alert_raised_once` guards two runs racing on one key (the loser's insert is rolled back in its savepoint)."""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from programmes.models import Programme
from pvd.accounts.models import Membership, Role, User
from pvd.deadlines import AlertCandidate
from pvd.errors import DomainError
from pvd.governance.alerts.providers import PROVIDERS
from pvd.governance.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertLevel,
    AlertStatus,
    DecisionLevel,
    NotificationKind,
)
from pvd.governance.services.notify import notify
from pvd.models import StatusChange

logger = logging.getLogger(__name__)

# Days an alert may stay open (not acknowledged) before it is escalated, by level; overdue ones go up at once.
DEFAULT_ESCALATION_DAYS = {AlertLevel.CRITICAL: 3, AlertLevel.WARNING: 10, AlertLevel.INFO: 30}
# The escalation ladder (DecisionLevel's order): below the referent, the managers are told; from it, the referents.
LADDER = list(DecisionLevel.values)
REFERENT_RANK = LADDER.index(DecisionLevel.REFERENT)


@dataclass
class RefreshReport:
    raised: int = 0
    updated: int = 0
    escalated: int = 0
    resolved: int = 0

    def add(self, other: "RefreshReport") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def escalation_days() -> dict[int, int]:
    """The delays by level, `settings.ALERT_ESCALATION_DAYS` overriding the defaults (keys: 1, 2, 3)."""
    configured = getattr(settings, "ALERT_ESCALATION_DAYS", {}) or {}
    return {**DEFAULT_ESCALATION_DAYS, **{int(k): int(v) for k, v in configured.items()}}


def collect(programme: Programme, day: datetime.date) -> dict[str, AlertCandidate]:
    """Every candidate the providers report for the programme on `day`, one per key (the highest level wins)."""
    found: dict[str, AlertCandidate] = {}
    for path in PROVIDERS:
        for candidate in import_string(path)(programme, day):
            kept = found.get(candidate.key)
            if kept is None or candidate.level > kept.level:
                found[candidate.key] = candidate
    return found


def _members(programme: Programme, role: str, day: datetime.date) -> list[User]:
    rows = (
        Membership.objects.active_on(day)
        .filter(programme=programme, role=role, user__is_active=True)
        .select_related("user")
        .order_by("valid_from", "pk")
    )
    users: dict[int, User] = {}
    for row in rows:
        users.setdefault(row.user_id, row.user)
    return list(users.values())


def _fields(candidate: AlertCandidate, content_types: dict[type, ContentType]) -> dict[str, object]:
    obj = candidate.obj
    content_type_id, object_id = None, None
    if isinstance(obj, Model) and obj.pk is not None:
        model = type(obj)._meta.concrete_model
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model)
        content_type_id, object_id = content_types[model].pk, obj.pk
    return {
        "kind": candidate.kind[:60],
        "level": candidate.level,
        "title": candidate.title[:250],
        "detail": candidate.detail,
        "due_on": candidate.due_on,
        "url": candidate.url[:300],
        "commune_id": candidate.commune_id,
        "decision_level": candidate.decision_level,
        "content_type_id": content_type_id,
        "object_id": object_id,
    }


def _record(alert: Alert, source: str, target: str, by: User | None = None, comment: str = "") -> None:
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(Alert),
        object_id=alert.pk,
        source=source,
        target=target,
        by=by,
        comment=comment,
    )


def _due_text(alert: Alert) -> str:
    return f" — échéance le {alert.due_on:%d/%m/%Y}" if alert.due_on else ""


def _should_escalate(alert: Alert, day: datetime.date, delays: dict[int, int]) -> bool:
    """Still open (not acknowledged, not escalated yet) and ignored: overdue since at least a day's run, or open
    past its level's delay."""
    if alert.status != AlertStatus.OPEN:
        return False
    raised_on = timezone.localtime(alert.raised_at).date()
    if alert.due_on is not None and alert.due_on < day and raised_on < day:
        return True
    return (day - raised_on).days >= delays.get(alert.level, DEFAULT_ESCALATION_DAYS[AlertLevel.WARNING])


@transaction.atomic
def refresh_programme(*, programme: Programme, day: datetime.date, now: datetime.datetime) -> RefreshReport:
    """One programme's daily refresh (see the module's docstring). `day`/`now` are given (tests freeze them)."""
    report = RefreshReport()
    candidates = collect(programme, day)
    active = {a.key: a for a in Alert.objects.filter(programme=programme, status__in=ACTIVE_STATUSES)}
    content_types: dict[type, ContentType] = {}
    managers = _members(programme, Role.MANAGER, day)
    owner = managers[0] if managers else None

    # Up to date, never duplicated.
    for key, alert in active.items():
        candidate = candidates.get(key)
        if candidate is None:
            continue
        changed = False
        for name, value in _fields(candidate, content_types).items():
            if getattr(alert, name) != value:
                setattr(alert, name, value)
                changed = True
        if changed:
            report.updated += 1
        if changed or alert.last_seen_at != now:
            alert.last_seen_at = now
            alert.save()

    # Raised once.
    for key, candidate in candidates.items():
        if key in active:
            continue
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    programme=programme,
                    key=key[:200],
                    owner=owner,
                    status=AlertStatus.OPEN,
                    raised_at=now,
                    last_seen_at=now,
                    **_fields(candidate, content_types),
                )
        except IntegrityError:
            logger.info("Alert %s of programme %s already raised by a concurrent run", key, programme.pk)
            continue
        _record(alert, "", AlertStatus.OPEN, comment="Levée par le contrôle quotidien.")
        report.raised += 1
        if owner is not None:
            notify(
                user=owner,
                kind=NotificationKind.ALERT,
                title=f"Nouvelle alerte : {alert.title}",
                body=f"{alert.detail}{_due_text(alert)}".strip(" —"),
                url=reverse("governance:alert", args=[alert.pk]),
                alert=alert,
            )

    # Resolved when the condition clears.
    for key, alert in active.items():
        if key in candidates:
            continue
        source = alert.status
        alert.status = AlertStatus.RESOLVED
        alert.resolved_at = now
        alert.save(update_fields=["status", "resolved_at"])
        _record(alert, source, AlertStatus.RESOLVED, comment="La condition n'est plus constatée.")
        report.resolved += 1

    # Escalated once, when ignored.
    delays = escalation_days()
    referents: list[User] | None = None
    for key, alert in active.items():
        if key not in candidates or not _should_escalate(alert, day, delays):
            continue
        alert.status = AlertStatus.ESCALATED
        alert.escalated_to = alert.decision_level
        alert.escalated_at = now
        alert.save(update_fields=["status", "escalated_to", "escalated_at"])
        level_label = DecisionLevel(alert.decision_level).label
        _record(
            alert, AlertStatus.OPEN, AlertStatus.ESCALATED, comment=f"Remontée au niveau : {level_label}."
        )
        report.escalated += 1
        if LADDER.index(alert.decision_level) >= REFERENT_RANK:
            if referents is None:
                referents = _members(programme, Role.REFERENT, day)
            recipients = referents or managers
        else:
            recipients = managers
        for user in recipients:
            notify(
                user=user,
                kind=NotificationKind.ESCALATION,
                title=f"Alerte remontée ({level_label}) : {alert.title}",
                body=f"Sans prise en compte depuis le {timezone.localtime(alert.raised_at):%d/%m/%Y}"
                f"{_due_text(alert)}.",
                url=reverse("governance:alert", args=[alert.pk]),
                alert=alert,
            )
    return report


def refresh_all(*, day: datetime.date | None = None, now: datetime.datetime | None = None) -> dict[str, int]:
    """Every programme, each in its own transaction: one failing is logged and does not stop the others.
    Returns the counts (raised, updated, escalated, resolved, failed)."""
    now = now or timezone.now()
    day = day or timezone.localtime(now).date()
    total = RefreshReport()
    failed = 0
    for programme in Programme.objects.order_by("pk"):
        try:
            total.add(refresh_programme(programme=programme, day=day, now=now))
        except Exception:
            logger.exception("Alerts refresh failed for programme %s", programme.pk)
            failed += 1
    return {**total.as_dict(), "failed": failed}


def candidates_of(programme: Programme, day: datetime.date) -> Iterable[AlertCandidate]:
    """What the providers report today (for a page or a test), without writing anything."""
    return collect(programme, day).values()


# --- Acknowledging an alert (the alert page) ---------------------------------------------------------------


class AlertError(DomainError):
    """An alert action refused, with its French message."""


ACKNOWLEDGEABLE = (AlertStatus.OPEN, AlertStatus.ESCALATED)


@transaction.atomic
def acknowledge(*, alert: Alert, by: User, comment: str = "") -> Alert:
    """`by` (a manager or referent of the programme — the view checked it) takes the alert into account: it will
    not be escalated (further); who and when are recorded. Refused when already acknowledged or resolved."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.status not in ACKNOWLEDGEABLE:
        raise AlertError(
            "Cette alerte est déjà résolue."
            if locked.status == AlertStatus.RESOLVED
            else "Cette alerte est déjà prise en compte."
        )
    source = locked.status
    locked.status = AlertStatus.ACKNOWLEDGED
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = by
    locked.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    _record(locked, source, AlertStatus.ACKNOWLEDGED, by=by, comment=comment)
    return locked
