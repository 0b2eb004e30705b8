"""Arbitration notes (issue 8, DOMAIN.md §6.3): creation (free, from an escalated difficulty, from an alert), edits
while in draft, the workflow draft → submitted → decided (approved option / rejected / postponed; « returned for
more work » sends it back to draft) → implemented (H4), the frozen snapshot and the note's PDF.

Decision rights come from the policy: only the programme's élu référent decides a note put to the referent
(`policy.can_decide_arbitration`); a note put to a body is decided by that body in a held meeting, and the
programme's manager records it (`policy.can_record_body_decision`). Every transition locks the row, checks the
status again (a second decision is refused), bumps the version (a form opened before is then stale) and writes a
`StatusChange` (who, when, comment) in the same transaction. A decision freezes the note as decided (`snapshot`:
fields, linked objects by label, the options with their computed impact, the recommendation, the decision) and
writes the decision register's row.

Keyword-only, atomic, audited (the history user on every row); refusals raise `ArbitrationError` in French.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from budget.models import SubsidyRequest
from operations.models import Operation, Risk
from operations.procurement.models import Contract
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import Membership, Role, User
from pvd.concurrency import StaleObjectError, save_versioned
from pvd.documents import Renderer
from pvd.errors import DomainError
from pvd.governance.models import (
    Alert,
    Arbitration,
    ArbitrationOption,
    ArbitrationOutcome,
    ArbitrationSource,
    ArbitrationStatus,
    Committee,
    CommitteeKind,
    Decision,
    DecisionLevel,
    Meeting,
    MeetingStatus,
    NotificationKind,
)
from pvd.governance.services.notify import notify
from pvd.models import StatusChange


class ArbitrationError(DomainError):
    """A rule of the arbitration workflow refused the action."""


# The kinds of body that decide at each level (the élu référent decides alone, online).
LEVEL_COMMITTEE_KINDS: dict[str, frozenset[str]] = {
    DecisionLevel.COTECH: frozenset({CommitteeKind.COTECH}),
    DecisionLevel.PROJECT_COMMITTEE: frozenset({CommitteeKind.PROJECT_COMMITTEE, CommitteeKind.COPIL}),
    DecisionLevel.BUREAU: frozenset({CommitteeKind.BUREAU}),
    DecisionLevel.COUNCIL: frozenset({CommitteeKind.COMMUNITY_COUNCIL, CommitteeKind.MUNICIPAL_COUNCIL}),
}

# What the decider may answer: the register's outcomes, and « returned for more work » (back to draft).
RETURNED = "returned"
DECISION_CHOICES = [
    (ArbitrationOutcome.APPROVED.value, "Approuver une option"),
    (ArbitrationOutcome.REJECTED.value, "Rejeter"),
    (ArbitrationOutcome.POSTPONED.value, "Ajourner"),
    (RETURNED, "Renvoyer pour complément"),
]
BODY_DECISION_CHOICES = DECISION_CHOICES[:3]

MIN_OPTIONS = 2
REFERENT_TITLE = "élu(e) référent(e)"


def next_reference(programme: Programme, day: datetime.date) -> str:
    """« ARB-2026-004 »: the year of the note and its rank in the programme that year (call inside a transaction
    that locks the programme row)."""
    prefix = f"ARB-{day.year}-"
    last = Arbitration.objects.filter(programme=programme, reference__startswith=prefix).aggregate(
        last=Max("reference")
    )["last"]
    rank = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{rank:03d}"


def _record(
    arbitration: Arbitration, *, source: str, target: str, by: User | None, comment: str = ""
) -> None:
    StatusChange.objects.create(obj=arbitration, source=source, target=target, by=by, comment=comment)


def _arbitration_url(arbitration: Arbitration) -> str:
    return reverse("governance:arbitration", args=[arbitration.pk])


@transaction.atomic
def arbitration_from_risk(*, risk: Risk, by: User, on: datetime.date, note: str) -> Arbitration:
    """The draft note an escalated difficulty becomes (once: a second call returns the same note). Its context is
    the difficulty, its question the escalation note, its operation linked; decision level: the élu référent."""
    existing = Arbitration.objects.filter(risk=risk).first()
    if existing is not None:
        return existing
    operation = risk.operation
    programme = Programme.objects.select_for_update().get(pk=operation.programme_id)
    arbitration = Arbitration(
        programme=programme,
        reference=next_reference(programme, on),
        title=f"{operation.code} — {risk.description[:200]}",
        source=ArbitrationSource.ESCALATED_RISK,
        risk=risk,
        context=(
            f"Difficulté signalée sur l'opération {operation.code} « {operation.title} » : {risk.description}"
            + (f"\n\nMesures de maîtrise : {risk.mitigation}" if risk.mitigation else "")
        ),
        question=note,
        decision_level=DecisionLevel.REFERENT,
        requested_by=by,
        requested_on=on,
    )
    arbitration.full_clean()
    arbitration._history_user = by  # type: ignore[attr-defined]
    arbitration.save()
    arbitration.operations.add(operation)
    _record(arbitration, source="", target=ArbitrationStatus.DRAFT, by=by, comment="Difficulté remontée.")
    return arbitration


# --- Checks -----------------------------------------------------------------------------------------------------


def _check_committee(programme: Programme, level: str, committee: Committee | None) -> None:
    if level not in LEVEL_COMMITTEE_KINDS and level != DecisionLevel.REFERENT:
        raise ValidationError({"decision_level": "Choisissez le niveau de décision."})
    if committee is None:
        return
    if committee.programme_id != programme.pk:
        raise ValidationError({"committee": "Cette instance n'est pas une instance du programme."})
    if level == DecisionLevel.REFERENT:
        raise ValidationError(
            {"committee": "Un arbitrage soumis à l'élu(e) référent(e) n'est pas porté devant une instance."}
        )
    if committee.kind not in LEVEL_COMMITTEE_KINDS[level]:
        raise ValidationError(
            {
                "committee": (
                    f"« {committee.name} » ({committee.get_kind_display()}) ne décide pas au niveau "
                    f"« {DecisionLevel(level).label} »."
                )
            }
        )


def _check_links(
    programme: Programme,
    operations: Iterable[Operation],
    subsidy_requests: Iterable[SubsidyRequest],
    contracts: Iterable[Contract],
) -> None:
    if any(operation.programme_id != programme.pk for operation in operations):
        raise ValidationError({"operations": "Une opération liée n'appartient pas au programme."})
    if any(request.programme_id != programme.pk for request in subsidy_requests):
        raise ValidationError(
            {"subsidy_requests": "Une demande de subvention liée n'appartient pas au programme."}
        )
    contract_ids = [contract.pk for contract in contracts]
    if (
        contract_ids
        and Contract.objects.filter(pk__in=contract_ids)
        .exclude(lot__consultation__programme=programme)
        .exists()
    ):
        raise ValidationError({"contracts": "Un marché lié n'appartient pas au programme."})


def _check_draft(arbitration: Arbitration) -> None:
    if arbitration.status != ArbitrationStatus.DRAFT:
        raise ArbitrationError(
            f"L'arbitrage {arbitration.reference} est « {arbitration.get_status_display()} » : seule une note "
            "en brouillon se modifie."
        )


# --- Creation and edits -----------------------------------------------------------------------------------------


@transaction.atomic
def arbitration_create(
    *,
    programme: Programme,
    by: User,
    title: str,
    context: str = "",
    question: str = "",
    decision_level: str = DecisionLevel.REFERENT,
    committee: Committee | None = None,
    operations: Iterable[Operation] = (),
    subsidy_requests: Iterable[SubsidyRequest] = (),
    contracts: Iterable[Contract] = (),
    due_on: datetime.date | None = None,
    deliberation_needed: bool = False,
    source: str = ArbitrationSource.FREE,
    alert: Alert | None = None,
    on: datetime.date | None = None,
) -> Arbitration:
    """A new draft note of the programme, its reference the next of the year (the programme row is locked)."""
    operations, subsidy_requests, contracts = list(operations), list(subsidy_requests), list(contracts)
    _check_committee(programme, decision_level, committee)
    _check_links(programme, operations, subsidy_requests, contracts)
    day = on or timezone.localdate()
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    arbitration = Arbitration(
        programme=locked,
        reference=next_reference(locked, day),
        title=title,
        source=source,
        alert=alert,
        context=context,
        question=question,
        decision_level=decision_level,
        committee=committee,
        due_on=due_on,
        deliberation_needed=deliberation_needed,
        requested_by=by,
        requested_on=day,
    )
    arbitration.full_clean()
    arbitration._history_user = by  # type: ignore[attr-defined]
    arbitration.save()
    arbitration.operations.set(operations)
    arbitration.subsidy_requests.set(subsidy_requests)
    arbitration.contracts.set(contracts)
    _record(arbitration, source="", target=ArbitrationStatus.DRAFT, by=by, comment="Note créée.")
    return arbitration


@transaction.atomic
def arbitration_from_alert(*, alert: Alert, by: User, on: datetime.date | None = None) -> Arbitration:
    """A draft note opened from an alert: its context is the alert (title, detail, due date), the alert's object
    linked when it is an operation, a subsidy request or a contract, its decision level the alert's."""
    day = on or timezone.localdate()
    context = alert.title + (f"\n\n{alert.detail}" if alert.detail else "")
    if alert.due_on:
        context += f"\n\nÉchéance : {alert.due_on:%d/%m/%Y}."
    obj = alert.obj if alert.content_type_id and alert.object_id else None
    operations = [obj] if isinstance(obj, Operation) and obj.programme_id == alert.programme_id else []
    requests = [obj] if isinstance(obj, SubsidyRequest) and obj.programme_id == alert.programme_id else []
    contracts = [obj] if isinstance(obj, Contract) else []
    if contracts and contracts[0].lot.consultation.programme_id != alert.programme_id:
        contracts = []
    level = alert.escalated_to or alert.decision_level
    if level not in LEVEL_COMMITTEE_KINDS:
        level = DecisionLevel.REFERENT
    return arbitration_create(
        programme=alert.programme,
        by=by,
        title=alert.title[:250],
        context=context,
        decision_level=level,
        operations=operations,
        subsidy_requests=requests,
        contracts=contracts,
        due_on=alert.due_on,
        source=ArbitrationSource.ALERT,
        alert=alert,
        on=day,
    )


