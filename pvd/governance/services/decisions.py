"""Writes of the decision register (issue 8, DOMAIN.md §6.1): a decision recorded on a point of a held meeting's
agenda — its text, the vote when there was one, the objects it is about and the deliberation that carries it.

Keyword-only, atomic, audited (the history user on every row); updates refuse a stale version (StaleObjectError).
A vote is checked here as well as on the form: « à l'unanimité » has no vote against, and the votes cast never
exceed the voting members present when the attendance says how many there were.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from operations.models import Operation
from programmes.models import Deliberation, EngineeringNeed
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned
from pvd.errors import DomainError
from pvd.governance.models import (
    AgendaItem,
    Arbitration,
    Attendance,
    AttendanceStatus,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingStatus,
    VoteKind,
)


class DecisionError(DomainError):
    """A rule of the decision register refused the action."""


FROZEN = (
    "Cette décision a été rendue sur un arbitrage : elle est figée avec l'arbitrage et ne se modifie pas ici."
)
PRESENT_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.REPRESENTED)


def meeting_is_held(meeting: Meeting) -> bool:
    """A meeting has been held once it is recorded as held, or once its start has passed (unless cancelled)."""
    if meeting.status == MeetingStatus.CANCELLED:
        return False
    return meeting.status == MeetingStatus.HELD or meeting.starts_at <= timezone.now()


def voting_members_present(meeting: Meeting) -> int | None:
    """How many members with a deliberative vote, in office on the meeting's day, were present or represented —
    matched on the attendance's person or organisation. None when unknown (no such member is recorded, or no
    attendance of a member is recorded as present): the votes are then not checked against it. Two queries."""
    day = timezone.localtime(meeting.starts_at).date()
    members = list(
        CommitteeMember.objects.filter(committee_id=meeting.committee_id, voting=True, valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .values_list("person_id", "organisation_id")
    )
    if not members:
        return None
    attendances = list(
        Attendance.objects.filter(meeting=meeting, status__in=PRESENT_STATUSES).values_list(
            "person_id", "organisation_id"
        )
    )
    present = 0
    for person_id, organisation_id in members:
        if any(
            (person_id is not None and person_id == a_person)
            or (person_id is None and organisation_id is not None and organisation_id == a_org)
            for a_person, a_org in attendances
        ):
            present += 1
    return present or None


def voting_members(meeting: Meeting) -> int:
    """Members with a deliberative vote in office on the meeting's day (the quorum's denominator)."""
    day = timezone.localtime(meeting.starts_at).date()
    return (
        CommitteeMember.objects.filter(committee_id=meeting.committee_id, voting=True, valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .count()
    )


def check_vote(
    *,
    vote: str,
    votes_for: int | None,
    votes_against: int | None,
    abstentions: int | None,
    present: int | None,
) -> None:
    """French ValidationError on the fields of an inconsistent vote."""
    if vote == VoteKind.NONE and any(n for n in (votes_for, votes_against, abstentions)):
        raise ValidationError(
            {"vote": "Des voix sont indiquées : choisissez « à l'unanimité » ou « à la majorité »."}
        )
    if vote == VoteKind.UNANIMOUS and votes_against:
        raise ValidationError({"votes_against": "Une décision prise à l'unanimité n'a aucune voix contre."})
    if vote == VoteKind.MAJORITY:
        if votes_for is None:
            raise ValidationError({"votes_for": "Indiquez le nombre de voix pour."})
        if votes_for <= (votes_against or 0):
            raise ValidationError(
                {"votes_for": "À la majorité, les voix pour doivent dépasser les voix contre."}
            )
    cast = sum(n or 0 for n in (votes_for, votes_against, abstentions))
    if present is not None and cast > present:
        raise ValidationError(
            {
                "votes_for": (
                    f"{cast} voix exprimées ou abstentions pour {present} membre{'s' if present > 1 else ''} "
                    "à voix délibérative présent(s) ou représenté(s) : corrigez le vote ou les présences."
                )
            }
        )


def _check_links(
    *,
    programme_id: int,
    operation: Operation | None,
    need: EngineeringNeed | None,
    arbitration: Arbitration | None,
    deliberation: Deliberation | None,
) -> None:
    errors = {}
    if operation is not None and operation.programme_id != programme_id:
        errors["operation"] = "Cette opération n'appartient pas au programme."
    if need is not None and need.programme_id != programme_id:
        errors["need"] = "Ce besoin d'ingénierie n'appartient pas au programme."
    if arbitration is not None and arbitration.programme_id != programme_id:
        errors["arbitration"] = "Cet arbitrage n'appartient pas au programme."
    if deliberation is not None and deliberation.programme_id != programme_id:
        errors["deliberation"] = "Cette délibération n'est pas rattachée au programme."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def decision_create(
    *,
    item: AgendaItem,
    by: User,
    text: str,
    vote: str = VoteKind.NONE,
    votes_for: int | None = None,
    votes_against: int | None = None,
    abstentions: int | None = None,
    operation: Operation | None = None,
    need: EngineeringNeed | None = None,
    arbitration: Arbitration | None = None,
    deliberation: Deliberation | None = None,
) -> Decision:
    """Record a decision taken on a point of a held meeting: dated on the meeting's day, by its body."""
    meeting = item.meeting
    committee = meeting.committee
    if not meeting_is_held(meeting):
        raise DecisionError(
            "La réunion n'a pas encore eu lieu : les décisions s'enregistrent une fois la réunion tenue."
        )
    if not text.strip():
        raise ValidationError({"text": "Rédigez la décision."})
    check_vote(
        vote=vote,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        present=voting_members_present(meeting),
    )
    _check_links(
        programme_id=committee.programme_id,
        operation=operation,
        need=need,
        arbitration=arbitration,
        deliberation=deliberation,
    )
    decision = Decision(
        programme_id=committee.programme_id,
        meeting=meeting,
        agenda_item=item,
        decided_on=timezone.localtime(meeting.starts_at).date(),
        decided_by=committee.name[:200],
        text=text.strip(),
        vote=vote,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        operation=operation,
        need=need,
        arbitration=arbitration,
        deliberation=deliberation,
        recorded_by=by,
    )
    save_audited(decision, by)
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    expected_version: int,
    by: User,
    text: str,
    vote: str,
    votes_for: int | None,
    votes_against: int | None,
    abstentions: int | None,
    operation: Operation | None,
    need: EngineeringNeed | None,
    arbitration: Arbitration | None,
    deliberation: Deliberation | None,
) -> Decision:
    """Correct a decision of a meeting (its text, vote, links, deliberation). A decision taken online by the élu
    référent (or recorded for a body) on an arbitration is frozen with the arbitration: only decisions recorded on an
    agenda item are edited here."""
    if decision.agenda_item_id is None:
        raise DecisionError(FROZEN)
    if not text.strip():
        raise ValidationError({"text": "Rédigez la décision."})
    check_vote(
        vote=vote,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        present=voting_members_present(decision.meeting),
    )
    _check_links(
        programme_id=decision.programme_id,
        operation=operation,
        need=need,
        arbitration=arbitration,
        deliberation=deliberation,
    )
    changes: dict[str, object] = {
        "text": text.strip(),
        "vote": vote,
        "votes_for": votes_for,
        "votes_against": votes_against,
        "abstentions": abstentions,
        "operation": operation,
        "need": need,
        "arbitration": arbitration,
        "deliberation": deliberation,
    }
    if decision.recorded_by_id is None:
        changes["recorded_by"] = by  # a row imported or made without its author: the editor records it now
    return save_versioned(decision, expected_version=expected_version, by=by, changes=changes)
