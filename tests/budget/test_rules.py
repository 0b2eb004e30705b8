"""The legal checks of a financing plan (budget.rules), with cases from the texts and their boundaries:
CGCT L1111-10 III (own share ≥ 20 % of public funding, 30 % for a lead authority, derogation), CGCT R2334-27
(each DETR/DSIL ≥ 20 %, together ≤ 80 % of the eligible expense HT), décret 2018-514 art. 10 (public aid ≤ the
expense), and the balance of the plan in HT and TTC. Values come from the dated parameters in force."""

import datetime
from decimal import Decimal

import pytest

from budget.models import FinancingLine, FinancingParameter, FinancingPlan, FundingCategory, Parameter
from budget.rules import ParameterTable, check_plan, net_cost

pytestmark = pytest.mark.django_db

C = FundingCategory
DAY = datetime.date(2026, 4, 14)


def plan(ht: str = "100000", ttc: str | None = None, **options: object) -> FinancingPlan:
    return FinancingPlan(
        eligible_cost_ht=Decimal(ht), eligible_cost_ttc=Decimal(ttc if ttc is not None else ht), **options
    )


def line(
    category: str, ht: str, *, ttc: str | None = None, status: str = "envisaged", **options
) -> FinancingLine:
    return FinancingLine(
        category=category,
        amount_ht=Decimal(ht),
        amount_ttc=Decimal(ttc if ttc is not None else ht),
        status=status,
        **options,
    )


def check(checks, code: str, index: int = 0):
    found = [c for c in checks if c.code == code]
    return found[index]


# --- Own share (CGCT L1111-10 III) -------------------------------------------------------------------------


def test_an_own_share_of_exactly_20_percent_of_public_funding_passes() -> None:
    checks = check_plan(plan(), [line(C.OWN_FUNDS, "20000"), line(C.REGION, "80000")], day=DAY)
    own = check(checks, "own_share_min")
    assert own.passed is True
    assert "20,00" in own.message
    assert own.legal_reference == "CGCT art. L1111-10 III"


def test_an_own_share_of_19_99_percent_fails_with_the_missing_amount() -> None:
    checks = check_plan(plan(), [line(C.OWN_FUNDS, "19990"), line(C.REGION, "80010")], day=DAY)
    own = check(checks, "own_share_min")
    assert own.passed is False
    assert own.state == "failed"
    assert "19,99" in own.message and "10,00" in own.message  # 20 000 required: 10 € missing


def test_private_money_is_left_out_of_the_denominator() -> None:
    # 20 000 own + 80 000 public = 100 000 public funding: 20 %; with the 50 000 private it would be 13,33 %.
    lines = [line(C.OWN_FUNDS, "20000"), line(C.DEPARTMENT, "80000"), line(C.PRIVATE, "50000")]
    assert check(check_plan(plan("150000"), lines, day=DAY), "own_share_min").passed is True


def test_a_loan_counts_as_the_owners_own_share() -> None:
    lines = [line(C.OWN_FUNDS, "10000"), line(C.LOAN, "10000"), line(C.REGION, "80000")]
    assert check(check_plan(plan(), lines, day=DAY), "own_share_min").passed is True


def test_a_lead_authority_must_bring_30_percent() -> None:
    lines = [line(C.OWN_FUNDS, "25000"), line(C.REGION, "75000")]
    assert check(check_plan(plan(), lines, day=DAY), "own_share_min").passed is True
    lead = check(check_plan(plan(lead_authority=True), lines, day=DAY), "own_share_min_lead")
    assert lead.passed is False
    assert "30,00" in lead.message
    assert lead.legal_reference == "CGCT art. L1111-9"
    exactly = [line(C.OWN_FUNDS, "30000"), line(C.REGION, "70000")]
    assert check(check_plan(plan(lead_authority=True), exactly, day=DAY), "own_share_min_lead").passed is True


def test_a_derogation_is_shown_with_its_ground_and_decision_not_failed() -> None:
    derogation = plan(
        own_share_derogation=True,
        derogation_ground="protected_monument",
        derogation_reference="Arrêté préfectoral n° 2026-123",
    )
    own = check(
        check_plan(derogation, [line(C.OWN_FUNDS, "5000"), line(C.REGION, "95000")], day=DAY), "own_share_min"
    )
    assert own.passed is not False
    assert own.state == "derogation"
    assert own.state_label == "Dérogation"
    assert "Monument historique" in own.message
    assert "Arrêté préfectoral n° 2026-123" in own.legal_reference