@transaction.atomic
def arbitration_update(
    *,
    arbitration: Arbitration,
    expected_version: int,
    by: User,
    title: str,
    context: str,
    question: str,
    decision_level: str,
    committee: Committee | None,
    operations: Iterable[Operation],
    subsidy_requests: Iterable[SubsidyRequest],
    contracts: Iterable[Contract],
    due_on: datetime.date | None,
    deliberation_needed: bool,
    recommendation: str,
    recommended_option: ArbitrationOption | None,
    follow_up: str,
) -> Arbitration:
    """Change a draft note (a stale form is refused): its fields, its links, the recommendation."""
    operations, subsidy_requests, contracts = list(operations), list(subsidy_requests), list(contracts)
    _check_draft(arbitration)
    _check_committee(arbitration.programme, decision_level, committee)
    _check_links(arbitration.programme, operations, subsidy_requests, contracts)
    if recommended_option is not None and recommended_option.arbitration_id != arbitration.pk:
        raise ValidationError(
            {"recommended_option": "L'option recommandée est l'une des options de la note."}
        )
    saved = save_versioned(
        arbitration,
        expected_version=expected_version,
        by=by,
        changes={
            "title": title,
            "context": context,
            "question": question,
            "decision_level": decision_level,
            "committee": committee,
            "due_on": due_on,
            "deliberation_needed": deliberation_needed,
            "recommendation": recommendation,
            "recommended_option": recommended_option,
            "follow_up": follow_up,
        },
    )
    _check_draft(saved)  # the locked row: a concurrent submission made it read-only
    saved.operations.set(operations)
    saved.subsidy_requests.set(subsidy_requests)
    saved.contracts.set(contracts)
    return saved


