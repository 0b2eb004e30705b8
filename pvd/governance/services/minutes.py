"""Minutes of a meeting (compte rendu) and the printable agenda and minutes (issue 8, DOMAIN.md §6.1).

The minutes are rich text, sanitised with the convention articles' allow-list (operations.conventions.richtext) when
saved and again when shown; they are written once the meeting has been held, and a stale edit is refused. The agenda
(before the meeting) and the minutes (after it) are PDFs rendered through pvd.documents: the renderers below, whose
read rule is the meeting's (whoever sees the meeting reads its agenda and minutes). Their contexts never name an
arbitration note's content: the notes are internal (DOMAIN_RULES.md §5), the PDFs are read by mayors and partners.
"""

import datetime

from django.db import models, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from operations.conventions.richtext import clean_html
from operations.models import Operation
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.concurrency import save_versioned
from pvd.documents import Renderer
from pvd.governance.models import AgendaItem, Attendance, AttendanceStatus, Decision, Meeting, MeetingStatus
from pvd.governance.services.decisions import (
    DecisionError,
    meeting_is_held,
    voting_members,
    voting_members_present,
)

MEETING_AGENDA = "meeting_agenda"
MEETING_MINUTES = "meeting_minutes"
PRINT_KINDS = {"agenda": MEETING_AGENDA, "minutes": MEETING_MINUTES}


class MinutesError(DecisionError):
    """A rule of the minutes refused the action."""


NOT_HELD = "La réunion n'a pas encore eu lieu : le compte rendu se rédige une fois la réunion tenue."


@transaction.atomic
def minutes_update(*, meeting: Meeting, expected_version: int, by: User, minutes: str) -> Meeting:
    """Write (or correct) the minutes of a held meeting: sanitised, dated and signed by `by`."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise MinutesError("La réunion a été annulée : elle n'a pas de compte rendu.")
    if not meeting_is_held(meeting):
        raise MinutesError(NOT_HELD)
    changes: dict[str, object] = {
        "minutes": clean_html(minutes),
        "minutes_written_at": timezone.now(),
        "minutes_written_by": by,
    }
    return save_versioned(
        meeting, expected_version=expected_version, by=by, changes=changes, reason="Compte rendu"
    )


# --- Vote labels ------------------------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def vote_label(decision: Decision) -> str:
    """« À l'unanimité », « À la majorité : 12 voix pour, 2 contre, 1 abstention », « Sans vote »."""
    if decision.vote == "unanimous":
        detail = []
        if decision.votes_for:
            detail.append(f"{decision.votes_for} voix pour")
        if decision.abstentions:
            detail.append(_plural(decision.abstentions, "abstention"))
        return "À l'unanimité" + (f" ({', '.join(detail)})" if detail else "")
    if decision.vote == "majority":
        parts = [
            f"{decision.votes_for or 0} voix pour",
            f"{decision.votes_against or 0} contre",
            _plural(decision.abstentions or 0, "abstention"),
        ]
        return "À la majorité : " + ", ".join(parts)
    return "Sans vote"


# --- Print contexts ----------------------------------------------------------------------------------------------


def _items(meeting: Meeting, day: datetime.date) -> list[AgendaItem]:
    """The agenda in order, each item with its operation (status, progress, lateness), need and subsidy request,
    and its decisions. Three queries."""
    operations = Operation.objects.with_progress().with_lateness(day).select_related("owner")
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("need", "subsidy_request")
        .prefetch_related(
            Prefetch("operation", queryset=operations),
            Prefetch("decisions", queryset=Decision.objects.select_related("deliberation").order_by("pk")),
        )
        .order_by("order", "pk")
    )


def _decorate(decisions: list[Decision]) -> list[Decision]:
    for decision in decisions:
        decision.vote_label = vote_label(decision)  # type: ignore[attr-defined]
    return decisions


def agenda_context(meeting: Meeting) -> dict[str, object]:
    """The printable agenda: the body, date, place, invitees and the numbered items with short figures."""
    day = timezone.localdate()
    return {
        "meeting": meeting,
        "committee": meeting.committee,
        "programme": meeting.committee.programme,
        "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
        "invitees": list(
            Attendance.objects.filter(meeting=meeting).select_related("organisation").order_by("name", "pk")
        ),
        "items": _items(meeting, day),
        "day": day,
    }


def attendance_summary(meeting: Meeting) -> dict[str, object]:
    """Who came, who was excused or absent, and the quorum (a majority of the voting members in office)."""
    attendances = list(
        Attendance.objects.filter(meeting=meeting).select_related("organisation").order_by("name", "pk")
    )
    present = [a for a in attendances if a.status in (AttendanceStatus.PRESENT, AttendanceStatus.REPRESENTED)]
    excused = [a for a in attendances if a.status == AttendanceStatus.EXCUSED]
    absent = [a for a in attendances if a.status in (AttendanceStatus.ABSENT, AttendanceStatus.INVITED)]
    members = voting_members(meeting)
    voting_present = voting_members_present(meeting) or 0
    quorum = members // 2 + 1 if members else None
    return {
        "present": present,
        "excused": excused,
        "absent": absent,
        "voting_members": members,
        "voting_present": voting_present,
        "quorum": quorum,
        "quorum_reached": quorum is not None and voting_present >= quorum,
    }


def minutes_context(meeting: Meeting) -> dict[str, object]:
    """The printable minutes: attendance with quorum, each item with its decisions and votes, the minutes text."""
    day = timezone.localdate()
    items = _items(meeting, day)
    for item in items:
        _decorate(list(item.decisions.all()))
    return {
        **agenda_context(meeting),
        "items": items,
        "attendance": attendance_summary(meeting),
        "minutes_html": clean_html(meeting.minutes),
        "written_by": meeting.minutes_written_by,
        "written_at": timezone.localtime(meeting.minutes_written_at) if meeting.minutes_written_at else None,
    }


def can_read_meeting(user: object, meeting: models.Model) -> bool:
    """Whoever sees the meeting (the programme's readers, the mayors of its communes, staff) reads its PDFs."""
    return policy.visible_to(Meeting.objects.filter(pk=meeting.pk), user).exists()


def _title(prefix: str) -> object:
    def title(meeting: models.Model) -> str:
        return f"{prefix} — {meeting.committee.name}, {timezone.localtime(meeting.starts_at):%d/%m/%Y}"

    return title


MEETING_AGENDA_PDF = Renderer(
    kind=MEETING_AGENDA,
    template="pdf/meeting_agenda.html",
    title=_title("Ordre du jour"),
    context=agenda_context,
    can_read=can_read_meeting,
    url=lambda meeting: reverse("governance:meeting", args=[meeting.pk]),
)

MEETING_MINUTES_PDF = Renderer(
    kind=MEETING_MINUTES,
    template="pdf/meeting_minutes.html",
    title=_title("Compte rendu"),
    context=minutes_context,
    can_read=can_read_meeting,
    url=lambda meeting: reverse("governance:meeting", args=[meeting.pk]),
)
