"""The programme dashboard (issue 10, H3): every figure against a hand-computed programme, its links, who
opens it, and a query budget that does not grow with the data."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import AdjustmentKind, FinancingLineStatus, PaymentKind, SubsidyAdjustment, SubsidyStatus
from operations.housing.models import FileStatus, IncomeCategory, OwnerType, TargetCategory
from operations.models import OperationStatus
from operations.procurement.models import ConsultationStatus, ContractStatus
from partners.models import Theme
from programmes.indicators.models import Indicator, IndicatorDirection, IndicatorTarget, Measurement
from programmes.models import Axis, RevitalisationProject
from pvd.accounts import policy
from pvd.deadlines import add_months
from tests.budget.factories import (
    FinancingLineFactory,
    FinancingPlanFactory,
    SubsidyAllocationFactory,
    SubsidyPaymentFactory,
    SubsidyRequestFactory,
    scheme,
)
from tests.conftest import Territory
from tests.factories import HousingProgrammeFactory, OrganisationFactory
from tests.operations.factories import OperationFactory, PhaseFactory
from tests.operations.housing_factories import HousingFileFactory, HousingTargetFactory
from tests.operations.procurement_factories import ConsultationFactory, ContractFactory, LotFactory

NBSP = "\xa0"
S = OperationStatus


def euros(text: str) -> str:
    return text.replace(" ", NBSP) + NBSP + "€"


def dashboard_url(territory: Territory) -> str:
    return reverse("programme_dashboard", args=[territory.programme.pk])


def _op(territory: Territory, code: str, status: str, axis, communes, themes, *, late: bool = False):
    operation = OperationFactory(
        programme=territory.programme,
        code=code,
        title=f"Opération {code}",
        status=status,
        axis=axis,
        owner=communes[0],
        communes=communes,
        themes=themes,
    )
    if late:  # a phase whose baseline end is past and which is not finished (decision 0008)
        today = policy.today()
        PhaseFactory(
            operation=operation,
            baseline_start=today - datetime.timedelta(days=200),
            baseline_end=today - datetime.timedelta(days=30),
        )
    return operation


@pytest.fixture
def plan(territory: Territory) -> dict:
    """Nine operations of the programme, one or more in every status:

    | op   | status    | axis | communes  | themes | late |
    | W-01 | delivered | A1   | Wassy     | T1     |      |
    | W-02 | closed    | A1   | Wassy     | T1     |      |
    | W-03 | works     | A1   | Wassy     | T1 T2  | yes  |
    | W-04 | committed | A2   | Wassy LPD | T2     |      |
    | W-05 | delivered | A1   | Wassy     | —      | (a late phase, but delivered: not late) |
    | L-01 | idea      | A2   | LPD       | —      | yes  |
    | L-02 | mature    | A2   | LPD       | T2     |      |
    | L-03 | suspended | —    | LPD       | T1     | yes  |
    | L-04 | abandoned | A1   | LPD       | T1     | (a late phase, but abandoned: not late) |
    """
    project = RevitalisationProject.objects.create(programme=territory.programme, number=1)
    a1 = Axis.objects.create(project=project, order=1, title="Centralité commerciale")
    a2 = Axis.objects.create(project=project, order=2, title="Habitat")
    t1, t2 = Theme.objects.order_by("order", "pk")[:2]
    w, lpd = territory.wassy, territory.la_porte_du_der
    ops = {
        "W-01": _op(territory, "W-01", S.DELIVERED, a1, [w], [t1]),
        "W-02": _op(territory, "W-02", S.CLOSED, a1, [w], [t1]),
        "W-03": _op(territory, "W-03", S.WORKS, a1, [w], [t1, t2], late=True),
        "W-04": _op(territory, "W-04", S.COMMITTED, a2, [w, lpd], [t2]),
        "W-05": _op(territory, "W-05", S.DELIVERED, a1, [w], [], late=True),
        "L-01": _op(territory, "L-01", S.IDEA, a2, [lpd], [], late=True),
        "L-02": _op(territory, "L-02", S.MATURE, a2, [lpd], [t2]),
        "L-03": _op(territory, "L-03", S.SUSPENDED, None, [lpd], [t1], late=True),
        "L-04": _op(territory, "L-04", S.ABANDONED, a1, [lpd], [t1], late=True),
    }
    return {"a1": a1, "a2": a2, "t1": t1, "t2": t2, "ops": ops}


@pytest.fixture
def money(territory: Territory, plan: dict) -> dict:
    """Plans: W-01 eligible 500 000 HT (DETR 150 000 granted, Région 100 000 envisaged, own funds 250 000);
    W-03 eligible 200 000 HT (DETR 60 000 requested, Région 50 000 refused: not counted).
    Requests: DETR 150 000 notified 25 months ago and not started (start deadline overdue), awarded 150 000,
    reduced by 10 000, 45 000 received; Région 100 000 filed; DSIL 60 000 rejected."""
    prefecture = OrganisationFactory(name="Préfecture de la Haute-Marne", kind="state_service")
    region = OrganisationFactory(name="Région Grand Est", kind="region")
    w01, w03 = plan["ops"]["W-01"], plan["ops"]["W-03"]
    plan_w01 = FinancingPlanFactory(
        operation=w01, eligible_cost_ht=Decimal(500000), eligible_cost_ttc=Decimal(600000)
    )
    plan_w03 = FinancingPlanFactory(
        operation=w03, eligible_cost_ht=Decimal(200000), eligible_cost_ttc=Decimal(240000)
    )
    for financing_plan, funder, amount, status in (
        (plan_w01, prefecture, 150000, FinancingLineStatus.GRANTED),
        (plan_w01, region, 100000, FinancingLineStatus.ENVISAGED),
        (plan_w01, territory.wassy, 250000, FinancingLineStatus.ENVISAGED),
        (plan_w03, prefecture, 60000, FinancingLineStatus.REQUESTED),
        (plan_w03, region, 50000, FinancingLineStatus.REFUSED),
    ):
        FinancingLineFactory(
            plan=financing_plan,
            funder=funder,
            amount_ht=Decimal(amount),
            category="state_other",
            status=status,
        )
    notified = add_months(policy.today(), -25)
    detr = SubsidyRequestFactory(
        programme=territory.programme,
        beneficiary=territory.wassy,
        funder=prefecture,
        scheme=scheme("detr"),
        title="DETR place du marché",
        status=SubsidyStatus.NOTIFIED,
        requested_amount=Decimal(150000),
        awarded_amount=Decimal(150000),
        filed_on=notified - datetime.timedelta(days=120),
        notified_on=notified,
    )
    SubsidyAllocationFactory(request=detr, operation=w01, amount=Decimal(150000))
    received = notified + datetime.timedelta(days=40)
    SubsidyPaymentFactory(
        request=detr,
        kind=PaymentKind.ADVANCE,
        amount=Decimal(45000),
        requested_on=received,
        received_on=received,
    )
    SubsidyAdjustment.objects.create(
        request=detr,
        kind=AdjustmentKind.REDUCTION,
        amount=Decimal(10000),
        decided_on=received,
        reason="Assiette.",
    )
    region_request = SubsidyRequestFactory(
        programme=territory.programme,
        beneficiary=territory.wassy,
        funder=region,
        status=SubsidyStatus.FILED,
        requested_amount=Decimal(100000),
    )
    SubsidyAllocationFactory(request=region_request, operation=w01, amount=Decimal(100000))
    dsil = SubsidyRequestFactory(
        programme=territory.programme,
        beneficiary=territory.wassy,
        funder=prefecture,
        scheme=scheme("dsil"),
        status=SubsidyStatus.REJECTED,
        requested_amount=Decimal(60000),
    )
    SubsidyAllocationFactory(request=dsil, operation=w03, amount=Decimal(60000))
    return {"prefecture": prefecture, "region": region, "detr": detr}


@pytest.fixture
def procurement(territory: Territory, plan: dict) -> dict:
    """Consultations: 2 published (100 000 + 50 000 HT), 1 in analysis (80 000), 1 signed (200 000) whose two
    lots have contracts (in execution 180 000 HT, notified 20 000 HT), 1 cancelled (30 000)."""
    programme = territory.programme
    for status, value in (
        (ConsultationStatus.PUBLISHED, 100000),
        (ConsultationStatus.PUBLISHED, 50000),
        (ConsultationStatus.ANALYSIS, 80000),
        (ConsultationStatus.CANCELLED, 30000),
    ):
        ConsultationFactory(
            programme=programme, buyer=territory.wassy, status=status, estimated_value_ht=value
        )
    signed = ConsultationFactory(
        programme=programme,
        buyer=territory.wassy,
        status=ConsultationStatus.SIGNED,
        estimated_value_ht=200000,
    )
    ContractFactory(
        lot=LotFactory(consultation=signed, estimated_value_ht=180000),
        status=ContractStatus.IN_PROGRESS,
        amount_ht=Decimal(180000),
        amount_ttc=Decimal(216000),
    )
    ContractFactory(
        lot=LotFactory(consultation=signed, estimated_value_ht=20000),
        status=ContractStatus.NOTIFIED,
        amount_ht=Decimal(20000),
        amount_ttc=Decimal(24000),
    )
    return {"signed": signed}


@pytest.fixture
def housing(territory: Territory) -> dict:
    """An OPAH-RU of the programme. Targets: PO très modestes 10 in 2025 and 10 in 2026 (20); landlords 6
    dwellings in 2025. Files: 7 PO très modestes filed, 6 of them approved; 2 landlord files (3 dwellings each),
    filed and approved — 2 households: masked « < 5 » for a reader of aggregates only."""
    hp = HousingProgrammeFactory(
        name="OPAH-RU de Wassy",
        programme=territory.programme,
        owner=territory.wassy,
        communes=[territory.wassy],
    )
    HousingTargetFactory(housing_programme=hp, category=TargetCategory.PO_VERY_MODEST, year=2025, count=10)
    HousingTargetFactory(housing_programme=hp, category=TargetCategory.PO_VERY_MODEST, year=2026, count=10)
    HousingTargetFactory(housing_programme=hp, category=TargetCategory.LANDLORD, year=2025, count=6)
    filed, decided = datetime.date(2025, 3, 3), datetime.date(2025, 5, 5)
    for n in range(7):
        HousingFileFactory(
            housing_programme=hp,
            commune=territory.wassy,
            owner_type=OwnerType.OCCUPIER,
            income_category=IncomeCategory.VERY_MODEST,
            status=FileStatus.APPROVED if n < 6 else FileStatus.FILED,
            filed_on=filed,
            decided_on=decided if n < 6 else None,
        )
    for _ in range(2):
        HousingFileFactory(
            housing_programme=hp,
            commune=territory.wassy,
            owner_type=OwnerType.LANDLORD,
            dwellings=3,
            status=FileStatus.APPROVED,
            filed_on=filed,
            decided_on=decided,
        )
    return {"hp": hp}


@pytest.fixture
def indicators(territory: Territory) -> dict:
    """Commercial vacancy (to go down): état zéro 18 % in 2022, then 15 % and 12 %; target of this year 10 %. A
    commune indicator and an archived one are not shown."""
    year = policy.today().year
    vacancy = Indicator.objects.create(
        programme=territory.programme,
        name="Taux de vacance commerciale",
        unit="%",
        direction=IndicatorDirection.DOWN,
        baseline_on=datetime.date(2022, 6, 30),
        baseline_value=Decimal(18),
    )
    Measurement.objects.create(
        indicator=vacancy, measured_on=datetime.date(year - 2, 6, 30), value=Decimal(15)
    )
    Measurement.objects.create(
        indicator=vacancy, measured_on=datetime.date(year - 1, 6, 30), value=Decimal(12)
    )
    IndicatorTarget.objects.create(indicator=vacancy, year=year, value=Decimal(10))
    Indicator.objects.create(
        programme=territory.programme, commune=territory.wassy, name="Commerces de Wassy", unit="u"
    )
    Indicator.objects.create(
        programme=territory.programme, name="Indicateur abandonné", unit="u", archived=True
    )
    return {"vacancy": vacancy}


def _dashboard(client, territory):
    response = client.get(dashboard_url(territory))
    assert response.status_code == 200
    return response.context["dashboard"], response.content.decode()


# --- 1. Action plan ----------------------------------------------------------------------------------------


def test_delivered_counts_delivered_and_closed_out_of_every_operation_including_abandoned(
    client_for, territory, plan
) -> None:
    dashboard, html = _dashboard(client_for("manager"), territory)
    progress = dashboard.action_plan.progress
    # livrées: W-01, W-05 (delivered) + W-02 (closed) = 3 out of 9 operations, abandoned and suspended included
    assert (progress.delivered, progress.total) == (3, 9)
    assert progress.delivered_share == Decimal(3) / Decimal(9)
    # engagées ou plus: 3 livrées + 1 en travaux + 1 engagée = 5
    assert progress.committed_or_more == 5
    assert {g.key: g.value for g in dashboard.action_plan.groups} == {
        "delivered": 3,
        "works": 1,
        "committed": 1,
        "preparation": 2,
        "suspended": 1,
        "abandoned": 1,
    }
    # late: W-03, L-01, L-03 (W-05 delivered and L-04 abandoned cannot be late)
    assert [op.code for op in progress.late_operations] == ["L-01", "L-03", "W-03"]
    assert progress.cost_ht == Decimal("900000.00")
    text = re.sub(r"\s+", " ", html)
    assert "3 livrées</strong></a> sur <a" in text
    assert "9 opérations</a> du plan d'actions, soit 33" in text


def _row(table, label: str):
    return next(row for row in table.rows if row.label.startswith(label))


def _cells(row) -> list[int]:
    return [cell.value for cell in row.cells] + [row.total.value, row.late.value]


def test_action_plan_by_axis_theme_and_commune_with_totals(client_for, territory, plan) -> None:
    dashboard, _ = _dashboard(client_for("referent"), territory)
    axis, theme, commune = dashboard.action_plan.tables
    # columns: livrées, en travaux, engagées, en préparation, suspendues, abandonnées | total, en retard
    assert _cells(_row(axis, "Centralité commerciale (version 1)")) == [3, 1, 0, 0, 0, 1, 5, 1]
    assert _cells(_row(axis, "Habitat (version 1)")) == [0, 0, 1, 2, 0, 0, 3, 1]
    assert _cells(_row(axis, "Sans axe")) == [0, 0, 0, 0, 1, 0, 1, 1]
    assert _cells(axis.totals) == [3, 1, 1, 2, 1, 1, 9, 3]
    t1, t2 = plan["t1"].name, plan["t2"].name
    assert _cells(_row(theme, t1)) == [2, 1, 0, 0, 1, 1, 5, 2]
    assert _cells(_row(theme, t2)) == [0, 1, 1, 1, 0, 0, 3, 1]
    assert _cells(_row(theme, "Sans thème")) == [1, 0, 0, 1, 0, 0, 2, 1]
    assert _cells(_row(commune, "Wassy")) == [3, 1, 1, 0, 0, 0, 5, 1]
    assert _cells(_row(commune, "La Porte du Der")) == [0, 0, 1, 2, 1, 1, 5, 2]
    assert _cells(commune.totals) == [3, 1, 1, 2, 1, 1, 9, 3]


def _codes(client, url: str) -> set[str]:
    html = client.get(url).content.decode()
    return set(re.findall(r"\b[WL]-0\d\b", html))


def test_action_plan_links_open_the_list_filtered_on_the_counted_operations(
    client_for, territory, plan
) -> None:
    client = client_for("manager")
    dashboard, html = _dashboard(client, territory)
    axis, _, commune = dashboard.action_plan.tables
    list_url = reverse("operations:list", args=[territory.programme.pk])
    habitat = _row(axis, "Habitat")
    committed = habitat.cells[2]
    assert committed.url == f"{list_url}?axe={plan['a2'].pk}&statut=committed"
    assert committed.url.replace("&", "&amp;") in html
    assert _codes(client, committed.url) == {"W-04"}
    assert _codes(client, habitat.total.url) == {"W-04", "L-01", "L-02"}
    lpd = _row(commune, "La Porte du Der")
    assert _codes(client, lpd.total.url) == {"W-04", "L-01", "L-02", "L-03", "L-04"}
    assert _codes(client, lpd.late.url) == {"L-01", "L-03"}
    assert _codes(client, dashboard.action_plan.late.url) == {"W-03", "L-01", "L-03"}
    # « livrées » are two statuses: the list filters one at a time, so the group links to the whole list and
    # the detail links to each status
    delivered = dashboard.action_plan.groups[0]
    assert delivered.url == list_url
    assert [(s.value, _codes(client, s.url)) for s in delivered.statuses] == [
        (2, {"W-01", "W-05"}),
        (1, {"W-02"}),
    ]


def test_the_chart_labels_each_group_and_states_every_figure(client_for, territory, plan) -> None:
    dashboard, html = _dashboard(client_for("manager"), territory)
    chart = str(dashboard.action_plan.chart)
    assert 'role="img"' in chart
    assert "Ensemble du plan d&#x27;actions : 9 opérations, dont livrées 3, en travaux 1" in chart
    for label in ("Livrées", "En travaux", "Engagées", "En préparation", "Suspendues", "Abandonnées"):
        assert f">{label}</text>" in chart  # the legend names each pattern
    assert "<caption>Opérations par axe du projet et par état d&#x27;avancement</caption>" in html


# --- 2 and 3. Money and subsidies --------------------------------------------------------------------------


def test_money_plan_requested_awarded_received_in_total_and_by_funder(client_for, territory, money) -> None:
    dashboard, html = _dashboard(client_for("partner"), territory)
    m = dashboard.money
    assert (m.plan.estimated_ht, m.plan.eligible_ht, m.plan.eligible_ttc, m.plan.plans) == (
        Decimal("900000.00"),
        Decimal("700000.00"),
        Decimal("840000.00"),
        2,
    )
    funders = {f.name: (f.planned, f.requested, f.awarded, f.received, f.remaining) for f in m.funders}
    # Préfecture: planned 150 000 + 60 000; requested DETR 150 000 + DSIL 60 000 (rejected: nothing awarded);
    # awarded 150 000 − 10 000 reduction; received the 45 000 advance
    assert funders["Préfecture de la Haute-Marne"] == (
        Decimal(210000),
        Decimal(210000),
        Decimal(140000),
        Decimal(45000),
        Decimal(95000),
    )
    # Région: the refused 50 000 line is out of the plan
    assert funders["Région Grand Est"] == (Decimal(100000), Decimal(100000), 0, 0, 0)
    assert funders["Wassy"][0] == Decimal(250000)
    assert (m.totals.planned, m.totals.requested, m.totals.awarded, m.totals.received) == (
        Decimal(560000),
        Decimal(310000),
        Decimal(140000),
        Decimal(45000),
    )
    assert m.awarded_rate == Decimal(140000) / Decimal(700000)
    subsidies = reverse("budget:subsidies", args=[territory.programme.pk])
    assert f'href="{subsidies}?financeur={money["prefecture"].pk}">{euros("210 000,00")}' in html
    assert {g.key: (g.amounts.count, g.amounts.requested) for g in m.pipeline.by_status} == {
        "filed": (1, Decimal(100000)),
        "notified": (1, Decimal(150000)),
        "rejected": (1, Decimal(60000)),
    }
    assert f'href="{subsidies}?statut=notified">Notifiée</a>' in html


def test_overdue_start_of_works_leads_the_deadlines_and_the_points_of_attention(
    client_for, territory, money
) -> None:
    dashboard, html = _dashboard(client_for("manager"), territory)
    deadlines = dashboard.subsidy_deadlines
    start = next(d for d in deadlines if d.label == "Commencement de l'opération")
    # notified 25 months ago, the DETR start deadline (24 months) passed a month ago: overdue
    assert (start.status, start.due_on) == ("overdue", add_months(money["detr"].notified_on, 24))
    assert start.url == reverse("budget:subsidy_detail", args=[money["detr"].pk])
    # overdue ones first (the extension request, due two months before the start, is overdue too)
    statuses = [d.status for d in deadlines]
    assert statuses == sorted(statuses, key=lambda s: s != "overdue")
    first = deadlines[0]
    assert all(d.due_on <= dashboard.deadline_limit for d in dashboard.subsidy_deadlines)
    assert first in dashboard.attention
    days = (dashboard.deadline_limit - dashboard.day).days
    assert dashboard.subsidy_deadlines_url.endswith(f"?echeance={days}")
    assert "Subvention « DETR place du marché »" in html


# --- 4. Procurement ---------------------------------------------------------------------------------------


def test_procurement_by_stage_and_contracts_in_execution(client_for, territory, procurement) -> None:
    dashboard, html = _dashboard(client_for("referent"), territory)
    p = dashboard.procurement
    assert [(s.status, s.count, s.amount_ht) for s in p.stages] == [
        ("published", 2, Decimal(150000)),
        ("analysis", 1, Decimal(80000)),
        ("signed", 1, Decimal(200000)),
        ("cancelled", 1, Decimal(30000)),
    ]
    assert [s.status for s in p.in_progress] == ["published", "analysis"]
    assert [(s.status, s.count, s.amount_ht) for s in p.contracts] == [
        ("notified", 1, Decimal(20000)),
        ("in_progress", 1, Decimal(180000)),
    ]
    assert (p.contracts_count, p.contracts_amount_ht) == (2, Decimal(200000))
    procurement_url = reverse("operations:procurement", args=[territory.programme.pk])
    assert f'href="{procurement_url}?statut=published">Publiée</a>' in html
    published = client_for("referent").get(f"{procurement_url}?statut=published").content.decode()
    assert published.count("Consultation n° ") >= 2


# --- 5. Housing -------------------------------------------------------------------------------------------


def _housing_row(dashboard, category: str):
    return next(r for r in dashboard.housing[0].rows if r.category == category)


def test_opah_targets_vs_files_masks_small_cells_for_readers_of_aggregates(
    client_for, territory, housing
) -> None:
    dashboard, html = _dashboard(client_for("referent"), territory)
    po = _housing_row(dashboard, TargetCategory.PO_VERY_MODEST)
    assert (po.target, po.filed.label, po.approved.label, po.paid.label) == (20, "7", "6", "0")
    assert po.rate == Decimal("0.3")
    landlord = _housing_row(dashboard, TargetCategory.LANDLORD)
    assert landlord.target == 6
    assert (landlord.filed.label, landlord.approved.label) == ("< 5", "< 5")  # 2 households
    assert landlord.rate is None
    assert "&lt; 5" in html


def test_opah_small_cells_are_shown_to_the_manager_who_reads_named_files(
    client_for, territory, housing
) -> None:
    dashboard, _ = _dashboard(client_for("manager"), territory)
    landlord = _housing_row(dashboard, TargetCategory.LANDLORD)
    assert (landlord.filed.label, landlord.approved.label) == ("6", "6")  # dwellings, 2 files of 3
    assert landlord.rate == Decimal(1)


# --- 6. Indicators ----------------------------------------------------------------------------------------


def test_programme_wide_indicators_with_trend_target_and_attainment(
    client_for, territory, indicators
) -> None:
    dashboard, html = _dashboard(client_for("partner"), territory)
    assert [line.summary.indicator.name for line in dashboard.indicators] == ["Taux de vacance commerciale"]
    line = dashboard.indicators[0]
    assert (line.latest_label, line.target_label) == (f"12{NBSP}%", f"10{NBSP}%")
    assert line.summary.trend_label == "En progrès"
    assert line.summary.attainment == Decimal("0.75")  # (12 − 18) ÷ (10 − 18)
    assert f'href="{reverse("programmes:indicator", args=[indicators["vacancy"].pk])}"' in html


# --- Access -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 200),
        ("referent", 200),
        ("partner", 200),
        ("staff", 200),
        ("mayor_of_wassy", 404),
        ("mayor_of_la_porte_du_der", 404),
        ("operator", 404),
        ("outsider", 404),
    ],
)
def test_who_opens_the_dashboard(client_for, territory, persona, status) -> None:
    assert client_for(persona).get(dashboard_url(territory)).status_code == status


def test_anonymous_is_sent_to_the_login_page(client_for, territory) -> None:
    response = client_for("anonymous").get(dashboard_url(territory))
    assert response.status_code == 302
    assert "/comptes/" in response["Location"]


def test_programme_page_links_to_the_dashboard_indicators_and_annual_reports(client_for, territory) -> None:
    html = client_for("referent").get(reverse("programme", args=[territory.programme.pk])).content.decode()
    pk = territory.programme.pk
    assert f'href="{dashboard_url(territory)}">Tableau de bord</a>' in html
    assert f'href="{reverse("programmes:indicators", args=[pk])}">Indicateurs</a>' in html
    assert f'href="{reverse("annual_reports", args=[pk])}">Rapports annuels</a>' in html


def test_empty_programme_reads_plainly(client_for, territory) -> None:
    _, html = _dashboard(client_for("manager"), territory)
    assert "Le plan d'actions ne compte encore aucune opération." in html
    assert "Aucune échéance dépassée ou proche, aucune opération en retard." in html
