"""Implementing the approved option of an arbitration (issue 8, H4): applied through the owning services in one
transaction, each change's history naming the arbitration, one effect per changed field, and nothing changed when
any service refuses."""

import datetime
from decimal import Decimal

import pytest

from budget.models import FinancingLine, FinancingLineStatus, FinancingPlan
from operations.models import Operation, OperationStatus, Phase
from operations.services import operation as operation_services
from operations.services.errors import OperationError
from pvd.governance.models import Arbitration, ArbitrationEffect, ArbitrationStatus
from pvd.governance.services.arbitrations import ArbitrationError
from pvd.governance.services.options import implement_arbitration
from pvd.models import StatusChange
from tests.governance.rows_h4 import decide, scenario

pytestmark = pytest.mark.django_db


def test_implementing_option_a_shifts_the_phases_and_withdraws_the_line_with_the_reason(territory, manager):
    s = scenario(territory, manager)
    decide(s.arbitration, s.a)
    done = implement_arbitration(
        arbitration=s.arbitration, by=manager, expected_version=s.arbitration.version
    )
    assert done.status == ArbitrationStatus.IMPLEMENTED
    assert done.implemented_by == manager and done.implemented_at is not None
    works = Phase.objects.get(pk=s.works.pk)
    assert (works.forecast_start, works.forecast_end) == (
        datetime.date(2027, 3, 1),
        datetime.date(2027, 12, 29),
    )
    assert Phase.objects.get(pk=s.done.pk).forecast_end == s.done.forecast_end  # finished: untouched
    detr = FinancingLine.objects.get(pk=s.detr.pk)
    assert detr.status == FinancingLineStatus.REFUSED
    reason = f"Arbitrage {s.arbitration.reference}, option A"
    assert works.history.first().history_change_reason == reason
    assert detr.history.first().history_change_reason == reason
    assert works.history.first().history_user == manager
    effects = {
        (e.object_label, e.field): (e.before, e.after)
        for e in ArbitrationEffect.objects.filter(arbitration=done)
    }
    assert effects[("WAS-HALLE — phase « Travaux »", "Fin prévisionnelle")] == ("30/09/2027", "29/12/2027")
    assert effects[(str(detr), "Statut")] == ("Demandé", "Refusé")
    change = StatusChange.objects.filter(target=ArbitrationStatus.IMPLEMENTED).get()
    assert change.by == manager and "Option A mise en œuvre" in change.comment


def test_implementing_option_b_changes_the_cost_the_plan_and_the_line(territory, manager):
    s = scenario(territory, manager)
    decide(s.arbitration, s.b)
    implement_arbitration(arbitration=s.arbitration, by=manager, expected_version=s.arbitration.version)
    operation = Operation.objects.get(pk=s.operation.pk)
    assert (operation.estimated_cost_ht, operation.estimated_cost_ttc) == (
        Decimal("80000.00"),
        Decimal("96000.00"),
    )
    assert operation.history.first().history_change_reason.startswith("Arbitrage ")
    plan = FinancingPlan.objects.get(pk=s.plan.pk)
    assert (plan.eligible_cost_ht, plan.eligible_cost_ttc) == (Decimal("80000.00"), Decimal("96000.00"))
    region = FinancingLine.objects.get(pk=s.region.pk)
    assert region.amount_ht == Decimal("10000.00")
    fields = set(ArbitrationEffect.objects.values_list("field", flat=True))
    assert {"Coût estimé HT", "Coût estimé TTC", "Dépense éligible HT", "Montant HT"} <= fields


def test_a_refusal_of_the_last_change_rolls_back_every_change(territory, manager, monkeypatch):
    s = scenario(territory, manager)
    s.a.new_status = OperationStatus.SUSPENDED
    s.a.save()
    decide(s.arbitration, s.a)

    def refuse(**kwargs):
        raise OperationError("L'opération WAS-HALLE ne peut pas être suspendue (test).")

    monkeypatch.setattr(operation_services, "operation_change_status", refuse)
    with pytest.raises(ArbitrationError, match="Rien n'a été modifié"):
        implement_arbitration(arbitration=s.arbitration, by=manager, expected_version=s.arbitration.version)
    assert Phase.objects.get(pk=s.works.pk).forecast_end == datetime.date(2027, 9, 30)
    assert FinancingLine.objects.get(pk=s.detr.pk).status == FinancingLineStatus.REQUESTED
    assert not ArbitrationEffect.objects.exists()
    assert Arbitration.objects.get(pk=s.arbitration.pk).status == ArbitrationStatus.DECIDED


def test_an_inconsistent_option_is_not_implemented(territory, manager):
    s = scenario(territory, manager)
    FinancingLine.objects.filter(pk=s.detr.pk).update(status=FinancingLineStatus.REFUSED)
    decide(s.arbitration, s.a)
    with pytest.raises(ArbitrationError, match="est déjà refusée"):
        implement_arbitration(arbitration=s.arbitration, by=manager, expected_version=s.arbitration.version)
    assert Phase.objects.get(pk=s.works.pk).forecast_end == datetime.date(2027, 9, 30)


def test_only_a_decided_and_approved_note_is_implemented_once(territory, manager):
    s = scenario(territory, manager)
    with pytest.raises(ArbitrationError, match="pas d'option approuvée"):
        implement_arbitration(arbitration=s.arbitration, by=manager, expected_version=s.arbitration.version)
    decide(s.arbitration, s.b)
    implement_arbitration(arbitration=s.arbitration, by=manager, expected_version=s.arbitration.version)
    again = Arbitration.objects.get(pk=s.arbitration.pk)
    with pytest.raises(ArbitrationError, match="déjà été mis en œuvre"):
        implement_arbitration(arbitration=again, by=manager, expected_version=again.version)
