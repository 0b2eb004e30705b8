"""Meetings of a body: create, edit and status (planned → held / cancelled, recorded in StatusChange), the agenda
(add, edit, delete, move, add suggestions), attendance, invitations (e-mail with an iCal attachment) and documents.

Invitations are idempotent on retry: an invitee already invited (`invited_at` set) is not e-mailed again unless the
meeting itself changed after that invitation (a history record of the meeting later than `invited_at`, other than the
bookkeeping of the invitations): then everyone gets the updated event (same UID, higher SEQUENCE).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned
from pvd.errors import DomainError
from pvd.governance import ical
from pvd.governance.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingDocument,
    MeetingStatus,
)
from pvd.models import StatusChange
from pvd.workflow import refusal

TRANSITIONS = {
    MeetingStatus.PLANNED: {MeetingStatus.HELD, MeetingStatus.CANCELLED},
    MeetingStatus.CANCELLED: {MeetingStatus.PLANNED},
    MeetingStatus.HELD: set(),
}
INVITATIONS_REASON = "Invitations envoyées"


class MeetingError(DomainError):
    """A rule of the meetings refused the action."""


def _check_meeting(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.HELD and meeting.starts_at > timezone.now():
        raise MeetingError("Une réunion à venir ne peut pas être notée comme tenue.")
    if meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        raise MeetingError("La fin de la réunion doit suivre son début.")


def _record_status(obj: Meeting, *, source: str, target: str, by: User | None, comment: str = "") -> None:
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(Meeting),
        object_id=obj.pk,
        source=source,
        target=target,
        by=by,
        comment=comment,
    )


@transaction.atomic
def meeting_create(*, committee: Committee, by: User, **fields: object) -> Meeting:
    meeting = Meeting(committee=committee, **fields)
    if meeting.status != MeetingStatus.PLANNED:
        _check_meeting(meeting)
    if meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        raise MeetingError("La fin de la réunion doit suivre son début.")
    save_audited(meeting, by, reason="Nouvelle réunion")
    _record_status(meeting, source="", target=meeting.status, by=by)
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, expected_version: int, by: User, comment: str = "", **changes: object
) -> Meeting:
    """Edit a meeting; a status change must follow TRANSITIONS and is recorded with who, when and why."""
    # The stored status (a bound model form has already copied the new one onto `meeting`).
    source = Meeting.objects.filter(pk=meeting.pk).values_list("status", flat=True).get()
    target = changes.get("status", source)
    if target != source:
        reason = refusal(
            transitions=TRANSITIONS,
            choices=MeetingStatus,
            source=source,
            target=target,
            subject="La réunion",
            pronoun="elle",
        )
        if reason:
            raise MeetingError(reason)
    probe = Meeting(**{f.attname: getattr(meeting, f.attname) for f in Meeting._meta.concrete_fields})
    for name, value in changes.items():
        setattr(probe, name, value)
    probe.status = target
    _check_meeting(probe)
    saved = save_versioned(meeting, expected_version=expected_version, changes=changes, by=by)
    if target != source:
        _record_status(saved, source=source, target=target, by=by, comment=comment)
    return saved


# --- Agenda -------------------------------------------------------------------------------------------------------


def _next_order(meeting: Meeting) -> int:
    return (AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("order"))["m"] or 0) + 1


def _check_item(item: AgendaItem, programme_id: int) -> None:
    checks = [
        (item.operation, "programme_id", "Cette opération ne relève pas du programme."),
        (item.need, "programme_id", "Ce besoin ne relève pas du programme."),
        (item.arbitration, "programme_id", "Cet arbitrage ne relève pas du programme."),
        (item.subsidy_request, "programme_id", "Cette demande de subvention ne relève pas du programme."),
    ]
    for obj, attr, message in checks:
        if obj is not None and getattr(obj, attr) != programme_id:
            raise MeetingError(message)


@transaction.atomic
def agenda_item_create(*, meeting: Meeting, by: User, **fields: object) -> AgendaItem:
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError("La réunion est annulée : son ordre du jour ne se modifie plus.")
    item = AgendaItem(meeting=meeting, order=_next_order(meeting), **fields)
    _check_item(item, meeting.committee.programme_id)
    save_audited(item, by, reason="Nouveau point")
    return item


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, expected_version: int, by: User, **changes: object) -> AgendaItem:
    probe = AgendaItem(**{f.attname: getattr(item, f.attname) for f in AgendaItem._meta.concrete_fields})
    for name, value in changes.items():
        setattr(probe, name, value)
    _check_item(probe, item.meeting.committee.programme_id)
    return save_versioned(item, expected_version=expected_version, changes=changes, by=by)


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, by: User) -> None:
    if item.decisions.exists():
        raise MeetingError("Ce point porte une décision : il ne peut pas être retiré de l'ordre du jour.")
    item._history_user = by  # type: ignore[attr-defined]
    item.delete()
    _renumber(item.meeting, by)


def _renumber(meeting: Meeting, by: User) -> None:
    for position, item in enumerate(
        AgendaItem.objects.filter(meeting=meeting).order_by("order", "pk"), start=1
    ):
        if item.order != position:
            item.order = position
            item.version += 1
            save_audited(item, by, reason="Ordre du jour renuméroté")


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, direction: str, by: User) -> None:
    """Swap the item with its neighbour above (`up`) or below (`down`)."""
    items = list(
        AgendaItem.objects.select_for_update().filter(meeting_id=item.meeting_id).order_by("order", "pk")
    )
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(items):
        raise MeetingError("Ce point ne peut pas être déplacé dans ce sens.")
    items[index], items[target] = items[target], items[index]
    for position, row in enumerate(items, start=1):
        if row.order != position:
            row.order = position
            row.version += 1
            save_audited(row, by, reason="Ordre du jour réordonné")


@transaction.atomic
def agenda_add_suggestions(*, meeting: Meeting, suggestions: list, by: User) -> list[AgendaItem]:
    """Add the chosen suggestions (pvd.governance.selectors.meetings.Suggestion) in one transaction."""
    if not suggestions:
        raise MeetingError("Choisissez au moins un point à ajouter.")
    order = _next_order(meeting)
    created = []
    for offset, suggestion in enumerate(suggestions):
        item = AgendaItem(
            meeting=meeting,
            order=order + offset,
            title=suggestion.title[:250],
            description=suggestion.reason,
            source=suggestion.source,
            **suggestion.links,
        )
        save_audited(item, by, reason="Point suggéré")
        created.append(item)
    return created


# --- Attendance ---------------------------------------------------------------------------------------------------


def members_on(meeting: Meeting) -> list[CommitteeMember]:
    day = timezone.localtime(meeting.starts_at).date()
    return list(
        CommitteeMember.objects.filter(committee_id=meeting.committee_id, valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .select_related("person", "organisation")
        .order_by("pk")
    )


@transaction.atomic
def attendance_prefill(*, meeting: Meeting, by: User) -> int:
    """Invite the committee's members in office on the meeting's day who are not yet listed. Returns how many."""
    listed = set(Attendance.objects.filter(meeting=meeting).values_list("person_id", "organisation_id"))
    listed_people = {p for p, _ in listed if p}
    listed_orgs = {o for p, o in listed if o and not p}
    added = 0
    for member in members_on(meeting):
        if member.person_id:
            if member.person_id in listed_people:
                continue
            person = member.person
            row = Attendance(
                meeting=meeting,
                person=person,
                organisation=member.organisation,
                name=f"{person.first_name} {person.last_name}".strip(),
                email=person.email,
            )
            listed_people.add(member.person_id)
        else:
            if member.organisation_id in listed_orgs:
                continue
            org = member.organisation
            row = Attendance(
                meeting=meeting, organisation=org, name=org.name, email=getattr(org, "email", "") or ""
            )
            listed_orgs.add(member.organisation_id)
        save_audited(row, by, reason="Membre invité")
        added += 1
    return added


@transaction.atomic
def attendance_save(*, meeting: Meeting, rows: list[dict], new: dict | None, by: User) -> None:
    """Save the statuses of the listed invitees (each versioned) and add a free invitee."""
    for row in rows:
        attendance: Attendance = row["attendance"]
        changes = {k: row[k] for k in ("status", "email") if getattr(attendance, k) != row[k]}
        if changes:
            save_versioned(attendance, expected_version=row["version"], changes=changes, by=by)
    if new and new.get("name"):
        save_audited(
            Attendance(
                meeting=meeting,
                name=new["name"],
                email=new.get("email", ""),
                status=new.get("status") or AttendanceStatus.INVITED,
            ),
            by,
            reason="Participant ajouté",
        )


# --- Invitations --------------------------------------------------------------------------------------------------


@transaction.atomic
def request_invitations(*, meeting: Meeting, by: User, site_url: str) -> int:
    """Queue the invitations once the transaction commits. Returns how many invitees have an e-mail address."""
    from pvd.governance.tasks import send_meeting_invitations

    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingError("Seule une réunion prévue donne lieu à des invitations.")
    count = Attendance.objects.filter(meeting=meeting).exclude(email="").count()
    if not count:
        raise MeetingError(
            "Aucun participant n'a d'adresse e-mail : ajoutez les participants avant d'inviter."
        )
    transaction.on_commit(lambda: send_meeting_invitations.delay(meeting.pk, site_url))
    return count


def invitation_subject(meeting: Meeting) -> str:
    starts = timezone.localtime(meeting.starts_at, ical.PARIS)
    return f"Invitation : {meeting.committee.name} du {starts:%d/%m/%Y} à {starts:%H:%M}"


def send_invitations(*, meeting_id: int, site_url: str) -> int:
    """E-mail each invitee with an address who was not invited since the meeting last changed; the iCal file
    (METHOD:REQUEST) is attached. Sets `invited_at` per invitee and the meeting's `invitations_sent_at`. Returns how
    many e-mails were sent."""
    site_url = site_url or settings.SITE_URL
    meeting = Meeting.objects.select_related("committee__programme").get(pk=meeting_id)
    changed_at = meeting.history.exclude(history_change_reason=INVITATIONS_REASON).aggregate(
        m=Max("history_date")
    )["m"]
    pending = Attendance.objects.filter(meeting=meeting).exclude(email="").order_by("pk")
    if changed_at is not None:
        pending = pending.filter(Q(invited_at__isnull=True) | Q(invited_at__lt=changed_at))
    else:
        pending = pending.filter(invited_at__isnull=True)
    pending = list(pending)
    if not pending:
        return 0
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("order", "pk"))
    event = ical.meeting_event(meeting, site_url=site_url)
    attachment = ical.calendar_bytes([event], name=meeting.committee.name, method="REQUEST")
    subject = invitation_subject(meeting)
    context = {
        "meeting": meeting,
        "items": items,
        "starts": timezone.localtime(meeting.starts_at, ical.PARIS),
        "url": ical.absolute_url(site_url, reverse("governance:meeting", args=[meeting.pk])),
    }
    sent = 0
    for attendance in pending:
        body = render_to_string("governance/emails/invitation.txt", {**context, "attendance": attendance})
        message = EmailMultiAlternatives(subject=subject, body=body, to=[attendance.email])
        message.attach("invitation.ics", attachment, "text/calendar; method=REQUEST; charset=utf-8")
        message.send()
        with transaction.atomic():
            attendance.invited_at = timezone.now()
            save_audited(attendance, None, reason="Invitation envoyée")
        sent += 1
    with transaction.atomic():
        meeting.invitations_sent_at = timezone.now()
        save_audited(meeting, None, reason=INVITATIONS_REASON)
    return sent


# --- Documents ----------------------------------------------------------------------------------------------------


@transaction.atomic
def document_add(*, meeting: Meeting, title: str, file: object, by: User) -> MeetingDocument:
    document = MeetingDocument(meeting=meeting, title=title, file=file, uploaded_by=by)
    save_audited(document, by, reason="Document déposé")
    return document
