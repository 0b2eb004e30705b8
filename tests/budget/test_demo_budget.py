"""The money demo (budget/demo.py): financing plans, subsidy requests at every stage, the programme budget
2023–2027 — with the cases the demo must show, checked by the rules' own definitions, and idempotent."""

import datetime
import re
from decimal import Decimal
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client

from budget.models import (
    OWN_CATEGORIES,
    PUBLIC_GRANT_CATEGORIES,
    AdjustmentKind,
    AuthorisationRevision,
    BudgetLine,
    Expense,
    ExpenseStatus,
    FinancingLine,
    FinancingLineStatus,
    FinancingParameter,
    FinancingPlan,
    FundingCategory,
    PaymentCredit,
    PaymentKind,
    PlannedInvestment,
    ProgrammeAuthorisation,
    SchemeRule,
    SubsidyAdjustment,
    SubsidyAllocation,
    SubsidyPayment,
    SubsidyRequest,
    SubsidyStatus,
)
from budget.selectors.commune import commune_money
from partners.models import Organisation
from pvd.accounts.models import User
from pvd.models import StatusChange

TODAY = datetime.date(2026, 11, 28)
MODELS = (
    FinancingPlan,
    FinancingLine,
    SubsidyRequest,
    SubsidyAllocation,
    SubsidyPayment,
    SubsidyAdjustment,
    PlannedInvestment,
    ProgrammeAuthorisation,
    AuthorisationRevision,
    PaymentCredit,
    BudgetLine,
    Expense,
)
AWARDED = {"awarded", "notified", "started", "completed", "settled"}


@pytest.fixture
def demo(db, settings) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())


def _counted(plan: FinancingPlan) -> list[FinancingLine]:
    """The lines the checks count: envisaged, requested, granted (not refused)."""
    return [line for line in plan.lines.all() if line.status != FinancingLineStatus.REFUSED]


def _own_share_fails(plan: FinancingPlan, field: str, minimum: Decimal) -> bool:
    """CGCT L1111-10 III: own < minimum × (own + grants of other public bodies); private money excluded."""
    lines = _counted(plan)
    own = sum((getattr(line, field) for line in lines if line.category in OWN_CATEGORIES), Decimal(0))
    public = sum(
        (getattr(line, field) for line in lines if line.category in PUBLIC_GRANT_CATEGORIES), Decimal(0)
    )
    return own < minimum * (own + public)


def test_a_second_load_writes_no_row_and_no_history(demo) -> None:
    def counts() -> tuple[int, ...]:
        return (
            *(model.objects.count() for model in MODELS),
            *(model.history.count() for model in MODELS),
            StatusChange.objects.count(),
        )

    before = counts()
    assert all(before)  # every kind of money record is in the demo
    call_command("load_demo", stdout=StringIO())
    assert counts() == before


def test_most_operations_have_a_plan_with_realistic_funders(demo) -> None:
    plans = FinancingPlan.objects.select_related("operation")
    assert plans.count() >= 20
    funders = set(FinancingLine.objects.values_list("funder__name", flat=True))
    assert {
        "Préfecture de la Haute-Marne",
        "Région Grand Est",
        "Département de la Haute-Marne",
        "Banque des Territoires",
        "Agence nationale de l'habitat (Anah)",
        "CA du Grand Saint-Dizier Der et Vallées",  # fonds de concours to a commune
    } <= funders
    schemes = set(FinancingLine.objects.exclude(scheme=None).values_list("scheme__code", flat=True))
    assert {
        "detr",
        "dsil",
        "fonds-vert",
        "region-grand-est-dispositifs",
        "haute-marne-dispositifs",
    } <= schemes
    fund = FinancingLine.objects.get(
        category=FundingCategory.INTERCOMMUNAL_FUND, plan__operation__code="LPD-02"
    )
    assert fund.plan.operation.owner.kind == "commune" and fund.funder.kind == "epci"
    school = FinancingLine.objects.get(plan__operation__code="W-07", scheme__code="fonds-vert")
    assert school.status == FinancingLineStatus.GRANTED  # energy renovation of a school
    w01 = plans.get(operation__code="W-01")
    assert w01.eligible_cost_ttc == w01.eligible_cost_ht * Decimal("1.2")
    friche = plans.get(operation__code="W-05")  # land carries no VAT and no FCTVA
    assert friche.eligible_cost_ttc < friche.eligible_cost_ht * Decimal("1.2")
    assert friche.fctva_excluded_ttc > 0 and friche.fctva_exclusion_reason


def test_only_w02_has_a_gap_in_its_balance(demo) -> None:
    unbalanced = {}
    for plan in FinancingPlan.objects.select_related("operation").prefetch_related("lines"):
        lines = _counted(plan)
        gap_ht = plan.eligible_cost_ht - sum(line.amount_ht for line in lines)
        gap_ttc = plan.eligible_cost_ttc - sum(line.amount_ttc for line in lines)
        if gap_ht or gap_ttc:
            unbalanced[plan.operation.code] = (gap_ht, gap_ttc)
    assert unbalanced == {"W-02": (Decimal("60000.00"), Decimal("72000.00"))}