def test_a_refused_line_does_not_count() -> None:
    lines = [
        line(C.OWN_FUNDS, "20000"),
        line(C.STATE_DOTATION, "30000", status="granted"),
        line(C.REGION, "50000", status="requested"),
        line(C.DEPARTMENT, "40000", status="refused"),
    ]
    checks = check_plan(plan(), lines, day=DAY)
    assert check(checks, "balance_ht").passed is True
    assert check(checks, "own_share_min").passed is True
    assert check(checks, "public_aid_max_rate").passed is True


# --- DETR / DSIL (CGCT R2334-27) ---------------------------------------------------------------------------


def test_a_detr_at_exactly_20_percent_of_the_eligible_expense_passes() -> None:
    lines = [line(C.OWN_FUNDS, "80000"), line(C.STATE_DOTATION, "20000", label="DETR 2026")]
    minimum = check(check_plan(plan(), lines, day=DAY), "dotation_min_rate")
    assert minimum.passed is True
    assert minimum.legal_reference == "CGCT art. R2334-27"


def test_a_detr_below_20_percent_of_its_own_base_fails() -> None:
    # The base is the line's eligible base when given: 1 999 on 10 000 = 19,99 %.
    lines = [
        line(C.OWN_FUNDS, "98001"),
        line(C.STATE_DOTATION, "1999", base_ht=Decimal(10000), label="DETR"),
    ]
    minimum = check(check_plan(plan(), lines, day=DAY), "dotation_min_rate")
    assert minimum.passed is False
    assert "19,99" in minimum.message


def test_each_dotation_line_is_checked_on_its_own() -> None:
    lines = [
        line(C.OWN_FUNDS, "55000"),
        line(C.STATE_DOTATION, "30000", label="DETR"),
        line(C.STATE_DOTATION, "15000", label="DSIL"),
    ]
    checks = check_plan(plan(), lines, day=DAY)
    assert [c.passed for c in checks if c.code == "dotation_min_rate"] == [True, False]


def test_detr_and_dsil_together_at_exactly_80_percent_pass() -> None:
    lines = [
        line(C.OWN_FUNDS, "20000"),
        line(C.STATE_DOTATION, "50000", label="DETR"),
        line(C.STATE_DOTATION, "30000", label="DSIL"),
    ]
    # The own share is then exactly 20 % too.
    checks = check_plan(plan(), lines, day=DAY)
    assert check(checks, "dotation_max_rate").passed is True
    assert check(checks, "own_share_min").passed is True


def test_detr_and_dsil_together_above_80_percent_fail() -> None:
    lines = [
        line(C.OWN_FUNDS, "19990"),
        line(C.STATE_DOTATION, "50010", label="DETR"),
        line(C.STATE_DOTATION, "30000", label="DSIL"),
    ]
    cap = check(check_plan(plan(), lines, day=DAY), "dotation_max_rate")
    assert cap.passed is False
    assert "80,01" in cap.message and "10,00" in cap.message


def test_no_dotation_no_dotation_check() -> None:
    checks = check_plan(plan(), [line(C.OWN_FUNDS, "100000")], day=DAY)
    assert not [c for c in checks if c.code.startswith("dotation")]


# --- Public aid (décret 2018-514 art. 10) and balance -------------------------------------------------------


def test_public_aid_up_to_the_whole_expense_passes_and_above_fails() -> None:
    exactly = check_plan(plan(), [line(C.REGION, "60000"), line(C.STATE_OTHER, "40000")], day=DAY)
    assert check(exactly, "public_aid_max_rate").passed is True
    above = check_plan(plan(), [line(C.REGION, "60000"), line(C.STATE_OTHER, "40000.01")], day=DAY)
    aid = check(above, "public_aid_max_rate")
    assert aid.passed is False
    assert "0,01" in aid.message
    assert aid.legal_reference.startswith("Décret n° 2018-514")


