"""Concertation writes: the event's status workflow and its refusals, the attendance total rule, what only a held
event records (feedback, L103-2 bilan), the contribution's effect rules, links limited to the programme, and the
optimistic locking of a plan line."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from operations.models import AttendanceProfile, ConcertationEvent, Contribution
from operations.participation.models import (
    AttendeeProfile,
    ContributionOutcome,
    EventFormat,
    EventStatus,
    LegalFrame,
)
from operations.participation.selectors.concertation import bilan_state
from operations.participation.services import concertation as services
from operations.participation.services.concertation import ConcertationError
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.operations.factories import OperationFactory
from tests.operations.participation_factories import (
    AttendanceProfileFactory,
    ConcertationEventFactory,
    ConcertationPlanItemFactory,
)

D = datetime.date
TODAY = D(2026, 11, 30)


@pytest.fixture
def planned(territory: Territory) -> ConcertationEvent:
    return ConcertationEventFactory(
        programme=territory.programme,
        status=EventStatus.PLANNED,
        starts_on=D(2026, 10, 1),
        communes=[territory.wassy],
    )


def _changes(event: ConcertationEvent) -> list[tuple[str, str, str]]:
    return list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(ConcertationEvent), object_id=event.pk
        )
        .order_by("pk")
        .values_list("source", "target", "comment")
    )


# --- Status workflow --------------------------------------------------------------------------------------------


def test_a_planned_event_is_held_and_the_transition_is_recorded(planned, manager) -> None:
    saved = services.event_change_status(event=planned, to=EventStatus.HELD, by=manager, on=TODAY)
    assert saved.status == EventStatus.HELD and saved.version == planned.version + 1
    assert _changes(planned) == [("planned", "held", "")]
    assert saved.history.latest().history_user == manager


def test_cancelling_needs_a_reason(planned, manager) -> None:
    with pytest.raises(ConcertationError, match="motif de l'annulation"):
        services.event_change_status(event=planned, to=EventStatus.CANCELLED, by=manager, comment="  ")
    planned.refresh_from_db()
    assert planned.status == EventStatus.PLANNED and _changes(planned) == []
    services.event_change_status(
        event=planned, to=EventStatus.CANCELLED, by=manager, comment="Salle indisponible"
    )
    assert _changes(planned) == [("planned", "cancelled", "Salle indisponible")]


def test_held_and_cancelled_are_final(planned, manager) -> None:
    services.event_change_status(event=planned, to=EventStatus.HELD, by=manager, on=TODAY)
    with pytest.raises(ConcertationError, match="définitif"):
        services.event_change_status(event=planned, to=EventStatus.CANCELLED, by=manager, comment="Trop tard")
    with pytest.raises(ConcertationError, match="déjà « Tenu »"):
        services.event_change_status(event=planned, to=EventStatus.HELD, by=manager, on=TODAY)


def test_an_event_is_not_held_before_its_date(territory: Territory, manager) -> None:
    future = ConcertationEventFactory(
        programme=territory.programme, status=EventStatus.PLANNED, starts_on=D(2027, 2, 10)
    )
    with pytest.raises(ConcertationError, match="avant sa date"):
        services.event_change_status(event=future, to=EventStatus.HELD, by=manager, on=TODAY)


def test_a_stale_status_change_is_refused(planned, manager) -> None:
    with pytest.raises(StaleObjectError):
        services.event_change_status(
            event=planned, to=EventStatus.HELD, by=manager, on=TODAY, expected_version=planned.version - 1
        )


def test_creation_records_its_status(territory: Territory, manager) -> None:
    event = services.event_create(
        programme=territory.programme,
        by=manager,
        status=EventStatus.HELD,
        on=TODAY,
        communes=[territory.wassy],
        title="Atelier commerçants",
        format=EventFormat.TRADERS_MEETING,
        starts_on=D(2026, 9, 3),
        attendance_count=14,
    )
    assert _changes(event) == [("", "held", "Création du temps de concertation.")]
    with pytest.raises(ValidationError) as error:
        services.event_create(
            programme=territory.programme,
            by=manager,
            status=EventStatus.HELD,
            on=TODAY,
            title="À venir",
            format=EventFormat.WORKSHOP,
            starts_on=D(2027, 1, 5),
        )
    assert "starts_on" in error.value.message_dict


# --- Feedback and L103-2 bilan -------------------------------------------------------------------------------------


def test_feedback_is_recorded_only_for_a_held_event(planned, manager) -> None:
    with pytest.raises(ValidationError) as error:
        services.event_update(
            event=planned,
            by=manager,
            expected_version=planned.version,
            changes={"feedback": "Synthèse envoyée", "feedback_on": D(2026, 10, 20)},
        )
    assert "tenu" in error.value.message_dict["feedback"][0]
    planned.refresh_from_db()
    assert planned.feedback == ""
    held = services.event_change_status(event=planned, to=EventStatus.HELD, by=manager, on=TODAY)
    saved = services.event_update(
        event=held,
        by=manager,
        expected_version=held.version,
        changes={"feedback": "Synthèse envoyée", "feedback_on": D(2026, 10, 20)},
    )
    assert saved.feedback == "Synthèse envoyée"


def test_an_l103_2_concertation_ends_only_with_its_bilan_adopted(territory: Territory, manager) -> None:
    event = ConcertationEventFactory(
        programme=territory.programme, legal_frame=LegalFrame.URBANISM, status=EventStatus.HELD
    )
    assert bilan_state(event).missing is True
    with pytest.raises(ValidationError) as error:
        services.event_update(
            event=event,
            by=manager,
            expected_version=event.version,
            changes={"bilan_deliberation_on": D(2026, 6, 1)},
        )
    assert "bilan_deliberation_reference" in error.value.message_dict
    saved = services.event_update(
        event=event,
        by=manager,
        expected_version=event.version,
        changes={
            "bilan_deliberation_on": D(2026, 6, 1),
            "bilan_deliberation_reference": "Délibération n° 2026-45",
        },
    )
    state = bilan_state(saved)
    assert state.done and not state.missing
    assert state.label == "Concertation terminée : bilan adopté le 01/06/2026 (Délibération n° 2026-45)"


def test_a_voluntary_event_has_no_bilan(territory: Territory, manager) -> None:
    event = ConcertationEventFactory(programme=territory.programme, status=EventStatus.HELD)
    assert bilan_state(event) is None
    with pytest.raises(ValidationError) as error:
        services.event_update(
            event=event,
            by=manager,
            expected_version=event.version,
            changes={"bilan_deliberation_on": D(2026, 6, 1), "bilan_deliberation_reference": "n° 12"},
        )
    assert "L103-2" in error.value.message_dict["bilan_deliberation_on"][0]


# --- Attendance -------------------------------------------------------------------------------------------------


def test_the_attendance_breakdown_may_not_exceed_the_participants(territory: Territory, manager) -> None:
    event = ConcertationEventFactory(programme=territory.programme, attendance_count=30)
    AttendanceProfileFactory(event=event, profile=AttendeeProfile.RESIDENTS, count=10)
    with pytest.raises(ConcertationError, match="31 participants, plus que les 30"):
        services.attendance_save(
            event=event, by=manager, counts={AttendeeProfile.RESIDENTS: 20, AttendeeProfile.TRADERS: 11}
        )
    # nothing half-saved: the recorded breakdown is untouched
    assert list(event.attendance_profiles.values_list("profile", "count")) == [("residents", 10)]
    services.attendance_save(
        event=event,
        by=manager,
        counts={AttendeeProfile.RESIDENTS: 20, AttendeeProfile.TRADERS: 10, AttendeeProfile.SENIORS: None},
    )
    assert dict(event.attendance_profiles.values_list("profile", "count")) == {"residents": 20, "traders": 10}
    assert AttendanceProfile.history.filter(profile="traders").latest().history_user == manager


def test_attendance_needs_a_held_event_with_its_participants_count(
    planned, territory: Territory, manager
) -> None:
    with pytest.raises(ConcertationError, match="une fois le temps tenu"):
        services.attendance_save(event=planned, by=manager, counts={AttendeeProfile.RESIDENTS: 5})
    uncounted = ConcertationEventFactory(programme=territory.programme, attendance_count=None)
    with pytest.raises(ConcertationError, match="nombre de participants"):
        services.attendance_save(event=uncounted, by=manager, counts={AttendeeProfile.RESIDENTS: 5})


def test_the_participants_count_cannot_fall_below_the_breakdown(territory: Territory, manager) -> None:
    event = ConcertationEventFactory(programme=territory.programme, attendance_count=30)
    AttendanceProfileFactory(event=event, profile=AttendeeProfile.RESIDENTS, count=25)
    with pytest.raises(ValidationError) as error:
        services.event_update(
            event=event, by=manager, expected_version=event.version, changes={"attendance_count": 20}
        )
    assert "25 participants" in error.value.message_dict["attendance_count"][0]


# --- Contributions ----------------------------------------------------------------------------------------------


def test_a_retained_contribution_describes_the_change(territory: Territory, manager) -> None:
    event = ConcertationEventFactory(programme=territory.programme)
    operation = OperationFactory(programme=territory.programme, code="W-01")
    with pytest.raises(ValidationError) as error:
        services.contribution_create(
            event=event, by=manager, subject="Stationnement", outcome=ContributionOutcome.ADOPTED
        )
    assert error.value.message_dict["effect_description"] == [
        "Décrivez le changement décidé pour une contribution retenue."
    ]
    with pytest.raises(ValidationError) as error:
        services.contribution_create(
            event=event,
            by=manager,
            subject="Bancs",
            outcome=ContributionOutcome.PENDING,
            effect_operation=operation,
        )
    assert "effect_operation" in error.value.message_dict
    assert not Contribution.objects.exists()
    saved = services.contribution_create(
        event=event,
        by=manager,
        subject="Stationnement",
        count=12,
        outcome=ContributionOutcome.ADOPTED,
        effect_operation=operation,
        effect_description="Six places minute",
        effect_on=D(2026, 5, 12),
    )
    assert saved.effect_operation == operation
    assert saved.history.latest().history_user == manager


def test_links_are_limited_to_the_programme(territory: Territory, manager) -> None:
    foreign = OperationFactory(programme=territory.other_programme, code="J-01")
    event = ConcertationEventFactory(programme=territory.programme)
    with pytest.raises(ValidationError) as error:
        services.contribution_create(
            event=event,
            by=manager,
            subject="Idée",
            outcome=ContributionOutcome.ADOPTED,
            effect_operation=foreign,
            effect_description="Changement",
        )
    assert "effect_operation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.plan_item_create(
            programme=territory.programme,
            by=manager,
            operations=[foreign],
            communes=[territory.other_commune],
            title="Démarche",
            format=EventFormat.WORKSHOP,
            planned_from=D(2026, 1, 1),
            planned_until=D(2026, 6, 30),
        )
    assert set(error.value.message_dict) == {"operations", "communes"}


def test_a_cancelled_event_gathers_no_contribution(territory: Territory, manager) -> None:
    event = ConcertationEventFactory(programme=territory.programme, status=EventStatus.CANCELLED)
    with pytest.raises(ConcertationError, match="annulé"):
        services.contribution_create(event=event, by=manager, subject="Idée")


# --- Plan ---------------------------------------------------------------------------------------------------------


def test_a_stale_plan_line_is_refused(territory: Territory, manager) -> None:
    item = ConcertationPlanItemFactory(programme=territory.programme)
    services.plan_item_update(
        item=item, by=manager, expected_version=item.version, changes={"expected_sessions": 3}
    )
    with pytest.raises(StaleObjectError, match="Camille Martin"):
        services.plan_item_update(
            item=item, by=manager, expected_version=item.version, changes={"title": "Autre intitulé"}
        )
    item.refresh_from_db()
    assert (item.expected_sessions, item.title != "Autre intitulé") == (3, True)
