"""Writes of concertation (issue 11): the programme's concertation plan, its events (with their status workflow),
the attendance breakdown by profile and the contributions with their effect on the project.

Keyword-only, atomic, audited (the history user on every row); refusals as ConcertationError (French) or the
model's ValidationError on the field. Rules kept here:
- an event moves planned → held or cancelled only (a comment is required to cancel), recorded as a StatusChange;
- the feedback to participants and the L103-2 bilan are recorded only for a held event; the bilan needs both its
  date and its deliberation;
- the attendance breakdown is saved as a whole, and its total may not exceed the participants recorded;
- a contribution's effect points to an operation of the event's programme; a retained contribution describes
  the change decided.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from operations.models import (
    AttendanceProfile,
    ConcertationEvent,
    ConcertationPlanItem,
    Contribution,
    Operation,
)
from operations.participation.models import (
    EFFECT_OUTCOMES,
    AttendeeProfile,
    EventStatus,
    LegalFrame,
)
from partners.models import Organisation, Theme
from programmes.models import Programme
from pvd import workflow
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned
from pvd.errors import DomainError
from pvd.models import StatusChange

S = EventStatus


class ConcertationError(DomainError):
    """A rule of concertation refused the action (French message)."""


# The event's workflow: a planned event is held or cancelled; both are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.HELD, S.CANCELLED}),
    S.HELD: frozenset(),
    S.CANCELLED: frozenset(),
}

PLAN_FIELDS = (
    "title",
    "format",
    "legal_frame",
    "description",
    "planned_from",
    "planned_until",
    "expected_sessions",
)
EVENT_FIELDS = (
    "plan_item",
    "title",
    "format",
    "legal_frame",
    "starts_on",
    "ends_on",
    "start_time",
    "place",
    "organiser",
    "facilitator",
    "target_public",
    "invitations_sent",
    "invitation_channels",
    "attendance_count",
    "materials",
    "synthesis",
    "feedback_on",
    "feedback",
    "bilan_deliberation_on",
    "bilan_deliberation_reference",
)
# Recorded only once the event is held.
AFTER_EVENT_FIELDS = ("feedback_on", "feedback", "bilan_deliberation_on", "bilan_deliberation_reference")
CONTRIBUTION_FIELDS = (
    "subject",
    "theme",
    "count",
    "text",
    "notable",
    "outcome",
    "effect_operation",
    "effect_description",
    "effect_on",
    "answer",
)


def allowed_targets(status: str) -> list[str]:
    return workflow.in_order(TRANSITIONS[status], S)


def _check_fields(fields: Iterable[str], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ConcertationError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")


def _check_links(
    programme: Programme,
    *,
    operations: Iterable[Operation] | None = None,
    communes: Iterable[Organisation] | None = None,
) -> None:
    """Operations of the programme only; communes of the programme only (field errors, in French)."""
    errors: dict[str, str] = {}
    if operations is not None:
        foreign = sorted(o.code for o in operations if o.programme_id != programme.pk)
        if foreign:
            errors["operations"] = f"Opérations d'un autre programme : {', '.join(foreign)}."
    if communes is not None:
        allowed = set(programme.communes.values_list("pk", flat=True))
        outside = sorted(c.name for c in communes if c.pk not in allowed)
        if outside:
            errors["communes"] = f"Communes hors du programme : {', '.join(outside)}."
    if errors:
        raise ValidationError(errors)


# --- The concertation plan ------------------------------------------------------------------------------------


@transaction.atomic
def plan_item_create(
    *,
    programme: Programme,
    by: User,
    operations: Iterable[Operation] = (),
    communes: Iterable[Organisation] = (),
    **fields: object,
) -> ConcertationPlanItem:
    """A new line of the concertation plan: what, when, how many sessions, for which operations and communes."""
    _check_fields(fields, PLAN_FIELDS)
    operations, communes = list(operations), list(communes)
    _check_links(programme, operations=operations, communes=communes)
    item = ConcertationPlanItem(programme=programme, **fields)
    save_audited(item, by)
    item.operations.set(operations)
    item.communes.set(communes)
    return item


@transaction.atomic
def plan_item_update(
    *,
    item: ConcertationPlanItem,
    by: User,
    expected_version: int,
    changes: Mapping[str, object],
    operations: Iterable[Operation] | None = None,
    communes: Iterable[Organisation] | None = None,
) -> ConcertationPlanItem:
    """Edit a plan line; refused (StaleObjectError) when someone saved it since the form was displayed."""
    _check_fields(changes, PLAN_FIELDS)
    operations = list(operations) if operations is not None else None
    communes = list(communes) if communes is not None else None
    _check_links(item.programme, operations=operations, communes=communes)
    saved = save_versioned(item, expected_version=expected_version, changes=dict(changes), by=by)
    if operations is not None:
        saved.operations.set(operations)
    if communes is not None:
        saved.communes.set(communes)
    return saved


# --- Events ---------------------------------------------------------------------------------------------------


def _check_event(programme: Programme, status: str, values: Mapping[str, object]) -> None:
    """The rules of an event's fields that depend on its status and legal frame."""
    errors: dict[str, str] = {}
    plan_item = values.get("plan_item")
    if plan_item is not None and plan_item.programme_id != programme.pk:  # type: ignore[attr-defined]
        errors["plan_item"] = "Cette démarche appartient à un autre programme."
    if status != S.HELD:
        for name in AFTER_EVENT_FIELDS:
            if values.get(name):
                label = ConcertationEvent._meta.get_field(name).verbose_name
                errors[name] = (
                    f"« {label.capitalize()} » s'enregistre une fois le temps de concertation tenu "
                    f"(il est « {S(status).label} »)."
                )
    if values.get("legal_frame") != LegalFrame.URBANISM:
        for name in ("bilan_deliberation_on", "bilan_deliberation_reference"):
            if values.get(name):
                errors.setdefault(
                    name,
                    "Le bilan adopté par délibération ne concerne que la concertation du code de l'urbanisme "
                    "(L103-2).",
                )
    on, reference = values.get("bilan_deliberation_on"), values.get("bilan_deliberation_reference")
    if on and not reference:
        errors.setdefault("bilan_deliberation_reference", "Indiquez la délibération qui adopte le bilan.")
    if reference and not on:
        errors.setdefault("bilan_deliberation_on", "Indiquez la date d'adoption du bilan.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_create(
    *,
    programme: Programme,
    by: User,
    status: str = S.PLANNED,
    on: datetime.date | None = None,
    communes: Iterable[Organisation] = (),
    operations: Iterable[Operation] = (),
    themes: Iterable[Theme] = (),
    **fields: object,
) -> ConcertationEvent:
    """A new event, planned (or already held: recording a past meeting), with its creation as a StatusChange."""
    _check_fields(fields, EVENT_FIELDS)
    if status not in (S.PLANNED, S.HELD):
        raise ConcertationError("Un temps de concertation est créé « prévu » ou « tenu ».")
    starts_on = fields.get("starts_on")
    if status == S.HELD and isinstance(starts_on, datetime.date) and starts_on > (on or policy.today()):
        raise ValidationError({"starts_on": "Un temps de concertation à venir ne peut pas être déjà tenu."})
    communes, operations = list(communes), list(operations)
    _check_links(programme, operations=operations, communes=communes)
    _check_event(programme, status, fields)
    event = ConcertationEvent(programme=programme, status=status, **fields)
    save_audited(event, by)
    event.communes.set(communes)
    event.operations.set(operations)
    event.themes.set(list(themes))
    StatusChange.objects.create(
        obj=event, source="", target=status, by=by, comment="Création du temps de concertation."
    )
    return event


