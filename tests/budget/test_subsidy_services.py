"""The subsidy request's services: the lifecycle's transitions with their evidence and history, the plan line
following its request, payment caps of décret 2018-514 at their boundaries, reductions and repayments, stale
edits, allocations."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budget.models import FinancingLineStatus, SchemeRule, SubsidyRequest, SubsidyStatus
from budget.services import subsidies as services
from budget.services.subsidies import SubsidyError
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.budget.factories import FinancingLineFactory, FinancingPlanFactory, scheme
from tests.budget.subsidy_rows import awarded_request, prefecture
from tests.conftest import Territory
from tests.operations.factories import OperationFactory

D = datetime.date
JUNE_2024 = D(2024, 6, 3)
S = SubsidyStatus
pytestmark = pytest.mark.django_db


def new_request(t: Territory, by, **data) -> SubsidyRequest:
    return services.request_create(
        programme=t.programme,
        data={
            "beneficiary": t.wassy,
            "funder": prefecture(t),
            "scheme": scheme("detr"),
            "title": "DETR — Place Notre-Dame",
            "requested_amount": Decimal("40000.00"),
            **data,
        },
        by=by,
    )


# --- Transitions ------------------------------------------------------------------------------------------


def test_creation_records_who_created_the_request(territory, manager) -> None:
    request = new_request(territory, manager)
    assert request.status == S.TO_PREPARE
    change = StatusChange.objects.get(object_id=request.pk, target=S.TO_PREPARE)
    assert change.by == manager


def test_filing_requires_the_filing_date_and_records_the_transition(territory, manager) -> None:
    request = new_request(territory, manager)
    with pytest.raises(SubsidyError, match="dépôt"):
        services.change_status(request=request, status=S.FILED, by=manager)
    filed = services.change_status(
        request=request, status=S.FILED, by=manager, filed_on=D(2026, 1, 12), platform_reference="DS-4521"
    )
    assert (filed.status, filed.filed_on, filed.platform_reference) == (S.FILED, D(2026, 1, 12), "DS-4521")
    assert filed.version == request.version + 1
    change = StatusChange.objects.filter(object_id=request.pk).order_by("-pk").first()
    assert (change.source, change.target, change.by) == (S.TO_PREPARE, S.FILED, manager)


def test_an_award_requires_the_decision_date_and_amount(territory, manager) -> None:
    request = new_request(territory, manager)
    request = services.change_status(request=request, status=S.FILED, by=manager, filed_on=D(2026, 1, 12))
    request = services.change_status(
        request=request, status=S.COMPLETE, by=manager, complete_on=D(2026, 2, 1)
    )
    with pytest.raises(SubsidyError, match="montant attribué"):
        services.change_status(request=request, status=S.AWARDED, by=manager, decided_on=D(2026, 4, 2))
    awarded = services.record_award(
        request=request,
        awarded_amount=Decimal("40000.00"),
        awarded_base_ht=Decimal("160000.00"),
        decided_on=D(2026, 4, 2),
        by=manager,
    )
    assert awarded.status == S.AWARDED
    assert "25,00" in StatusChange.objects.filter(object_id=request.pk).order_by("-pk").first().comment


def test_transitions_outside_the_lifecycle_are_refused(territory, manager) -> None:
    request = new_request(territory, manager)
    with pytest.raises(SubsidyError, match="ne peut pas passer"):
        services.change_status(request=request, status=S.AWARDED, by=manager, decided_on=D(2026, 1, 1))
    with pytest.raises(SubsidyError, match="ne peut pas passer"):
        services.change_status(request=request, status=S.LAPSED, by=manager, comment="?")


def test_final_statuses_are_final_and_a_reason_is_required(territory, manager) -> None:
    request = new_request(territory, manager)
    with pytest.raises(SubsidyError, match="motif"):
        services.change_status(request=request, status=S.WITHDRAWN, by=manager)
    withdrawn = services.change_status(
        request=request, status=S.WITHDRAWN, by=manager, comment="Projet abandonné"
    )
    assert withdrawn.closing_reason == "Projet abandonné"
    with pytest.raises(SubsidyError, match="définitif"):
        services.change_status(request=withdrawn, status=S.FILED, by=manager, filed_on=D(2026, 1, 1))


def test_a_notified_request_may_lapse(territory, manager) -> None:
    request = awarded_request(territory, manager)
    lapsed = services.change_status(
        request=request, status=S.LAPSED, by=manager, comment="Pas de commencement dans les deux ans."
    )
    assert lapsed.status == S.LAPSED


def test_dates_out_of_order_are_refused_with_the_field_named(territory, manager) -> None:
    request = new_request(territory, manager)
    request = services.change_status(request=request, status=S.FILED, by=manager, filed_on=D(2026, 3, 1))
    with pytest.raises(ValidationError) as error:
        services.change_status(
            request=request, status=S.ACKNOWLEDGED, by=manager, acknowledged_on=D(2026, 2, 1)
        )
    assert "acknowledged_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.request_update(
            request=request, data={"decided_on": D(2026, 2, 28)}, expected_version=request.version, by=manager
        )
    assert "ne peut pas précéder" in error.value.message_dict["decided_on"][0]


def test_an_edit_from_a_stale_page_is_refused(territory, manager, referent) -> None:
    request = new_request(territory, manager)
    stale = request.version
    services.request_update(
        request=request, data={"title": "Nouveau titre"}, expected_version=stale, by=manager
    )
    with pytest.raises(StaleObjectError, match="objet"):
        services.request_update(
            request=request, data={"requested_amount": Decimal("1.00")}, expected_version=stale, by=manager
        )


# --- Plan lines follow their request ---------------------------------------------------------------------


def test_the_plan_line_follows_the_request_filed_awarded_and_rejected(territory, manager) -> None:
    operation = OperationFactory(
        programme=territory.programme, owner=territory.wassy, communes=[territory.wassy]
    )
    plan = FinancingPlanFactory(operation=operation)
    line = FinancingLineFactory(
        plan=plan, category="state_dotation", funder=prefecture(territory), amount_ht=Decimal(20000)
    )
    other = FinancingLineFactory(
        plan=plan, category="region", funder=prefecture(territory), amount_ht=Decimal(10000)
    )
    request = new_request(territory, manager)
    services.set_allocations(request=request, allocations=[(operation, line, Decimal(20000))], by=manager)
    line.refresh_from_db()
    assert line.status == FinancingLineStatus.ENVISAGED  # still to prepare
    request = services.change_status(request=request, status=S.FILED, by=manager, filed_on=D(2026, 1, 12))
    line.refresh_from_db()
    assert line.status == FinancingLineStatus.REQUESTED
    request = services.change_status(
        request=request, status=S.ACKNOWLEDGED, by=manager, acknowledged_on=D(2026, 1, 20)
    )
    services.record_award(
        request=request, awarded_amount=Decimal(20000), decided_on=D(2026, 4, 1), by=manager
    )
    line.refresh_from_db()
    assert line.status == FinancingLineStatus.GRANTED

    second = new_request(territory, manager, title="Région — Place")
    services.set_allocations(request=second, allocations=[(operation, other, Decimal(10000))], by=manager)
    second = services.change_status(request=second, status=S.FILED, by=manager, filed_on=D(2026, 1, 12))
    services.change_status(
        request=second, status=S.REJECTED, by=manager, decided_on=D(2026, 5, 1), comment="Hors critères"
    )
    other.refresh_from_db()
    assert other.status == FinancingLineStatus.REFUSED


def test_allocations_are_checked_all_or_nothing(territory, manager) -> None:
    request = new_request(territory, manager)
    mine = OperationFactory(programme=territory.programme, owner=territory.wassy)
    elsewhere = OperationFactory(programme=territory.other_programme)
    foreign_line = FinancingLineFactory(
        plan=FinancingPlanFactory(operation=OperationFactory(programme=territory.programme))
    )
    with pytest.raises(SubsidyError, match="programme"):
        services.set_allocations(request=request, allocations=[(elsewhere, None, Decimal(1))], by=manager)
    with pytest.raises(SubsidyError, match="plan de financement"):
        services.set_allocations(request=request, allocations=[(mine, foreign_line, Decimal(1))], by=manager)
    with pytest.raises(SubsidyError, match="dépasse"):
        services.set_allocations(request=request, allocations=[(mine, None, Decimal("40000.01"))], by=manager)
    assert not request.allocations.exists()
    services.set_allocations(request=request, allocations=[(mine, None, Decimal("40000.00"))], by=manager)
    assert request.allocations.get().amount == Decimal("40000.00")


# --- Payment caps (décret 2018-514 art. 11: advance 30 %, 60 % guaranteed; instalments 80 %, 90 % long) ----


def pay(request, kind: str, amount: str, day: datetime.date = JUNE_2024, by=None):
    return services.record_payment(
        request=request, kind=kind, amount=Decimal(amount), requested_on=day, by=by
    )


def test_an_advance_of_exactly_30_percent_passes_and_one_cent_more_is_refused(territory, manager) -> None:
    request = awarded_request(territory, manager)  # 100 000 € awarded
    with pytest.raises(SubsidyError, match="30\xa0000,00"):
        pay(request, "advance", "30000.01", by=manager)
    pay(request, "advance", "30000.00", by=manager)
    with pytest.raises(SubsidyError, match="Avance"):
        pay(request, "advance", "0.01", by=manager)


def test_a_guaranteed_advance_may_reach_60_percent(territory, manager) -> None:
    request = awarded_request(territory, manager, code="fonds-vert", advance_guaranteed=True)
    pay(request, "advance", "60000.00", by=manager)
    with pytest.raises(SubsidyError):
        pay(request, "advance", "0.01", by=manager)


def test_advance_and_instalments_stop_at_80_percent(territory, manager) -> None:
    request = awarded_request(territory, manager)
    pay(request, "advance", "30000.00", by=manager)
    pay(request, "instalment", "50000.00", by=manager)  # exactly 80 %
    with pytest.raises(SubsidyError, match="80\xa0000,00"):
        pay(request, "instalment", "0.01", by=manager)


def test_a_long_operation_may_receive_90_percent_before_the_balance(territory, manager) -> None:
    request = awarded_request(territory, manager, code="fonds-vert", planned_duration_months=49)
    pay(request, "instalment", "90000.00", by=manager)
    with pytest.raises(SubsidyError, match="90\xa0000,00"):
        pay(request, "instalment", "0.01", by=manager)
    at_48 = awarded_request(territory, manager, code="fonds-vert", planned_duration_months=48, title="Autre")
    with pytest.raises(SubsidyError):
        pay(at_48, "instalment", "80000.01", by=manager)


def test_caps_come_from_the_rule_in_force_on_the_filing_date(territory, manager) -> None:
    SchemeRule.objects.filter(scheme=scheme("detr")).update(valid_until=D(2024, 12, 31))
    SchemeRule.objects.create(
        scheme=scheme("detr"),
        valid_from=D(2025, 1, 1),
        category="state_dotation",
        advance_max_rate=Decimal("0.50"),
        legal_reference="Règle fictive de test",
    )
    old = awarded_request(territory, manager, filed_on=D(2024, 12, 31), notified_on=D(2025, 2, 3))
    new = awarded_request(
        territory, manager, filed_on=D(2025, 1, 2), notified_on=D(2025, 2, 3), title="Nouvelle"
    )
    with pytest.raises(SubsidyError):
        pay(old, "advance", "30000.01", D(2025, 3, 3), by=manager)
    pay(new, "advance", "50000.00", D(2025, 3, 3), by=manager)


def test_the_balance_comes_once_after_completion_and_never_beyond_the_award(territory, manager) -> None:
    request = awarded_request(territory, manager)
    pay(request, "advance", "30000.00", by=manager)
    with pytest.raises(SubsidyError, match="achèvement"):
        pay(request, "balance", "70000.00", by=manager)
    request = services.change_status(request=request, status=S.STARTED, by=manager, started_on=D(2024, 5, 2))
    request = services.change_status(
        request=request, status=S.COMPLETED, by=manager, completed_on=D(2025, 9, 30)
    )
    with pytest.raises(SubsidyError, match="Ensemble des versements"):
        pay(request, "balance", "70000.01", D(2025, 10, 6), by=manager)
    pay(request, "balance", "70000.00", D(2025, 10, 6), by=manager)
    request.refresh_from_db()
    assert request.balance_requested_on == D(2025, 10, 6)
    with pytest.raises(SubsidyError, match="une fois"):
        pay(request, "balance", "1.00", D(2025, 10, 7), by=manager)


def test_a_payment_asked_after_the_completion_deadline_is_refused(territory, manager) -> None:
    request = awarded_request(territory, manager)
    request = services.change_status(request=request, status=S.STARTED, by=manager, started_on=D(2024, 5, 2))
    with pytest.raises(SubsidyError, match="02/05/2028"):
        pay(request, "instalment", "1000.00", D(2028, 5, 3), by=manager)
    pay(request, "instalment", "1000.00", D(2028, 5, 2), by=manager)


def test_no_payment_before_an_award(territory, manager) -> None:
    request = new_request(territory, manager)
    with pytest.raises(SubsidyError, match="attribuée"):
        pay(request, "advance", "1.00", by=manager)


def test_a_receipt_records_the_revenue_order(territory, manager) -> None:
    request = awarded_request(territory, manager)
    payment = pay(request, "advance", "30000.00", by=manager)
    with pytest.raises(ValidationError):
        services.record_receipt(
            payment=payment, received_on=D(2024, 6, 2), revenue_order_reference="T-1", by=manager
        )
    received = services.record_receipt(
        payment=payment, received_on=D(2024, 7, 1), revenue_order_reference="Titre n° 2024-318", by=manager
    )
    assert (received.received_on, received.revenue_order_reference) == (D(2024, 7, 1), "Titre n° 2024-318")


# --- Reductions and repayments -------------------------------------------------------------------------------


def test_a_reduction_cannot_fall_below_what_was_received_without_a_repayment(territory, manager) -> None:
    request = awarded_request(territory, manager)
    payment = pay(request, "advance", "30000.00", by=manager)
    services.record_receipt(
        payment=payment, received_on=D(2024, 7, 1), revenue_order_reference="T-1", by=manager
    )
    services.record_adjustment(
        request=request,
        kind="reduction",
        amount=Decimal("70000.00"),
        decided_on=D(2025, 1, 6),
        reason="Dépense réduite",
        by=manager,
    )  # exactly down to what was received
    with pytest.raises(SubsidyError, match="reversement"):
        services.record_adjustment(
            request=request,
            kind="reduction",
            amount=Decimal("10000.00"),
            decided_on=D(2025, 1, 6),
            reason="x",
            by=manager,
        )
    with pytest.raises(SubsidyError, match="dépasse"):
        services.record_adjustment(
            request=request,
            kind="repayment",
            amount=Decimal("30000.01"),
            decided_on=D(2025, 2, 1),
            reason="x",
            by=manager,
        )
    services.record_adjustment(
        request=request,
        kind="repayment",
        amount=Decimal("10000.00"),
        decided_on=D(2025, 2, 1),
        reason="Trop-perçu",
        by=manager,
    )
    services.record_adjustment(
        request=request,
        kind="reduction",
        amount=Decimal("10000.00"),
        decided_on=D(2025, 2, 2),
        reason="Solde",
        by=manager,
    )
    money = services.money_of(request)
    assert (money.effective_award, money.net_received) == (Decimal("20000.00"), Decimal("20000.00"))
    # Caps now read the reduced award: 30 % of 20 000 € is already used.
    with pytest.raises(SubsidyError):
        pay(request, "advance", "0.01", D(2025, 3, 1), by=manager)