def test_one_operation_fails_the_20_percent_own_share_and_one_has_a_derogation(demo) -> None:
    minimum = FinancingParameter.value_on("own_share_min", TODAY)
    plans = FinancingPlan.objects.select_related("operation").prefetch_related("lines")
    failing = {plan.operation.code for plan in plans if _own_share_fails(plan, "amount_ht", minimum)}
    derogations = {plan.operation.code: plan for plan in plans if plan.own_share_derogation}
    assert set(derogations) == {"LPD-07"}
    assert failing - set(derogations) == {"LPD-06"}
    assert _own_share_fails(plans.get(operation__code="LPD-06"), "amount_ttc", minimum)  # on TTC too
    heritage = derogations["LPD-07"]
    assert _own_share_fails(heritage, "amount_ht", minimum)  # it needs its derogation
    assert heritage.derogation_ground == FinancingPlan.DerogationGround.PROTECTED_MONUMENT
    assert "Arrêté préfectoral" in heritage.derogation_reference


def test_every_other_plan_respects_the_dotation_and_public_aid_rules(demo) -> None:
    minimum = FinancingParameter.value_on("dotation_min_rate", TODAY)
    maximum = FinancingParameter.value_on("dotation_max_rate", TODAY)
    public_max = FinancingParameter.value_on("public_aid_max_rate", TODAY)
    for plan in FinancingPlan.objects.select_related("operation").prefetch_related("lines"):
        lines = _counted(plan)
        dotations = [line for line in lines if line.category == FundingCategory.STATE_DOTATION]
        for line in dotations:
            assert line.amount_ht >= minimum * (line.base_ht or plan.eligible_cost_ht), line
        assert sum(line.amount_ht for line in dotations) <= maximum * plan.eligible_cost_ht
        public = sum(line.amount_ht for line in lines if line.category in PUBLIC_GRANT_CATEGORIES)
        assert public <= public_max * plan.eligible_cost_ht, plan.operation.code
    # the boundary: W-03's DSIL is at exactly 20 % of its base
    dsil = FinancingLine.objects.get(plan__operation__code="W-03", scheme__code="dsil")
    assert dsil.amount_ht == minimum * dsil.base_ht


def test_a_detr_notified_in_january_2025_reaches_its_start_deadline_in_the_warning_window(demo) -> None:
    request = SubsidyRequest.objects.get(scheme__code="detr", notified_on=datetime.date(2025, 1, 20))
    assert request.status == SubsidyStatus.NOTIFIED and request.started_on is None
    rule = SchemeRule.in_force(request.scheme_id, request.notified_on)
    due = request.notified_on + relativedelta(months=rule.start_deadline_months)
    assert due == datetime.date(2027, 1, 20)
    assert due - datetime.timedelta(days=rule.warning_days) <= TODAY < due  # within 3 months, not past
    assert request.allocations.get().operation.code == "LPD-02"


def test_requests_go_through_every_stage_and_their_lines_follow(demo) -> None:
    requests = SubsidyRequest.objects.prefetch_related("allocations__financing_line")
    assert {request.status for request in requests} == set(SubsidyStatus.values)
    expected_line = {"filed": "requested", "acknowledged": "requested", "complete": "requested",
                     "rejected": "refused", "lapsed": "refused", **dict.fromkeys(AWARDED, "granted")}  # fmt: skip
    for request in requests:
        for allocation in request.allocations.all():
            if allocation.financing_line and request.status in expected_line:
                assert allocation.financing_line.status == expected_line[request.status], request
        assert (request.awarded_amount is not None) == (request.status in AWARDED | {"lapsed"}), request
    lapsed = SubsidyRequest.objects.get(status=SubsidyStatus.LAPSED)
    assert "non commencés dans les deux ans" in lapsed.closing_reason
    rejected = SubsidyRequest.objects.get(status=SubsidyStatus.REJECTED)
    assert rejected.closing_reason and rejected.decided_on
    reduction = SubsidyAdjustment.objects.get(kind=AdjustmentKind.REDUCTION)
    assert reduction.request.status == SubsidyStatus.SETTLED and reduction.reason
    settled_with_balance = SubsidyRequest.objects.filter(
        status=SubsidyStatus.SETTLED, payments__kind=PaymentKind.BALANCE
    ).distinct()
    assert settled_with_balance.count() >= 2
    for request in settled_with_balance:  # settled: all the award (less reductions) is received
        received = request.payments.exclude(received_on=None).aggregate(total=Sum("amount"))["total"]
        reduced = request.adjustments.aggregate(total=Sum("amount"))["total"] or 0
        assert received == request.awarded_amount - reduced, request