@transaction.atomic
def event_update(
    *,
    event: ConcertationEvent,
    by: User,
    expected_version: int,
    changes: Mapping[str, object],
    communes: Iterable[Organisation] | None = None,
    operations: Iterable[Operation] | None = None,
    themes: Iterable[Theme] | None = None,
) -> ConcertationEvent:
    """Edit an event (not its status: see `event_change_status`). The feedback and the bilan need a held event;
    the participants count may not fall below the attendance breakdown already recorded."""
    _check_fields(changes, EVENT_FIELDS)
    current = ConcertationEvent.objects.select_related("programme").get(pk=event.pk)
    communes = list(communes) if communes is not None else None
    operations = list(operations) if operations is not None else None
    _check_links(current.programme, operations=operations, communes=communes)
    merged = {name: getattr(current, name) for name in EVENT_FIELDS} | dict(changes)
    _check_event(current.programme, current.status, merged)
    if "attendance_count" in changes:
        counted = sum(p.count for p in current.attendance_profiles.all())
        count = changes["attendance_count"]
        if counted and (count is None or count < counted):  # type: ignore[operator]
            raise ValidationError(
                {
                    "attendance_count": f"La répartition par profil compte déjà {counted} participants : "
                    "corrigez-la d'abord."
                }
            )
    saved = save_versioned(current, expected_version=expected_version, changes=dict(changes), by=by)
    if communes is not None:
        saved.communes.set(communes)
    if operations is not None:
        saved.operations.set(operations)
    if themes is not None:
        saved.themes.set(list(themes))
    return saved


@transaction.atomic
def event_change_status(
    *,
    event: ConcertationEvent,
    to: str,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
    on: datetime.date | None = None,
) -> ConcertationEvent:
    """Planned → held (not before its date) or cancelled (with the reason); recorded as a StatusChange."""
    current = ConcertationEvent.objects.select_for_update().get(pk=event.pk)
    if expected_version is None:
        expected_version = current.version
    source = current.status
    message = workflow.refusal(
        transitions=TRANSITIONS,
        choices=S,
        source=source,
        target=to,
        subject=f"Le temps « {current.title} »",
        pronoun="il",
    )
    if message:
        raise ConcertationError(message)
    comment = comment.strip()
    if to == S.CANCELLED and not comment:
        raise ConcertationError("Indiquez le motif de l'annulation.")
    day = on or policy.today()
    if to == S.HELD and current.starts_on > day:
        raise ConcertationError(
            f"Le temps « {current.title} » est prévu le {current.starts_on:%d/%m/%Y} : il ne peut pas être "
            "déclaré tenu avant sa date."
        )
    saved = save_versioned(current, expected_version=expected_version, changes={"status": to}, by=by)
    StatusChange.objects.create(obj=saved, source=source, target=to, by=by, comment=comment)
    return saved