# --- Workflow ---------------------------------------------------------------------------------------------------


def _locked(arbitration: Arbitration, expected_version: int | None = None) -> Arbitration:
    """The row, locked for the transition (PostgreSQL refuses FOR UPDATE on the nullable joins: `of` self only)."""
    current = (
        Arbitration.objects.select_for_update(of=("self",))
        .select_related("programme", "committee", "requested_by")
        .order_by()
        .get(pk=arbitration.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise StaleObjectError(
            f"L'arbitrage {current.reference} a changé pendant votre lecture : rechargez la page avant d'agir."
        )
    return current


def _save(arbitration: Arbitration, by: User) -> None:
    arbitration.version += 1
    arbitration.full_clean()
    arbitration._history_user = by  # type: ignore[attr-defined]
    arbitration.save()


def check_submittable(arbitration: Arbitration, *, day: datetime.date) -> None:
    """What a note needs before it goes to the decider: a question, at least two options whose impact computes,
    a recommendation, and the body when a body decides."""
    if not arbitration.question.strip():
        raise ArbitrationError("Formulez la question posée avant de soumettre la note.")
    count = ArbitrationOption.objects.filter(arbitration=arbitration).count()
    if count < MIN_OPTIONS:
        raise ArbitrationError(
            f"Une note d'arbitrage présente au moins deux options ({count} pour l'instant) : ajoutez-en avant de "
            "la soumettre."
        )
    if not arbitration.recommendation.strip():
        raise ArbitrationError("Rédigez la recommandation du chef de projet avant de soumettre la note.")
    if arbitration.decision_level != DecisionLevel.REFERENT and arbitration.committee_id is None:
        raise ArbitrationError("Désignez l'instance appelée à décider avant de soumettre la note.")
    from pvd.governance.selectors.impact import options_with_impact  # H4's computation

    for view in options_with_impact(arbitration, day=day):
        problem = getattr(view, "error", "") or ""
        if problem:
            raise ArbitrationError(f"Option {view.option.letter} : {problem}")


def _recipients_of_request(arbitration: Arbitration, day: datetime.date) -> tuple[list[User], str]:
    roles = Role.REFERENT if arbitration.decision_level == DecisionLevel.REFERENT else Role.MANAGER
    users = list(
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.active_on(day)
            .filter(programme_id=arbitration.programme_id, role=roles)
            .values("user_id"),
        ).order_by("pk")
    )
    if roles == Role.REFERENT:
        title = f"Arbitrage à décider : {arbitration.reference} — {arbitration.title}"
    else:
        body = (
            arbitration.committee.name if arbitration.committee else arbitration.get_decision_level_display()
        )
        title = f"Arbitrage {arbitration.reference} à inscrire à l'ordre du jour de {body}"
    return users, title


@transaction.atomic
def arbitration_submit(
    *, arbitration: Arbitration, by: User, comment: str = "", expected_version: int | None = None
) -> Arbitration:
    """Put the note to its decider (from draft, or again after a postponement): the referent(s) of the programme
    are asked to decide online, or the managers to put it on the body's agenda."""
    current = _locked(arbitration, expected_version)
    postponed = (
        current.status == ArbitrationStatus.DECIDED and current.outcome == ArbitrationOutcome.POSTPONED
    )
    if current.status != ArbitrationStatus.DRAFT and not postponed:
        raise ArbitrationError(
            f"L'arbitrage {current.reference} est « {current.get_status_display()} » : il ne peut pas être soumis."
        )
    day = timezone.localdate()
    check_submittable(current, day=day)
    source = current.status
    current.status = ArbitrationStatus.SUBMITTED
    current.submitted_at = timezone.now()
    _clear_decision(current)
    _save(current, by)
    _record(
        current, source=source, target=ArbitrationStatus.SUBMITTED, by=by, comment=comment or "Note soumise."
    )
    users, title = _recipients_of_request(current, day)
    due = f" Décision attendue avant le {current.due_on:%d/%m/%Y}." if current.due_on else ""
    for user in users:
        notify(
            user=user,
            kind=NotificationKind.DECISION_REQUESTED,
            title=title,
            body=f"{current.question}{due}",
            url=_arbitration_url(current),
            arbitration=current,
        )
    return current


def _clear_decision(arbitration: Arbitration) -> None:
    """A note back in the workflow carries no decision (its last one stays in its snapshot and the register)."""
    arbitration.outcome = ""
    arbitration.chosen_option = None
    arbitration.decided_by = None
    arbitration.decided_at = None
    arbitration.decided_in = None
    arbitration.decision_comment = ""
    arbitration.decision_conditions = ""


@transaction.atomic
def arbitration_reopen(*, arbitration: Arbitration, by: User, comment: str = "") -> Arbitration:
    """A postponed note goes back to draft to be reworked (then submitted again)."""
    current = _locked(arbitration)
    if not (current.status == ArbitrationStatus.DECIDED and current.outcome == ArbitrationOutcome.POSTPONED):
        raise ArbitrationError("Seul un arbitrage ajourné peut être repris en brouillon.")
    current.status = ArbitrationStatus.DRAFT
    current.submitted_at = None
    _clear_decision(current)
    _save(current, by)
    _record(
        current,
        source=ArbitrationStatus.DECIDED,
        target=ArbitrationStatus.DRAFT,
        by=by,
        comment=comment or "Arbitrage ajourné repris pour être complété.",
    )
    return current


def _label(obj: models.Model) -> str:
    return str(obj)


def note_data(arbitration: Arbitration, *, day: datetime.date) -> dict[str, object]:
    """The note as it reads now, JSON-safe (what a decision freezes, what the live PDF prints)."""
    from pvd.governance.selectors.impact import snapshot_impacts  # H4's computation

    risk = arbitration.risk
    return {
        "reference": arbitration.reference,
        "title": arbitration.title,
        "programme": arbitration.programme.name,
        "source": arbitration.get_source_display(),
        "requested_by": str(arbitration.requested_by),
        "requested_on": arbitration.requested_on.isoformat(),
        "decision_level": arbitration.get_decision_level_display(),
        "committee": arbitration.committee.name if arbitration.committee else "",
        "due_on": arbitration.due_on.isoformat() if arbitration.due_on else "",
        "context": arbitration.context,
        "question": arbitration.question,
        "risk": (
            {
                "operation": _label(risk.operation),
                "description": risk.description,
                "level": risk.get_level_display(),
            }
            if risk is not None
            else None
        ),
        "operations": [_label(o) for o in arbitration.operations.order_by("code", "pk")],
        "subsidy_requests": [_label(r) for r in arbitration.subsidy_requests.order_by("title", "pk")],
        "contracts": [
            _label(c) for c in arbitration.contracts.select_related("lot").order_by("number", "pk")
        ],
        "options": snapshot_impacts(arbitration, day=day),
        "recommended_option": arbitration.recommended_option.letter if arbitration.recommended_option else "",
        "recommendation": arbitration.recommendation,
        "follow_up": arbitration.follow_up,
        "deliberation_needed": arbitration.deliberation_needed,
    }


def _decision_text(outcome: str, option: ArbitrationOption | None, comment: str) -> str:
    if outcome == ArbitrationOutcome.APPROVED and option is not None:
        text = f"Option {option.letter} retenue : {option.title}"
        return f"{text}. {comment}" if comment else text
    prefix = "Rejeté" if outcome == ArbitrationOutcome.REJECTED else "Ajourné"
    return f"{prefix} : {comment}"


def _decide(
    current: Arbitration,
    *,
    by: User,
    outcome: str,
    option: ArbitrationOption | None,
    comment: str,
    conditions: str,
    decided_by_label: str,
    meeting: Meeting | None,
) -> Arbitration:
    """The shared effects of a decision (the row is locked and its status checked): checks, the decision fields,
    the frozen snapshot, the register's row, the StatusChange and the author's notification."""
    comment, conditions = comment.strip(), conditions.strip()
    if outcome == RETURNED:
        if not comment:
            raise ValidationError(
                {"comment": "Dites ce qui manque à la note pour la renvoyer pour complément."}
            )
        current.status = ArbitrationStatus.DRAFT
        current.submitted_at = None
        _save(current, by)
        _record(
            current,
            source=ArbitrationStatus.SUBMITTED,
            target=ArbitrationStatus.DRAFT,
            by=by,
            comment=f"Renvoyé pour complément : {comment}",
        )
        notify(
            user=current.requested_by,
            kind=NotificationKind.DECIDED,
            title=f"Arbitrage {current.reference} renvoyé pour complément",
            body=comment,
            url=_arbitration_url(current),
            arbitration=current,
        )
        return current
    if outcome not in ArbitrationOutcome.values:
        raise ValidationError({"outcome": "Choisissez la décision."})
    if outcome == ArbitrationOutcome.APPROVED:
        if option is None or option.arbitration_id != current.pk:
            raise ValidationError({"option": "Choisissez l'option retenue parmi les options de la note."})
    else:
        option = None
        if not comment:
            label = "du rejet" if outcome == ArbitrationOutcome.REJECTED else "de l'ajournement"
            raise ValidationError(
                {"comment": f"Motivez la décision : le commentaire {label} est obligatoire."}
            )
    now = timezone.now()
    day = timezone.localdate(now) if meeting is None else timezone.localtime(meeting.starts_at).date()
    snapshot = note_data(current, day=timezone.localdate(now))
    current.status = ArbitrationStatus.DECIDED
    current.outcome = outcome
    current.chosen_option = option
    current.decided_by = by
    current.decided_at = now
    current.decided_in = meeting
    current.decision_comment = comment
    current.decision_conditions = conditions
    snapshot["decision"] = {
        "outcome": outcome,
        "outcome_label": ArbitrationOutcome(outcome).label,
        "option": option.letter if option else "",
        "option_title": option.title if option else "",
        "decided_by": decided_by_label,
        "recorded_by": str(by),
        "decided_at": now.isoformat(),
        "decided_on": day.isoformat(),
        "meeting": str(meeting) if meeting else "",
        "comment": comment,
        "conditions": conditions,
    }
    current.snapshot = snapshot
    _save(current, by)
    text = _decision_text(outcome, option, comment)
    _record(
        current, source=ArbitrationStatus.SUBMITTED, target=ArbitrationStatus.DECIDED, by=by, comment=text
    )
    decision = Decision(
        programme=current.programme,
        meeting=meeting,
        decided_on=day,
        decided_by=decided_by_label[:200],
        text=text + (f"\nConditions : {conditions}" if conditions else ""),
        arbitration=current,
        operation=current.operations.order_by("code", "pk").first(),
        recorded_by=by,
    )
    decision.full_clean()
    decision._history_user = by  # type: ignore[attr-defined]
    decision.save()
    notify(
        user=current.requested_by,
        kind=NotificationKind.DECIDED,
        title=f"Arbitrage {current.reference} décidé : {ArbitrationOutcome(outcome).label.lower()}",
        body=text,
        url=_arbitration_url(current),
        arbitration=current,
    )
    return current


def _refuse_second_decision(current: Arbitration) -> None:
    if current.status != ArbitrationStatus.SUBMITTED:
        if current.status in (ArbitrationStatus.DECIDED, ArbitrationStatus.IMPLEMENTED):
            raise ArbitrationError(
                f"L'arbitrage {current.reference} a déjà été décidé : la décision est figée."
            )
        raise ArbitrationError(
            f"L'arbitrage {current.reference} n'est pas soumis : il ne peut pas être décidé."
        )


@transaction.atomic
def arbitration_decide(
    *,
    arbitration: Arbitration,
    by: User,
    outcome: str,
    option: ArbitrationOption | None = None,
    comment: str = "",
    conditions: str = "",
) -> Arbitration:
    """The élu référent decides online: an option approved, rejected, postponed, or returned for more work."""
    current = _locked(arbitration)
    _refuse_second_decision(current)
    if not policy.can_decide_arbitration(by, current):
        raise ArbitrationError("Seul(e) l'élu(e) référent(e) du programme décide cet arbitrage.")
    if current.decision_level != DecisionLevel.REFERENT:
        raise ArbitrationError(
            f"Cet arbitrage est porté devant « {current.get_decision_level_display()} » : la décision de l'instance "
            "est enregistrée par le chef de projet."
        )
    name = by.get_full_name() or by.email
    return _decide(
        current,
        by=by,
        outcome=outcome,
        option=option,
        comment=comment,
        conditions=conditions,
        decided_by_label=f"{name}, {REFERENT_TITLE}",
        meeting=None,
    )


def meetings_for_decision(arbitration: Arbitration) -> models.QuerySet[Meeting]:
    """The held meetings whose body may have decided this note: the programme's bodies of its level (its body when
    it names one), not cancelled, already begun."""
    kinds = LEVEL_COMMITTEE_KINDS.get(arbitration.decision_level, frozenset())
    meetings = Meeting.objects.filter(
        committee__programme_id=arbitration.programme_id,
        committee__kind__in=kinds,
        starts_at__lte=timezone.now(),
    ).exclude(status=MeetingStatus.CANCELLED)
    if arbitration.committee_id:
        meetings = meetings.filter(committee_id=arbitration.committee_id)
    return meetings.select_related("committee").order_by("-starts_at", "pk")


@transaction.atomic
def record_body_decision(
    *,
    arbitration: Arbitration,
    by: User,
    meeting: Meeting,
    outcome: str,
    option: ArbitrationOption | None = None,
    comment: str = "",
    conditions: str = "",
) -> Arbitration:
    """The manager records the decision a body took in a held meeting on a note put to it."""
    current = _locked(arbitration)
    _refuse_second_decision(current)
    if not policy.can_record_body_decision(by, current):
        raise ArbitrationError(
            "Seul le chef de projet enregistre la décision d'une instance, jamais pour l'élu(e)."
        )
    if outcome == RETURNED:
        raise ValidationError({"outcome": "Une instance approuve une option, rejette ou ajourne."})
    if not meetings_for_decision(current).filter(pk=meeting.pk).exists():
        raise ValidationError(
            {"meeting": "Citez une réunion tenue d'une instance du programme qui décide à ce niveau."}
        )
    return _decide(
        current,
        by=by,
        outcome=outcome,
        option=option,
        comment=comment,
        conditions=conditions,
        decided_by_label=meeting.committee.name,
        meeting=meeting,
    )


# --- The note's PDF ---------------------------------------------------------------------------------------------


def note_for_print(arbitration: Arbitration) -> dict[str, object]:
    """The print template's context: the frozen note once decided, the live note otherwise."""
    from pvd.governance.selectors.arbitrations import note_for_display

    frozen = arbitration.status in (ArbitrationStatus.DECIDED, ArbitrationStatus.IMPLEMENTED) and bool(
        arbitration.snapshot
    )
    data = arbitration.snapshot if frozen else note_data(arbitration, day=timezone.localdate())
    return {
        "arbitration": arbitration,
        "note": note_for_display(data),
        "frozen": frozen,
        "status_label": arbitration.get_status_display(),
        "day": timezone.localdate(),
    }


def can_read_note(user: object, arbitration: models.Model) -> bool:
    """Whoever sees the note (its managers; its referents once submitted; staff) reads its PDF."""
    return policy.visible_to(Arbitration.objects.filter(pk=arbitration.pk), user).exists()


ARBITRATION_NOTE_PDF = Renderer(
    kind="arbitration_note",
    template="pdf/arbitration_note.html",
    title=lambda arbitration: f"Note d'arbitrage {arbitration.reference} — {arbitration.title}",
    context=note_for_print,
    can_read=can_read_note,
    url=_arbitration_url,
)

__all__ = [
    "ARBITRATION_NOTE_PDF",
    "ArbitrationError",
    "arbitration_create",
    "arbitration_decide",
    "arbitration_from_alert",
    "arbitration_from_risk",
    "arbitration_reopen",
    "arbitration_submit",
    "arbitration_update",
    "next_reference",
    "record_body_decision",
]
