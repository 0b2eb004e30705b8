"""Phases of an operation: the standard sequence, slip reasons, actual dates, progress roll-up, lateness, and
the pages that edit them (managers only; mayors read)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from operations.models import Operation, OperationStatus, Phase, PhaseTemplate
from operations.selectors.tracking import tracking_for_page
from operations.services import tracking as services
from operations.services.errors import OperationError
from pvd.accounts import policy
from pvd.concurrency import StaleObjectError
from tests.conftest import Territory
from tests.operations.factories import OperationFactory, PhaseFactory

TODAY = datetime.date(2026, 11, 28)


@pytest.fixture
def operation(territory: Territory) -> Operation:
    return OperationFactory(
        programme=territory.programme,
        code="W-03",
        title="Halle de Wassy",
        owner=territory.wassy,
        communes=[territory.wassy],
        status=OperationStatus.WORKS,
    )


def progress_of(operation: Operation) -> Decimal:
    return Operation.objects.with_progress().get(pk=operation.pk).progress


# --- The standard sequence ---------------------------------------------------------------------------------


def test_the_standard_sequence_is_chained_from_the_start_date(operation, manager) -> None:
    phases = services.phases_from_template(operation=operation, by=manager, start=datetime.date(2027, 1, 1))

    assert [(p.order, p.name, p.weight) for p in phases] == [
        (1, "Études préalables", Decimal("1.00")),
        (2, "Programmation", Decimal("1.00")),
        (3, "Maîtrise d'œuvre (conception)", Decimal("2.00")),
        (4, "Consultation des entreprises", Decimal("1.00")),
        (5, "Travaux", Decimal("4.00")),
        (6, "Réception", Decimal("1.00")),
    ]
    # 6, 4, 9, 4, 12 and 1 months, each phase starting the day after the previous one ends.
    assert [(p.baseline_start, p.baseline_end) for p in phases] == [
        (datetime.date(2027, 1, 1), datetime.date(2027, 6, 30)),
        (datetime.date(2027, 7, 1), datetime.date(2027, 10, 31)),
        (datetime.date(2027, 11, 1), datetime.date(2028, 7, 31)),
        (datetime.date(2028, 8, 1), datetime.date(2028, 11, 30)),
        (datetime.date(2028, 12, 1), datetime.date(2029, 11, 30)),
        (datetime.date(2029, 12, 1), datetime.date(2029, 12, 31)),
    ]
    assert all(p.forecast_start == p.baseline_start and p.forecast_end == p.baseline_end for p in phases)


def test_the_sequence_follows_the_editable_templates(operation, manager) -> None:
    PhaseTemplate.objects.filter(name="Réception").update(typical_months=2, weight=Decimal("0.5"))
    phases = services.phases_from_template(operation=operation, by=manager, start=datetime.date(2027, 1, 1))
    assert (phases[-1].weight, phases[-1].baseline_end) == (Decimal("0.50"), datetime.date(2030, 1, 31))


def test_the_sequence_is_refused_when_the_operation_has_phases(operation, manager) -> None:
    PhaseFactory(operation=operation)
    with pytest.raises(OperationError, match="déjà des phases"):
        services.phases_from_template(operation=operation, by=manager, start=datetime.date(2027, 1, 1))
    assert operation.phases.count() == 1


# --- Rules of a phase --------------------------------------------------------------------------------------


def test_a_forecast_end_after_the_baseline_end_requires_a_slip_reason(operation, manager) -> None:
    phase = PhaseFactory(operation=operation, baseline_end=datetime.date(2026, 12, 31))
    with pytest.raises(ValidationError) as caught:
        services.phase_update(
            phase=phase, expected_version=1, by=manager, forecast_end=datetime.date(2027, 3, 31)
        )
    assert caught.value.message_dict["slip_reason"] == [
        (
            "La fin prévisionnelle (31/03/2027) dépasse la fin prévue au référentiel (31/12/2026) : "
            "indiquez le motif du glissement."
        )
    ]

    phase = services.phase_update(
        phase=phase,
        expected_version=1,
        by=manager,
        forecast_end=datetime.date(2027, 3, 31),
        slip_reason="Appel d'offres infructueux, relancé en janvier.",
    )
    assert (phase.version, phase.slip_reason) == (2, "Appel d'offres infructueux, relancé en janvier.")


def test_actual_dates_cannot_be_in_the_future(operation, manager) -> None:
    phase = PhaseFactory(operation=operation)
    tomorrow = policy.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.phase_update(phase=phase, expected_version=1, by=manager, actual_start=tomorrow)
    assert caught.value.message_dict == {
        "actual_start": ["Le début réel ne peut pas être dans le futur : enregistrez ce qui s'est produit."]
    }


def test_a_finished_phase_is_at_one_hundred_percent(operation, manager) -> None:
    phase = PhaseFactory(operation=operation)
    with pytest.raises(ValidationError) as caught:
        services.phase_update(
            phase=phase,
            expected_version=1,
            by=manager,
            actual_start=datetime.date(2026, 1, 5),
            actual_end=datetime.date(2026, 6, 1),
            progress=Decimal("0.8"),
        )
    assert "progress" in caught.value.message_dict


def test_a_stale_phase_form_is_refused(operation, manager) -> None:
    phase = PhaseFactory(operation=operation)
    services.phase_update(phase=phase, expected_version=1, by=manager, progress=Decimal("0.5"))
    with pytest.raises(StaleObjectError):
        services.phase_update(phase=phase, expected_version=1, by=manager, progress=Decimal("0.2"))


def test_manual_progress_only_without_phases(operation, manager) -> None:
    saved = services.operation_set_manual_progress(
        operation=operation, expected_version=operation.version, by=manager, progress=Decimal("0.4")
    )
    assert progress_of(operation) == Decimal("0.4")
    PhaseFactory(operation=operation, progress=Decimal("0.1"))
    with pytest.raises(OperationError, match="calculé à partir de ses phases"):
        services.operation_set_manual_progress(
            operation=saved, expected_version=saved.version, by=manager, progress=Decimal("0.9")
        )


# --- Progress roll-up and lateness -------------------------------------------------------------------------


def test_progress_is_the_weighted_mean_of_the_phases(operation, manager) -> None:
    operation.manual_progress = Decimal("0.9")  # ignored once there are phases
    operation.save()
    PhaseFactory(operation=operation, weight=Decimal(1), progress=Decimal(1))
    PhaseFactory(operation=operation, weight=Decimal(4), progress=Decimal("0.5"))
    PhaseFactory(operation=operation, weight=Decimal(0), progress=Decimal(0))
    # (1 × 100 % + 4 × 50 %) / 5 = 60 %
    assert progress_of(operation) == Decimal("0.6")
    tracking = tracking_for_page(manager, operation, day=TODAY)
    assert (tracking.progress, tracking.progress_is_computed) == (Decimal("0.6"), True)


def test_progress_falls_back_to_the_manual_value_then_zero(operation, manager) -> None:
    assert progress_of(operation) == Decimal(0)
    operation.manual_progress = Decimal("0.25")
    operation.save()
    assert progress_of(operation) == Decimal("0.25")
    assert tracking_for_page(manager, operation, day=TODAY).progress == Decimal("0.25")


@pytest.mark.parametrize(
    ("dates", "late"),
    [
        ({"forecast_end": datetime.date(2027, 3, 1), "slip_reason": "x"}, True),  # forecast slips
        ({}, True),  # baseline end (30/06/2026) passed, phase not finished
        ({"actual_start": datetime.date(2026, 1, 2), "actual_end": datetime.date(2026, 6, 15)}, False),
        ({"actual_start": datetime.date(2026, 1, 2), "actual_end": datetime.date(2026, 7, 15)}, True),
        ({"baseline_end": datetime.date(2027, 6, 30)}, False),  # baseline end not reached yet
    ],
)
def test_lateness_against_the_baseline(operation, manager, dates, late) -> None:
    phase = PhaseFactory(operation=operation, **dates)
    assert phase.is_late_on(TODAY) is late
    assert Operation.objects.with_lateness(TODAY).get(pk=operation.pk).is_late is late
    assert tracking_for_page(manager, operation, day=TODAY).is_late is late


def test_a_delivered_operation_is_never_late(operation, manager) -> None:
    PhaseFactory(operation=operation)  # baseline end passed, not finished
    Operation.objects.filter(pk=operation.pk).update(status=OperationStatus.DELIVERED)
    operation.refresh_from_db()
    assert Operation.objects.with_lateness(TODAY).get(pk=operation.pk).is_late is False
    tracking = tracking_for_page(manager, operation, day=TODAY)
    assert tracking.is_late is False
    assert tracking.phases[0].is_late is True  # the phase itself still shows its slip


def test_the_tracking_block_costs_three_queries_whatever_the_data(
    operation, manager, django_assert_num_queries
) -> None:
    for _ in range(5):
        PhaseFactory(operation=operation)
    operation = Operation.objects.select_related("programme").get(pk=operation.pk)
    policy.scope_for(manager)
    with django_assert_num_queries(3):  # phases, reports + authors, risks + who escalated them
        tracking_for_page(manager, operation, day=TODAY)


# --- Pages -------------------------------------------------------------------------------------------------


def test_the_manager_updates_a_phase_from_its_page(client_for, manager, operation) -> None:
    phase = PhaseFactory(operation=operation, name="Travaux", baseline_end=datetime.date(2026, 12, 31))
    client = client_for("manager")
    url = reverse("operations:phase_edit", args=[phase.pk])
    data = {
        "version": 1,
        "name": "Travaux",
        "order": 1,
        "weight": "4",
        "progress_percent": "40",
        "baseline_start": "2026-01-01",
        "baseline_end": "2026-12-31",
        "forecast_start": "2026-01-01",
        "forecast_end": "2027-02-28",
        "slip_reason": "",
    }
    page = client.post(url, data).content.decode()
    assert "indiquez le motif du glissement" in page
    response = client.post(url, {**data, "slip_reason": "Intempéries"})
    assert response.status_code == 302
    phase.refresh_from_db()
    assert (phase.progress, phase.forecast_end, phase.slip_reason) == (
        Decimal("0.4000"),
        datetime.date(2027, 2, 28),
        "Intempéries",
    )


def test_the_manager_creates_the_standard_sequence_from_its_page(client_for, manager, operation) -> None:
    response = client_for("manager").post(
        reverse("operations:phases_from_template", args=[operation.pk]), {"start": "2027-01-01"}
    )
    assert response.status_code == 302
    assert operation.phases.count() == 6


def test_the_mayor_cannot_write_a_phase(client_for, mayor_of_wassy, operation) -> None:
    phase = PhaseFactory(operation=operation)
    response = client_for("mayor_of_wassy").post(
        reverse("operations:phase_delete", args=[phase.pk]), {"version": 1}
    )
    assert response.status_code == 403
    assert Phase.objects.filter(pk=phase.pk).exists()


def test_the_mayor_of_another_commune_gets_404(client_for, mayor_of_la_porte_du_der, operation) -> None:
    phase = PhaseFactory(operation=operation)
    response = client_for("mayor_of_la_porte_du_der").post(
        reverse("operations:phase_delete", args=[phase.pk]), {"version": 1}
    )
    assert response.status_code == 404


def test_the_manager_deletes_a_phase(client_for, manager, operation) -> None:
    phase = PhaseFactory(operation=operation)
    response = client_for("manager").post(reverse("operations:phase_delete", args=[phase.pk]), {"version": 1})
    assert response.status_code == 302
    assert not Phase.objects.filter(pk=phase.pk).exists()