def test_payments_respect_the_caps_of_the_rules_in_force(demo) -> None:
    reference = re.compile(r"^T-20\d\d-\d{4}$")
    checked = 0
    for request in SubsidyRequest.objects.exclude(awarded_amount=None).prefetch_related(
        "payments", "adjustments"
    ):
        payments = list(request.payments.all())
        award = request.awarded_amount - sum(
            a.amount for a in request.adjustments.all() if a.kind == "reduction"
        )
        assert sum(p.amount for p in payments) <= award, request
        for payment in payments:
            assert payment.received_on is None or reference.match(payment.revenue_order_reference), payment
            assert payment.kind != PaymentKind.BALANCE or request.completed_on, request
        rule = SchemeRule.in_force(request.scheme_id, request.filed_on) if request.scheme_id else None
        if rule and rule.advance_max_rate is not None:
            advance = sum(p.amount for p in payments if p.kind == PaymentKind.ADVANCE)
            before_balance = sum(p.amount for p in payments if p.kind != PaymentKind.BALANCE)
            assert advance <= rule.advance_max_rate * request.awarded_amount, request
            assert before_balance <= rule.instalments_max_rate * request.awarded_amount, request
            checked += 1
    assert checked >= 6
    # the boundary: W-01's DETR instalments reach exactly 80 % of the award
    detr = SubsidyRequest.objects.get(scheme__code="detr", allocations__operation__code="W-01")
    assert detr.payments.aggregate(total=Sum("amount"))["total"] == detr.awarded_amount * Decimal("0.8")


def test_status_changes_tell_each_request_story_by_the_manager(demo) -> None:
    manager = User.objects.get(email="cheffe-de-projet@pvd.example")
    request = SubsidyRequest.objects.get(title="DETR 2022 — tiers-lieu numérique de l'ancienne poste")
    changes = StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(SubsidyRequest), object_id=request.pk
    ).order_by("at", "pk")
    assert [(c.source, c.target) for c in changes] == [
        ("to_prepare", "filed"), ("filed", "acknowledged"), ("acknowledged", "complete"),
        ("complete", "awarded"), ("awarded", "notified"), ("notified", "started"),
        ("started", "completed"), ("completed", "settled"),
    ]  # fmt: skip
    assert {c.by for c in changes} == {manager}
    assert changes.last().at.date() == datetime.date(2024, 3, 8)


def test_the_programme_budget_2023_2027_with_authorisations_ppi_and_expenses(demo) -> None:
    lines = BudgetLine.objects.all()
    assert set(lines.values_list("year", flat=True)) == {2023, 2024, 2025, 2026, 2027}
    assert set(lines.values_list("organisation__name", flat=True)) == {
        "Wassy", "La Porte du Der", "CA du Grand Saint-Dizier Der et Vallées"
    }  # fmt: skip
    assert {"2031", "2313", "1312", "1313", "1321", "6413", "20422"} <= set(
        lines.values_list("account__code", flat=True)
    )
    assert lines.exclude(amendments_amount=0).exists()  # décisions modificatives
    authorisations = ProgrammeAuthorisation.objects.all()
    assert authorisations.count() >= 2
    for ap in authorisations:
        credits = ap.payment_credits.aggregate(total=Sum("amount"))["total"]
        revisions = ap.revisions.aggregate(total=Sum("delta"))["total"] or 0
        assert credits <= ap.initial_amount + revisions, ap
    assert AuthorisationRevision.objects.count() >= 1
    assert PlannedInvestment.objects.values("operation").distinct().count() >= 15
    assert set(Expense.objects.values_list("status", flat=True)) >= {
        "committed",
        "liquidated",
        "ordered",
        "paid",
    }
    carried = Expense.objects.filter(
        committed_on__year=2025,
        committed_on__month=12,
        status__in=[ExpenseStatus.COMMITTED, ExpenseStatus.LIQUIDATED],
    )
    assert carried.count() >= 3  # restes à réaliser at the end of 2025
    for line in BudgetLine.objects.filter(expenses__isnull=False).distinct():
        spent = line.expenses.aggregate(total=Sum("amount_ttc"))["total"]
        assert spent <= line.voted_amount + line.amendments_amount, line


def test_the_demo_mayors_see_their_communes_money_only(demo) -> None:
    mayor = User.objects.get(email="maire-la-porte-du-der@pvd.example")
    client = Client()
    client.force_login(mayor)
    page = client.get("/communes/52331/").content.decode()
    assert "Financement des opérations de la commune" in page
    assert "LPD-01" in page and "PVD-01" in page and "W-01" not in page
    lpd = Organisation.objects.get(insee_code="52331")
    wassy = Organisation.objects.get(insee_code="52550")
    money = commune_money(mayor, lpd, day=TODAY)
    assert money.totals.received > 0 and money.totals.awarded > money.totals.received
    # asked for Wassy, she gets only the operations shared by both communes, never Wassy's own
    shared = commune_money(mayor, wassy, day=TODAY).operations
    assert shared and {row.operation.code.split("-")[0] for row in shared} == {"PVD"}
    assert client.get("/communes/52550/").status_code == 404
