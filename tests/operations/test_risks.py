"""Risks and difficulties of an operation, and the escalation of a difficulty to the decision level: the
status, the StatusChange row and the `difficulty_escalated` signal (the governance issue's hook)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from operations.models import Operation, OperationStatus, Risk, RiskKind, RiskLevel, RiskStatus
from operations.selectors.tracking import escalated_difficulties, tracking_for_page
from operations.services import tracking as services
from operations.services.errors import OperationError
from operations.signals import difficulty_escalated
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.operations.factories import OperationFactory

ON = datetime.date(2026, 11, 27)


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


@pytest.fixture
def received() -> list[dict[str, object]]:
    calls: list[dict[str, object]] = []

    def receiver(sender: object, **kwargs: object) -> None:
        calls.append({"sender": sender, **kwargs})

    difficulty_escalated.connect(receiver, dispatch_uid="test_risks")
    yield calls
    difficulty_escalated.disconnect(dispatch_uid="test_risks")


def changes_of(risk: Risk) -> list[tuple[str, str, str]]:
    return list(
        StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(Risk), object_id=risk.pk)
        .order_by("at", "pk")
        .values_list("source", "target", "comment")
    )


def difficulty(operation: Operation, manager, **kwargs) -> Risk:
    return services.risk_create(
        operation=operation,
        by=manager,
        kind=RiskKind.DIFFICULTY,
        description="Fouilles archéologiques",
        **kwargs,
    )


def test_escalating_a_difficulty_records_it_and_sends_the_signal(
    operation, manager, received, django_capture_on_commit_callbacks
) -> None:
    risk = difficulty(operation, manager)
    with django_capture_on_commit_callbacks(execute=True):
        escalated = services.risk_escalate(
            risk=risk, expected_version=1, by=manager, note="Arbitrer un surcoût de 80 000 € HT.", on=ON
        )

    assert (escalated.status, escalated.escalated_on, escalated.escalated_by, escalated.escalation_note) == (
        RiskStatus.ESCALATED,
        ON,
        manager,
        "Arbitrer un surcoût de 80 000 € HT.",
    )
    assert changes_of(risk) == [
        ("", "open", "Difficulté signalée."),
        ("open", "escalated", "Arbitrer un surcoût de 80 000 € HT."),
    ]
    assert received == [
        {
            "sender": Risk,
            "signal": difficulty_escalated,
            "risk": escalated,
            "by": manager,
            "on": ON,
            "note": "Arbitrer un surcoût de 80 000 € HT.",
        }
    ]
    assert list(escalated_difficulties(manager, operation.programme)) == [escalated]


def test_the_signal_is_not_sent_when_the_transaction_rolls_back(operation, manager, received) -> None:
    risk = difficulty(operation, manager)
    # Without django_capture_on_commit_callbacks, the test's transaction never commits: nothing is sent.
    services.risk_escalate(risk=risk, expected_version=1, by=manager, note="Arbitrage.", on=ON)
    assert received == []


def test_a_low_risk_cannot_be_escalated(operation, manager, received) -> None:
    risk = services.risk_create(operation=operation, by=manager, description="Météo", level=RiskLevel.MEDIUM)
    with pytest.raises(OperationError, match="Seule une difficulté rencontrée"):
        services.risk_escalate(risk=risk, expected_version=1, by=manager, note="?", on=ON)
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OPEN
    assert changes_of(risk) == [("", "open", "Risque enregistré.")]


def test_a_high_risk_can_be_escalated(operation, manager) -> None:
    risk = services.risk_create(operation=operation, by=manager, description="Recours", level=RiskLevel.HIGH)
    assert services.risk_escalate(
        risk=risk, expected_version=1, by=manager, note="Décider.", on=ON
    ).status == (RiskStatus.ESCALATED)


def test_escalation_needs_a_note_and_happens_once(operation, manager) -> None:
    risk = difficulty(operation, manager)
    with pytest.raises(ValidationError):
        services.risk_escalate(risk=risk, expected_version=1, by=manager, note="  ", on=ON)
    risk = services.risk_escalate(risk=risk, expected_version=1, by=manager, note="Décider.", on=ON)
    with pytest.raises(OperationError, match="déjà été remontée le 27/11/2026"):
        services.risk_escalate(risk=risk, expected_version=risk.version, by=manager, note="Encore.", on=ON)


def test_closing_and_mitigating_are_recorded(operation, manager) -> None:
    risk = services.risk_create(operation=operation, by=manager, description="Recours des riverains")
    risk = services.risk_update(
        risk=risk,
        expected_version=1,
        by=manager,
        description="Recours des riverains",
        kind=RiskKind.RISK,
        level=RiskLevel.LOW,
        mitigation="Réunion publique",
        status=RiskStatus.MITIGATED,
    )
    risk = services.risk_close(risk=risk, expected_version=risk.version, by=manager, comment="Délai passé.")
    assert changes_of(risk) == [
        ("", "open", "Risque enregistré."),
        ("open", "mitigated", ""),
        ("mitigated", "closed", "Délai passé."),
    ]
    with pytest.raises(OperationError, match="déjà clos"):
        services.risk_close(risk=risk, expected_version=risk.version, by=manager)


def test_an_edit_cannot_escalate_or_close(operation, manager) -> None:
    risk = difficulty(operation, manager)
    with pytest.raises(OperationError):
        services.risk_update(
            risk=risk,
            expected_version=1,
            by=manager,
            description="x",
            kind=RiskKind.DIFFICULTY,
            level=RiskLevel.LOW,
            status=RiskStatus.CLOSED,
        )


def test_the_page_block_lists_risks_and_escalations(operation, manager) -> None:
    open_risk = services.risk_create(
        operation=operation, by=manager, description="Météo", level=RiskLevel.LOW
    )
    escalated = services.risk_escalate(
        risk=difficulty(operation, manager), expected_version=1, by=manager, note="Décider.", on=ON
    )
    tracking = tracking_for_page(manager, operation)
    assert tracking.escalations == [escalated]
    assert {r.pk: r.can_escalate for r in tracking.risks} == {open_risk.pk: False, escalated.pk: False}


def test_the_manager_escalates_from_the_page(client_for, manager, operation, received) -> None:
    risk = difficulty(operation, manager)
    client = client_for("manager")
    with_escalation = client.post(
        reverse("operations:risk_escalate", args=[risk.pk]),
        {"version": 1, "on": "2026-11-27", "note": "Arbitrer le surcoût."},
    )
    assert with_escalation.status_code == 302
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ESCALATED


def test_the_mayor_reads_but_cannot_escalate(client_for, mayor_of_wassy, manager, operation) -> None:
    risk = difficulty(operation, manager)
    client = client_for("mayor_of_wassy")
    response = client.post(
        reverse("operations:risk_escalate", args=[risk.pk]),
        {"version": 1, "on": "2026-11-27", "note": "Moi."},
    )
    assert response.status_code == 403
    assert list(escalated_difficulties(mayor_of_wassy, operation.programme)) == []
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OPEN


def test_other_commune_mayor_gets_404_on_a_risk(
    client_for, mayor_of_la_porte_du_der, manager, operation
) -> None:
    risk = difficulty(operation, manager)
    response = client_for("mayor_of_la_porte_du_der").get(reverse("operations:risk_edit", args=[risk.pk]))
    assert response.status_code == 404
