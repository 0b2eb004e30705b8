"""The computed impact of an arbitration's options (issue 8, H4): cost, financing plan in memory (subsidies gained
and lost, the 20 % rule with its derogation, balance, caps), AP/CP and yearly effect, schedule and legal deadlines,
inconsistencies in French, the frozen JSON form, and a query count independent of the number of lines."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budget.models import FinancingLine, FinancingLineStatus, FundingCategory
from operations.models import OperationStatus
from pvd.governance.models import FinancingChangeAction, OptionFinancingChange
from pvd.governance.selectors.impact import options_with_impact, snapshot_impacts
from tests.budget.factories import FinancingLineFactory
from tests.factories import OrganisationFactory
from tests.governance.rows_h4 import DAY, scenario

pytestmark = pytest.mark.django_db


def views(s):
    return {view.option.letter: view for view in options_with_impact(s.arbitration, day=DAY)}


def test_the_cost_before_and_after_is_computed_with_ttc_from_the_vat_rate(territory, manager):
    s = scenario(territory, manager)
    b = views(s)["B"]
    assert (b.cost_ht.before, b.cost_ht.after, b.cost_ht.delta) == (
        Decimal("100000.00"),
        Decimal("80000.00"),
        Decimal("-20000.00"),
    )
    assert (b.cost_ttc.before, b.cost_ttc.after) == (Decimal("120000.00"), Decimal("96000.00"))
    # The plan's eligible expense follows the cost.
    assert b.eligible_ht.after == Decimal("80000.00")
    assert b.eligible_ttc.after == Decimal("96000.00")


def test_withdrawing_a_line_shows_the_subsidy_lost_and_the_unbalanced_plan(territory, manager):
    s = scenario(territory, manager)
    a = views(s)["A"]
    assert not a.errors
    lost = {f.funder: f.delta for f in a.lost}
    assert lost == {"Préfecture de la Haute-Marne": Decimal("-30000.00")}
    assert a.public_aid.before == Decimal("60000.00")
    assert a.public_aid.after == Decimal("30000.00")
    balance = next(c for c in a.checks if c.code == "balance_ht")
    assert balance.before.state == "passed"
    assert balance.after.state == "failed"
    assert "il manque 30 000,00 € HT" in balance.after.message.replace("\u202f", " ").replace("\xa0", " ")
    assert balance.worsened
    # The stored line is untouched: the computation works on copies.
    assert FinancingLine.objects.get(pk=s.detr.pk).status == FinancingLineStatus.REQUESTED


def test_the_twenty_percent_own_share_rule_fails_when_the_option_leaves_too_little_own_funds(
    territory, manager
):
    s = scenario(territory, manager)
    department = OrganisationFactory(name="Département de la Haute-Marne", kind="department")
    OptionFinancingChange.objects.create(
        option=s.b,
        action=FinancingChangeAction.CHANGE,
        line=s.own,
        amount_ht=Decimal("5000.00"),
        amount_ttc=Decimal("5000.00"),
    )
    OptionFinancingChange.objects.create(
        option=s.b,
        action=FinancingChangeAction.ADD,
        category=FundingCategory.DEPARTMENT,
        funder=department,
        amount_ht=Decimal("45000.00"),
    )
    b = views(s)["B"]
    rule = b.own_share_check
    assert rule.before.state == "passed"
    assert rule.after.state == "failed"
    assert "Insuffisante" in rule.after.message
    assert {f.funder: f.delta for f in b.gained} == {"Département de la Haute-Marne": Decimal("45000.00")}
    assert b.own_share.after == Decimal("5000.00")


def test_a_derogation_to_the_own_share_rule_is_honoured(territory, manager):
    s = scenario(territory, manager)
    s.plan.own_share_derogation = True
    s.plan.derogation_ground = s.plan._meta.get_field("derogation_ground").choices[0][0]
    s.plan.derogation_reference = "Arrêté préfectoral du 3 mars 2026"
    s.plan.save()
    OptionFinancingChange.objects.create(
        option=s.b,
        action=FinancingChangeAction.CHANGE,
        line=s.own,
        amount_ht=Decimal("1000.00"),
        amount_ttc=Decimal("1000.00"),
    )
    rule = views(s)["B"].own_share_check
    assert rule.after.state == "derogation"
    assert "Dérogation accordée" in rule.after.message


def test_a_shift_moves_the_planned_end_and_crosses_the_detr_start_deadline(territory, manager):
    s = scenario(territory, manager)
    a, b = views(s)["A"], views(s)["B"]
    assert a.end.before == datetime.date(2027, 9, 30)
    assert a.end.after == datetime.date(2027, 12, 29)
    assert a.start.after == datetime.date(2027, 3, 1)
    start = next(d for d in a.deadlines if d.label.startswith("Commencement"))
    assert start.due_on == datetime.date(2027, 1, 15)
    assert start.crossed and not start.crossed_before
    assert "caducité" in start.message
    assert not b.risky_deadlines


def test_the_ap_and_the_yearly_payment_credits_follow_the_new_cost(territory, manager):
    s = scenario(territory, manager)
    b = views(s)["B"]
    ap = b.authorisations[0]
    assert (ap.amount, ap.covered_before, ap.covered_after) == (
        Decimal("125000.00"),
        Decimal("120000.00"),
        Decimal("96000.00"),
    )
    assert ap.shortfall == 0
    years = {y.year: (y.before, y.after) for y in b.years}
    assert years == {
        2026: (Decimal("20000.00"), Decimal("16000.00")),
        2027: (Decimal("100000.00"), Decimal("80000.00")),
    }
    assert "rapport entre le nouveau et l'ancien coût TTC" in b.yearly_rule


def test_a_cost_above_the_ap_asks_for_a_revision_and_a_year_change_moves_the_credits(territory, manager):
    s = scenario(territory, manager)
    s.a.new_cost_ht = Decimal("125000.00")
    s.a.new_vat_rate = Decimal("0.20")
    s.a.new_cost_ttc = Decimal("150000.00")
    s.a.save()
    a = views(s)["A"]
    assert a.authorisations[0].shortfall == Decimal("25000.00")
    assert "AP à réviser de + 25" in a.authorisations[0].message
    # End 30/09/2027 → 29/12/2027: same year, the credits stay in their years (scaled by 150/120).
    assert {y.year: y.after for y in a.years} == {2026: Decimal("25000.00"), 2027: Decimal("125000.00")}
    s.a.shift_days = 120
    s.a.save()
    a = views(s)["A"]
    assert a.year_shift == 1
    assert {y.year: y.after for y in a.years} == {
        2026: Decimal(0),
        2027: Decimal("25000.00"),
        2028: Decimal("125000.00"),
    }


def test_an_inconsistent_option_gets_a_french_message(territory, manager):
    s = scenario(territory, manager)
    s.b.new_status = OperationStatus.IDEA  # committed → idea is not allowed
    s.b.save()
    FinancingLine.objects.filter(pk=s.region.pk).update(status=FinancingLineStatus.REFUSED)
    b = views(s)["B"]
    assert any("ne peut pas passer à « Idée" in e for e in b.errors)
    assert any("est déjà refusée" in e for e in b.errors)
    assert b.error


def test_a_line_of_another_operation_is_inconsistent(territory, manager):
    s = scenario(territory, manager)
    stranger = FinancingLineFactory()
    OptionFinancingChange.objects.create(option=s.a, action=FinancingChangeAction.WITHDRAW, line=stranger)
    assert any("n'est pas (ou plus) au plan de financement" in e for e in views(s)["A"].errors)


def test_the_snapshot_is_json_safe_with_decimals_as_strings_and_iso_dates(territory, manager):
    s = scenario(territory, manager)
    data = snapshot_impacts(s.arbitration, day=DAY)
    json.dumps(data)
    assert set(data) == {"A", "B"}
    assert data["B"]["impact"]["cost_ht"] == {
        "before": "100000.00",
        "after": "80000.00",
        "delta": "-20000.00",
    }
    assert data["A"]["impact"]["end"] == {"before": "2027-09-30", "after": "2027-12-29"}
    assert data["A"]["changes"]["shift_days"] == 90
    assert data["A"]["impact"]["deadlines"][0]["crossed"] is True


def _count(s) -> int:
    with CaptureQueriesContext(connection) as queries:
        options_with_impact(s.arbitration, day=DAY)
    return len(queries)


def test_the_query_count_does_not_depend_on_the_number_of_lines_and_changes(territory, manager):
    s = scenario(territory, manager)
    once = _count(s)
    funder = OrganisationFactory(name="Fonds de concours")
    for index in range(9):
        line = FinancingLineFactory(
            plan=s.plan,
            category=FundingCategory.INTERCOMMUNAL_FUND,
            funder=funder,
            amount_ht=Decimal("10.00"),
            status=FinancingLineStatus.REQUESTED,
        )
        OptionFinancingChange.objects.create(
            option=s.b,
            action=FinancingChangeAction.CHANGE,
            line=line,
            amount_ht=Decimal(index),
        )
    assert _count(s) == once