def test_the_balance_is_checked_in_ht_and_ttc_separately_with_the_gap() -> None:
    lines = [line(C.OWN_FUNDS, "20000", ttc="40000"), line(C.REGION, "80000")]
    checks = check_plan(plan("100000", "120000"), lines, day=DAY)
    assert check(checks, "balance_ht").passed is True
    ttc = check(checks, "balance_ttc")
    assert ttc.passed is True
    short = check_plan(
        plan("100000", "120000"), [line(C.OWN_FUNDS, "20000"), line(C.REGION, "80000")], day=DAY
    )
    ttc = check(short, "balance_ttc")
    assert ttc.passed is False
    assert "il manque 20\xa0000,00\xa0€ TTC" in ttc.message
    over = check_plan(plan(), [line(C.OWN_FUNDS, "30000"), line(C.REGION, "80000")], day=DAY)
    assert "dépassent la dépense de 10\xa0000,00\xa0€ HT" in check(over, "balance_ht").message


def test_without_eligible_cost_the_balance_cannot_be_judged() -> None:
    balance = check(check_plan(plan("0"), [line(C.OWN_FUNDS, "1000")], day=DAY), "balance_ht")
    assert balance.passed is None
    assert balance.state == "unknown"
    assert "n'est pas renseignée" in balance.message


# --- Dated values -------------------------------------------------------------------------------------------


def test_a_new_parameter_value_changes_the_result_from_its_date_only() -> None:
    FinancingParameter.objects.create(
        code=Parameter.OWN_SHARE_MIN,
        value=Decimal("0.25"),
        valid_from=datetime.date(2027, 1, 1),
        legal_reference="Loi fictive de 2027",
    )
    lines = [line(C.OWN_FUNDS, "22000"), line(C.REGION, "78000")]
    before = check(check_plan(plan(), lines, day=datetime.date(2026, 12, 31)), "own_share_min")
    after = check(check_plan(plan(), lines, day=datetime.date(2027, 1, 1)), "own_share_min")
    assert before.passed is True
    assert before.legal_reference == "CGCT art. L1111-10 III"
    assert after.passed is False
    assert after.legal_reference == "Loi fictive de 2027"


def test_no_value_in_force_means_the_check_cannot_be_judged_and_says_so() -> None:
    # DETR/DSIL rates are in force from 01/01/2018 only.
    lines = [line(C.OWN_FUNDS, "80000"), line(C.STATE_DOTATION, "20000", label="DETR")]
    checks = check_plan(plan(), lines, day=datetime.date(2017, 6, 1))
    minimum, cap = check(checks, "dotation_min_rate"), check(checks, "dotation_max_rate")
    assert minimum.passed is None and cap.passed is None
    assert (
        "Aucune valeur de « Taux minimal d'une dotation DETR/DSIL » n'est en vigueur le 01/06/2017"
        in minimum.message
    )
    assert minimum.legal_reference == "CGCT art. R2334-27"


def test_a_deleted_parameter_is_reported_not_crashed() -> None:
    FinancingParameter.objects.filter(code=Parameter.PUBLIC_AID_MAX_RATE).delete()
    aid = check(check_plan(plan(), [line(C.REGION, "100000")], day=DAY), "public_aid_max_rate")
    assert aid.passed is None
    assert "l'administrateur doit la saisir" in aid.message


def test_the_parameter_table_resolves_like_in_force() -> None:
    table = ParameterTable.load()
    for code in Parameter.values:
        assert table.value(code, DAY) == FinancingParameter.value_on(code, DAY)


# --- Net cost -----------------------------------------------------------------------------------------------


def test_net_cost_counts_granted_grants_or_every_line_not_refused() -> None:
    lines = [
        line(C.OWN_FUNDS, "20000", ttc="40000"),
        line(C.STATE_DOTATION, "30000", status="granted"),
        line(C.REGION, "30000", status="requested"),
        line(C.PRIVATE, "20000", status="envisaged"),
        line(C.DEPARTMENT, "10000", status="refused"),
    ]
    net = net_cost(plan("100000", "120000"), lines, fctva=Decimal("19684.80"))
    assert net.grants_granted == Decimal(30000)
    assert net.grants_planned == Decimal(80000)
    assert net.net_granted == Decimal("70315.20")
    assert net.net_planned == Decimal("20315.20")
