"""Arbitration notes, their workflow (issue 8, H3): draft → submitted → decided (approved option / rejected /
postponed) or returned to draft; each transition recorded; the decision frozen, written to the register, and the
people concerned notified (in-app and by e-mail)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError

from operations.models import Operation, RiskKind, RiskLevel, RiskStatus
from operations.services import tracking
from pvd.accounts.models import Role
from pvd.governance.models import (
    Arbitration,
    ArbitrationOutcome,
    ArbitrationSource,
    ArbitrationStatus,
    CommitteeKind,
    Decision,
    DecisionLevel,
    Notification,
    NotificationKind,
)
from pvd.governance.services import arbitrations as services
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.factories import MembershipFactory, UserFactory
from tests.governance.factories import AlertFactory, ArbitrationOptionFactory, CommitteeFactory
from tests.governance.rows_h2 import held_meeting
from tests.governance.rows_h3 import option, ready_note, submitted_note
from tests.operations.factories import OperationFactory


def _changes(arbitration: Arbitration) -> list[tuple[str, str]]:
    return list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Arbitration), object_id=arbitration.pk
        )
        .order_by("at", "pk")
        .values_list("source", "target")
    )


# --- Creation ---------------------------------------------------------------------------------------------------


def test_a_new_note_gets_the_next_reference_of_the_year(territory: Territory, manager) -> None:
    first = services.arbitration_create(
        programme=territory.programme, by=manager, title="Premier", on=datetime.date(2026, 3, 2)
    )
    second = services.arbitration_create(
        programme=territory.programme, by=manager, title="Second", on=datetime.date(2026, 4, 2)
    )
    assert (first.reference, second.reference) == ("ARB-2026-001", "ARB-2026-002")
    assert first.status == ArbitrationStatus.DRAFT
    assert _changes(first) == [("", ArbitrationStatus.DRAFT)]


def test_a_note_refuses_a_committee_whose_kind_does_not_match_the_level(
    territory: Territory, manager
) -> None:
    cotech = CommitteeFactory(programme=territory.programme, kind=CommitteeKind.COTECH)
    with pytest.raises(ValidationError) as error:
        services.arbitration_create(
            programme=territory.programme,
            by=manager,
            title="Mauvaise instance",
            decision_level=DecisionLevel.PROJECT_COMMITTEE,
            committee=cotech,
        )
    assert "ne décide pas au niveau" in str(error.value)
    assert not Arbitration.objects.exists()


def test_a_note_refuses_an_operation_of_another_programme(territory: Territory, manager) -> None:
    foreign = OperationFactory(programme=territory.other_programme)
    with pytest.raises(ValidationError):
        services.arbitration_create(
            programme=territory.programme, by=manager, title="X", operations=[foreign]
        )
    assert not Arbitration.objects.exists()


def test_a_note_opened_from_an_alert_takes_its_context_and_its_operation(
    territory: Territory, manager
) -> None:
    operation = OperationFactory(programme=territory.programme, code="W-07")
    alert = AlertFactory(
        programme=territory.programme,
        title="W-07 en retard de 90 jours",
        detail="La phase travaux n'a pas commencé.",
        due_on=datetime.date(2026, 12, 31),
        obj=operation,
    )
    arbitration = services.arbitration_from_alert(alert=alert, by=manager)
    assert arbitration.source == ArbitrationSource.ALERT
    assert arbitration.alert == alert
    assert "La phase travaux n'a pas commencé." in arbitration.context
    assert "31/12/2026" in arbitration.context
    assert list(arbitration.operations.all()) == [operation]
    assert arbitration.due_on == datetime.date(2026, 12, 31)


def test_an_escalated_risk_opens_one_draft_only(
    territory: Territory, manager, django_capture_on_commit_callbacks
) -> None:
    operation = OperationFactory(programme=territory.programme, code="W-03")
    risk = operation.risks.create(
        kind=RiskKind.DIFFICULTY, description="Découverte d'amiante", level=RiskLevel.HIGH
    )
    with django_capture_on_commit_callbacks(execute=True):
        risk = tracking.risk_escalate(
            risk=risk, expected_version=risk.version, by=manager, note="Que faire ?"
        )
    assert risk.status == RiskStatus.ESCALATED
    services.arbitration_from_risk(risk=risk, by=manager, on=datetime.date(2026, 11, 2), note="Que faire ?")
    notes = Arbitration.objects.filter(risk=risk)
    assert notes.count() == 1
    note = notes.get()
    assert note.source == ArbitrationSource.ESCALATED_RISK
    assert note.status == ArbitrationStatus.DRAFT
    assert list(note.operations.all()) == [operation]


# --- Edits ------------------------------------------------------------------------------------------------------


def _edit(arbitration: Arbitration, manager, **changes: object) -> Arbitration:
    fields = {
        "title": arbitration.title,
        "context": arbitration.context,
        "question": arbitration.question,
        "decision_level": arbitration.decision_level,
        "committee": arbitration.committee,
        "operations": list(arbitration.operations.all()),
        "subsidy_requests": [],
        "contracts": [],
        "due_on": arbitration.due_on,
        "deliberation_needed": arbitration.deliberation_needed,
        "recommendation": arbitration.recommendation,
        "recommended_option": arbitration.recommended_option,
        "follow_up": arbitration.follow_up,
        **changes,
    }
    return services.arbitration_update(
        arbitration=arbitration,
        expected_version=fields.pop("version", arbitration.version),
        by=manager,
        **fields,
    )


def test_a_stale_edit_of_a_note_is_refused(territory: Territory, manager) -> None:
    from pvd.concurrency import StaleObjectError

    arbitration = ready_note(territory, manager)
    _edit(arbitration, manager, title="Nouveau titre")
    with pytest.raises(StaleObjectError):
        _edit(arbitration, manager, title="Titre d'une vieille page", version=arbitration.version)
    assert Arbitration.objects.get(pk=arbitration.pk).title == "Nouveau titre"


def test_the_recommended_option_must_be_one_of_the_note(territory: Territory, manager) -> None:
    arbitration = ready_note(territory, manager)
    other = ArbitrationOptionFactory(letter="A")
    with pytest.raises(ValidationError):
        _edit(arbitration, manager, recommended_option=other)


def test_a_submitted_note_cannot_be_edited(territory: Territory, manager, referent) -> None:
    arbitration = submitted_note(territory, manager)
    with pytest.raises(services.ArbitrationError):
        _edit(arbitration, manager, title="Trop tard")


# --- Submission -------------------------------------------------------------------------------------------------


def test_submit_needs_two_options(territory: Territory, manager) -> None:
    arbitration = ready_note(territory, manager)
    option(arbitration, "A").delete()
    with pytest.raises(services.ArbitrationError, match="au moins deux options"):
        services.arbitration_submit(arbitration=arbitration, by=manager)
    assert Arbitration.objects.get(pk=arbitration.pk).status == ArbitrationStatus.DRAFT


def test_submit_needs_a_question_and_a_recommendation(territory: Territory, manager) -> None:
    arbitration = ready_note(territory, manager, question="")
    with pytest.raises(services.ArbitrationError, match="question"):
        services.arbitration_submit(arbitration=arbitration, by=manager)
    Arbitration.objects.filter(pk=arbitration.pk).update(question="Que retenir ?", recommendation="")
    with pytest.raises(services.ArbitrationError, match="recommandation"):
        services.arbitration_submit(arbitration=arbitration, by=manager)


def test_the_referent_is_notified_in_app_and_by_email(
    territory: Territory, manager, referent, django_capture_on_commit_callbacks
) -> None:
    former = UserFactory(full_name="Ancien référent")
    MembershipFactory(
        user=former,
        role=Role.REFERENT,
        programme=territory.programme,
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2025, 12, 31),
    )
    with django_capture_on_commit_callbacks(execute=True):
        arbitration = submitted_note(territory, manager)
    assert arbitration.status == ArbitrationStatus.SUBMITTED
    assert arbitration.submitted_at is not None
    notification = Notification.objects.get(kind=NotificationKind.DECISION_REQUESTED)
    assert notification.user == referent
    assert notification.arbitration == arbitration
    assert [message.to for message in mail.outbox] == [[referent.email]]
    assert _changes(arbitration)[-1] == (ArbitrationStatus.DRAFT, ArbitrationStatus.SUBMITTED)


def test_a_note_put_to_a_body_asks_the_managers_to_put_it_on_the_agenda(
    territory: Territory, manager, referent
) -> None:
    committee = CommitteeFactory(programme=territory.programme, name="Comité de projet PVD")
    submitted_note(territory, manager, decision_level=DecisionLevel.PROJECT_COMMITTEE, committee=committee)
    notification = Notification.objects.get(kind=NotificationKind.DECISION_REQUESTED)
    assert notification.user == manager
    assert "à inscrire à l'ordre du jour de Comité de projet PVD" in notification.title


# --- Decisions --------------------------------------------------------------------------------------------------


def test_decide_freezes_a_snapshot_that_later_edits_do_not_change(
    territory: Territory, manager, referent
) -> None:
    arbitration = submitted_note(territory, manager)
    decided = services.arbitration_decide(
        arbitration=arbitration,
        by=referent,
        outcome=ArbitrationOutcome.APPROVED,
        option=option(arbitration, "B"),
        comment="D'accord.",
        conditions="Sous réserve de l'avis de l'ABF.",
    )
    assert decided.status == ArbitrationStatus.DECIDED
    assert decided.decided_by == referent
    frozen = dict(decided.snapshot)
    assert frozen["operations"] == ["W-03 — Requalification de la place"]
    assert frozen["decision"]["option"] == "B"
    assert set(frozen["options"]) == {"A", "B"}
    Operation.objects.filter(code="W-03").update(title="Place renommée")
    option(arbitration, "B").__class__.objects.filter(arbitration=arbitration, letter="B").update(
        title="Changé"
    )
    assert Arbitration.objects.get(pk=arbitration.pk).snapshot == frozen


def test_the_register_gets_a_decision(territory: Territory, manager, referent) -> None:
    arbitration = submitted_note(territory, manager)
    services.arbitration_decide(
        arbitration=arbitration,
        by=referent,
        outcome=ArbitrationOutcome.APPROVED,
        option=option(arbitration, "B"),
    )
    decision = Decision.objects.get(arbitration=arbitration)
    assert decision.programme == territory.programme
    assert decision.decided_by == "Jean-Marc Lefèvre, élu(e) référent(e)"
    assert decision.text.startswith("Option B retenue : Réduire le périmètre")
    assert decision.operation.code == "W-03"
    assert decision.meeting is None


def test_the_author_is_notified_of_the_decision(territory: Territory, manager, referent) -> None:
    arbitration = submitted_note(territory, manager)
    services.arbitration_decide(
        arbitration=arbitration, by=referent, outcome=ArbitrationOutcome.REJECTED, comment="Trop cher."
    )
    notification = Notification.objects.get(kind=NotificationKind.DECIDED)
    assert notification.user == manager
    assert Decision.objects.get(arbitration=arbitration).text == "Rejeté : Trop cher."


@pytest.mark.parametrize(
    "outcome", [ArbitrationOutcome.REJECTED, ArbitrationOutcome.POSTPONED, services.RETURNED]
)
def test_a_decision_other_than_an_approval_needs_a_comment(
    territory: Territory, manager, referent, outcome
) -> None:
    arbitration = submitted_note(territory, manager)
    with pytest.raises(ValidationError):
        services.arbitration_decide(arbitration=arbitration, by=referent, outcome=outcome, comment="  ")
    assert Arbitration.objects.get(pk=arbitration.pk).status == ArbitrationStatus.SUBMITTED
    assert not Decision.objects.exists()


def test_an_approval_names_an_option_of_the_note(territory: Territory, manager, referent) -> None:
    arbitration = submitted_note(territory, manager)
    with pytest.raises(ValidationError):
        services.arbitration_decide(arbitration=arbitration, by=referent, outcome=ArbitrationOutcome.APPROVED)
    with pytest.raises(ValidationError):
        services.arbitration_decide(
            arbitration=arbitration,
            by=referent,
            outcome=ArbitrationOutcome.APPROVED,
            option=ArbitrationOptionFactory(letter="Z"),
        )


def test_returned_goes_back_to_draft(territory: Territory, manager, referent) -> None:
    arbitration = submitted_note(territory, manager)
    returned = services.arbitration_decide(
        arbitration=arbitration, by=referent, outcome=services.RETURNED, comment="Chiffrez l'option A."
    )
    assert returned.status == ArbitrationStatus.DRAFT
    assert returned.snapshot is None
    assert not Decision.objects.exists()
    change = StatusChange.objects.filter(object_id=arbitration.pk, target=ArbitrationStatus.DRAFT).latest(
        "pk"
    )
    assert change.source == ArbitrationStatus.SUBMITTED
    assert change.by == referent
    assert "Chiffrez l'option A." in change.comment
    assert Notification.objects.filter(user=manager, kind=NotificationKind.DECIDED).exists()


def test_a_second_decision_is_refused(territory: Territory, manager, referent) -> None:
    arbitration = submitted_note(territory, manager)
    services.arbitration_decide(
        arbitration=arbitration,
        by=referent,
        outcome=ArbitrationOutcome.APPROVED,
        option=option(arbitration, "A"),
    )
    with pytest.raises(services.ArbitrationError, match="déjà été décidé"):
        services.arbitration_decide(
            arbitration=arbitration,
            by=referent,
            outcome=ArbitrationOutcome.REJECTED,
            comment="Finalement non.",
        )
    assert Decision.objects.filter(arbitration=arbitration).count() == 1
    assert Arbitration.objects.get(pk=arbitration.pk).outcome == ArbitrationOutcome.APPROVED


def test_a_postponed_note_may_be_reopened_then_submitted_again(
    territory: Territory, manager, referent
) -> None:
    arbitration = submitted_note(territory, manager)
    services.arbitration_decide(
        arbitration=arbitration, by=referent, outcome=ArbitrationOutcome.POSTPONED, comment="Après le budget."
    )
    assert Decision.objects.get(arbitration=arbitration).text == "Ajourné : Après le budget."
    reopened = services.arbitration_reopen(arbitration=arbitration, by=manager)
    assert (reopened.status, reopened.outcome) == (ArbitrationStatus.DRAFT, "")
    again = services.arbitration_submit(arbitration=reopened, by=manager)
    assert again.status == ArbitrationStatus.SUBMITTED
    assert [target for _, target in _changes(arbitration)] == [
        ArbitrationStatus.SUBMITTED,
        ArbitrationStatus.DECIDED,
        ArbitrationStatus.DRAFT,
        ArbitrationStatus.SUBMITTED,
    ]


def test_a_postponed_note_may_be_submitted_again_directly(territory: Territory, manager, referent) -> None:
    arbitration = submitted_note(territory, manager)
    services.arbitration_decide(
        arbitration=arbitration, by=referent, outcome=ArbitrationOutcome.POSTPONED, comment="Plus tard."
    )
    again = services.arbitration_submit(arbitration=arbitration, by=manager)
    assert (again.status, again.outcome, again.decided_by) == (ArbitrationStatus.SUBMITTED, "", None)


def test_a_rejected_note_cannot_be_submitted_again(territory: Territory, manager, referent) -> None:
    arbitration = submitted_note(territory, manager)
    services.arbitration_decide(
        arbitration=arbitration, by=referent, outcome=ArbitrationOutcome.REJECTED, comment="Non."
    )
    with pytest.raises(services.ArbitrationError):
        services.arbitration_submit(arbitration=arbitration, by=manager)


# --- A body's decision ------------------------------------------------------------------------------------------


def test_the_manager_records_a_body_decision_citing_the_held_meeting(territory: Territory, manager) -> None:
    committee = CommitteeFactory(programme=territory.programme, kind=CommitteeKind.PROJECT_COMMITTEE)
    meeting = held_meeting(territory, committee=committee)
    arbitration = submitted_note(
        territory, manager, decision_level=DecisionLevel.PROJECT_COMMITTEE, committee=committee
    )
    decided = services.record_body_decision(
        arbitration=arbitration,
        by=manager,
        meeting=meeting,
        outcome=ArbitrationOutcome.APPROVED,
        option=option(arbitration, "A"),
    )
    assert decided.decided_in == meeting
    decision = Decision.objects.get(arbitration=arbitration)
    assert (decision.meeting, decision.decided_by) == (meeting, committee.name)
    assert decision.decided_on == datetime.date(2026, 10, 6)
    assert decided.snapshot["decision"]["decided_by"] == committee.name


def test_a_body_decision_must_cite_a_held_meeting_of_a_matching_body(territory: Territory, manager) -> None:
    committee = CommitteeFactory(programme=territory.programme, kind=CommitteeKind.PROJECT_COMMITTEE)
    cotech_meeting = held_meeting(
        territory, committee=CommitteeFactory(programme=territory.programme, kind="cotech")
    )
    arbitration = submitted_note(
        territory, manager, decision_level=DecisionLevel.PROJECT_COMMITTEE, committee=committee
    )
    with pytest.raises(ValidationError):
        services.record_body_decision(
            arbitration=arbitration,
            by=manager,
            meeting=cotech_meeting,
            outcome=ArbitrationOutcome.REJECTED,
            comment="Non.",
        )
    assert not Decision.objects.exists()


def test_a_note_put_to_the_referent_has_no_body_decision(territory: Territory, manager, referent) -> None:
    arbitration = submitted_note(territory, manager)
    meeting = held_meeting(territory)
    with pytest.raises(services.ArbitrationError):
        services.record_body_decision(
            arbitration=arbitration, by=manager, meeting=meeting, outcome="rejected", comment="Non."
        )