@transaction.atomic
def attendance_save(
    *, event: ConcertationEvent, by: User, counts: Mapping[str, int | None]
) -> list[AttendanceProfile]:
    """Save the whole breakdown by profile in one transaction: {profile: count or None (none of them)}. The total
    may not exceed the participants recorded on the event; nothing is saved when it does."""
    current = ConcertationEvent.objects.select_for_update().get(pk=event.pk)
    unknown = set(counts) - set(AttendeeProfile.values)
    if unknown:
        raise ConcertationError(f"Profils inconnus : {', '.join(sorted(unknown))}.")
    if any(value is not None and value < 0 for value in counts.values()):
        raise ConcertationError("Un nombre de participants ne peut pas être négatif.")
    total = sum(value or 0 for value in counts.values())
    if total and current.status != S.HELD:
        raise ConcertationError(
            f"La répartition des participants se saisit une fois le temps tenu (il est « {S(current.status).label} »)."
        )
    if total and current.attendance_count is None:
        raise ConcertationError(
            "Indiquez d'abord le nombre de participants du temps de concertation (page « Modifier »)."
        )
    if current.attendance_count is not None and total > current.attendance_count:
        raise ConcertationError(
            f"La répartition compte {total} participants, plus que les {current.attendance_count} enregistrés "
            "pour ce temps de concertation : corrigez les nombres ou le nombre de participants."
        )
    existing = {p.profile: p for p in current.attendance_profiles.all()}
    saved: list[AttendanceProfile] = []
    for profile in AttendeeProfile.values:
        value = counts.get(profile)
        row = existing.get(profile)
        if not value:
            if row is not None:
                row._history_user = by  # type: ignore[attr-defined]
                row.delete()
            continue
        if row is None:
            row = AttendanceProfile(event=current, profile=profile, count=value)
        elif row.count == value:
            saved.append(row)
            continue
        row.count = value
        save_audited(row, by)
        saved.append(row)
    return saved


# --- Contributions --------------------------------------------------------------------------------------------


def _check_contribution(event: ConcertationEvent, values: Mapping[str, object]) -> None:
    errors: dict[str, str] = {}
    operation = values.get("effect_operation")
    outcome = values.get("outcome")
    if operation is not None and operation.programme_id != event.programme_id:  # type: ignore[attr-defined]
        errors["effect_operation"] = "Choisissez une opération du programme."
    elif operation is not None and outcome not in EFFECT_OUTCOMES:
        errors["effect_operation"] = "Seule une contribution retenue modifie une opération."
    if outcome in EFFECT_OUTCOMES and not str(values.get("effect_description") or "").strip():
        errors["effect_description"] = "Décrivez le changement décidé pour une contribution retenue."
    effect_on = values.get("effect_on")
    if isinstance(effect_on, datetime.date) and effect_on < event.starts_on:
        errors["effect_on"] = "Le changement ne peut être décidé avant le temps de concertation."
    if errors:
        raise ValidationError(errors)


def _save_contribution(contribution: Contribution, by: User) -> None:
    try:
        with transaction.atomic():
            save_audited(contribution, by)
    except IntegrityError as error:  # a constraint the form could not see (a concurrent change)
        raise ConcertationError(
            "La contribution n'a pas été enregistrée : elle contredit une règle (contribution retenue sans "
            "changement décrit, ou opération modifiée par une contribution non retenue)."
        ) from error


@transaction.atomic
def contribution_create(*, event: ConcertationEvent, by: User, **fields: object) -> Contribution:
    """Contributions of one kind gathered at `event`, with their outcome and, once retained, their effect."""
    _check_fields(fields, CONTRIBUTION_FIELDS)
    current = ConcertationEvent.objects.select_for_update().get(pk=event.pk)
    if current.status == S.CANCELLED:
        raise ConcertationError("Un temps de concertation annulé ne recueille pas de contributions.")
    _check_contribution(current, fields)
    contribution = Contribution(event=current, **fields)
    _save_contribution(contribution, by)
    return contribution


@transaction.atomic
def contribution_update(
    *, contribution: Contribution, by: User, expected_version: int, changes: Mapping[str, object]
) -> Contribution:
    """Edit a contribution: its outcome, the change it led to and the answer given."""
    _check_fields(changes, CONTRIBUTION_FIELDS)
    current = Contribution.objects.select_related("event").get(pk=contribution.pk)
    merged = {name: getattr(current, name) for name in CONTRIBUTION_FIELDS} | dict(changes)
    _check_contribution(current.event, merged)
    return save_versioned(current, expected_version=expected_version, changes=dict(changes), by=by)
