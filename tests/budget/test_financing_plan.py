"""The financing plan of an operation: its services (French validation, stale edits refused with what changed,
deletion refused when a subsidy is allocated, status transitions), the money tab (checks where the manager
decides, FCTVA, net cost, query budget flat at 1× and 10× lines) and the XLSX export."""

import datetime
import io
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from budget.models import FinancingLine, FinancingLineStatus, FinancingPlan, FundingCategory
from budget.services import financing as services
from budget.services.financing import FinancingError
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.budget.factories import (
    FinancingLineFactory,
    FinancingPlanFactory,
    PlannedInvestmentFactory,
    SubsidyAllocationFactory,
    scheme,
)
from tests.conftest import Territory
from tests.factories import OrganisationFactory
from tests.operations.factories import OperationFactory

S = FinancingLineStatus
C = FundingCategory


@pytest.fixture
def operation(territory: Territory):
    return OperationFactory(
        programme=territory.programme,
        code="W-10",
        title="Requalification de la place du marché",
        owner=territory.wassy,
        communes=[territory.wassy],
    )


@pytest.fixture
def plan(operation) -> FinancingPlan:
    return FinancingPlanFactory(operation=operation, expense_year=2026)


@pytest.fixture
def prefecture(territory: Territory):
    return OrganisationFactory(name="Préfecture de la Haute-Marne", kind="state_service")


def plan_data(**overrides: object) -> dict[str, object]:
    return {
        "eligible_cost_ht": Decimal("100000.00"),
        "eligible_cost_ttc": Decimal("120000.00"),
        "expense_year": 2026,
        "fctva_excluded_ttc": Decimal(0),
        "fctva_exclusion_reason": "",
        "lead_authority": False,
        "own_share_derogation": False,
        "derogation_ground": "",
        "derogation_reference": "",
        "notes": "",
        **overrides,
    }


# --- Services: the plan ------------------------------------------------------------------------------------


def test_a_plan_is_created_then_updated_from_its_version(operation, manager) -> None:
    plan = services.plan_save(operation=operation, data=plan_data(), expected_version=None, by=manager)
    assert plan.version == 1
    updated = services.plan_save(
        operation=operation, data=plan_data(eligible_cost_ht=Decimal(90000)), expected_version=1, by=manager
    )
    assert updated.eligible_cost_ht == Decimal(90000)
    assert updated.version == 2


def test_a_second_creation_of_the_same_plan_is_refused(plan, manager) -> None:
    with pytest.raises(StaleObjectError, match="a été créé pour"):
        services.plan_save(operation=plan.operation, data=plan_data(), expected_version=None, by=manager)


def test_a_stale_plan_edit_is_refused_with_what_changed(plan, manager, referent) -> None:
    services.plan_save(
        operation=plan.operation,
        data=plan_data(eligible_cost_ht=Decimal(95000)),
        expected_version=1,
        by=manager,
    )
    with pytest.raises(StaleObjectError) as error:
        services.plan_save(
            operation=plan.operation, data=plan_data(notes="Ma version"), expected_version=1, by=manager
        )
    assert "dépense éligible (€ HT)" in str(error.value)
    assert "Camille Martin" in str(error.value)


def test_plan_validation_messages_are_french(operation, manager) -> None:
    with pytest.raises(ValidationError) as error:
        services.plan_save(
            operation=operation,
            data=plan_data(eligible_cost_ttc=Decimal(90000), own_share_derogation=True),
            expected_version=None,
            by=manager,
        )
    messages = " ".join(error.value.messages)
    assert "La dépense TTC ne peut pas être inférieure à la dépense HT." in messages
    assert "indique son motif et la décision du préfet" in messages


# --- Services: lines ---------------------------------------------------------------------------------------


def test_choosing_a_scheme_fills_the_category_and_ttc_defaults_to_ht(plan, manager, prefecture) -> None:
    line = services.line_create(
        plan=plan,
        data={"funder": prefecture, "scheme": scheme("detr"), "amount_ht": Decimal(30000)},
        by=manager,
        day=datetime.date(2026, 4, 14),
    )
    assert line.category == C.STATE_DOTATION
    assert line.amount_ttc == Decimal(30000)
    assert line.status == S.ENVISAGED
    change = StatusChange.objects.get(object_id=line.pk, target=S.ENVISAGED)
    assert change.by == manager


def test_a_category_contrary_to_the_schemes_rules_is_refused(plan, manager, prefecture) -> None:
    with pytest.raises(ValidationError) as error:
        services.line_create(
            plan=plan,
            data={
                "funder": prefecture,
                "scheme": scheme("detr"),
                "category": C.REGION,
                "amount_ht": Decimal(1),
            },
            by=manager,
        )
    assert "Dotation de l'État" in error.value.message_dict["category"][0]


def test_a_line_needs_a_funder_and_a_category(plan, manager) -> None:
    with pytest.raises(ValidationError) as error:
        services.line_create(plan=plan, data={"amount_ht": Decimal(1000)}, by=manager)
    assert error.value.message_dict["funder"] == ["Indiquez le financeur."]
    assert "Choisissez la catégorie" in error.value.message_dict["category"][0]


def test_own_funds_may_carry_the_vat_but_an_amount_above_its_base_is_refused(
    plan, manager, territory
) -> None:
    own = services.line_create(
        plan=plan,
        data={
            "funder": territory.wassy,
            "category": C.OWN_FUNDS,
            "amount_ht": Decimal(20000),
            "amount_ttc": Decimal(40000),
        },
        by=manager,
    )
    assert own.amount_ttc == Decimal(40000)
    with pytest.raises(ValidationError) as error:
        services.line_create(
            plan=plan,
            data={
                "funder": territory.wassy,
                "category": C.REGION,
                "base_ht": Decimal(1000),
                "amount_ht": Decimal(1500),
            },
            by=manager,
        )
    assert "taux > 100 %" in " ".join(error.value.messages)


def test_a_stale_line_edit_is_refused_with_what_changed(plan, manager, territory) -> None:
    line = FinancingLineFactory(plan=plan, amount_ht=Decimal(20000))
    data = {"funder": territory.wassy, "category": C.OWN_FUNDS, "amount_ht": Decimal(25000)}
    services.line_update(line=line, data=data, expected_version=1, by=manager)
    with pytest.raises(StaleObjectError) as error:
        services.line_update(
            line=line, data={**data, "amount_ht": Decimal(26000)}, expected_version=1, by=manager
        )
    assert "montant (€ HT)" in str(error.value)
    line.refresh_from_db()
    assert line.amount_ht == Decimal(25000)


def test_a_line_with_a_subsidy_allocated_cannot_be_deleted(plan, manager, territory) -> None:
    line = FinancingLineFactory(plan=plan, amount_ht=Decimal(30000))
    SubsidyAllocationFactory(
        request__programme=territory.programme, operation=plan.operation, financing_line=line
    )
    with pytest.raises(FinancingError, match="une demande de subvention lui est rattachée"):
        services.line_delete(line=line, by=manager)
    assert FinancingLine.objects.filter(pk=line.pk).exists()


def test_a_free_line_is_deleted(plan, manager) -> None:
    line = FinancingLineFactory(plan=plan)
    services.line_delete(line=line, by=manager)
    assert not FinancingLine.objects.filter(pk=line.pk).exists()


@pytest.mark.parametrize(
    ("path", "final"),
    [
        ([S.REQUESTED, S.GRANTED], S.GRANTED),
        ([S.REQUESTED, S.REFUSED, S.ENVISAGED], S.ENVISAGED),
        ([S.REQUESTED, S.ENVISAGED], S.ENVISAGED),
        ([S.REQUESTED, S.GRANTED, S.REQUESTED], S.REQUESTED),
    ],
)
def test_allowed_status_transitions_are_recorded(plan, manager, path, final) -> None:
    line = FinancingLineFactory(plan=plan)
    for status in path:
        line = services.line_set_status(line=line, status=status, by=manager, comment=f"vers {status}")
    assert line.status == final
    changes = StatusChange.objects.filter(object_id=line.pk).order_by("pk")
    assert [c.target for c in changes] == path
    assert changes.last().comment == f"vers {final}"


@pytest.mark.parametrize(
    ("start", "to"),
    [(S.ENVISAGED, S.GRANTED), (S.ENVISAGED, S.REFUSED), (S.REFUSED, S.GRANTED), (S.GRANTED, S.REFUSED)],
)
def test_status_transitions_outside_the_table_are_refused(plan, manager, start, to) -> None:
    line = FinancingLineFactory(plan=plan, status=start)
    with pytest.raises(FinancingError, match="ne peut pas passer de"):
        services.line_set_status(line=line, status=to, by=manager)
    line.refresh_from_db()
    assert line.status == start


def test_a_status_change_from_a_stale_page_is_refused(plan, manager) -> None:
    line = FinancingLineFactory(plan=plan)
    services.line_set_status(line=line, status=S.REQUESTED, by=manager)
    with pytest.raises(StaleObjectError):
        services.line_set_status(line=line, status=S.REQUESTED, by=manager, expected_version=1)


# --- The money tab -----------------------------------------------------------------------------------------


def failing_plan(plan, territory, prefecture) -> None:
    """10 % own share: the 20 % rule fails; DETR 60 % + DSIL 30 % = 90 % > 80 %."""
    FinancingLineFactory(plan=plan, category=C.OWN_FUNDS, funder=territory.wassy, amount_ht=Decimal(10000))
    FinancingLineFactory(
        plan=plan,
        category=C.STATE_DOTATION,
        funder=prefecture,
        scheme=scheme("detr"),
        amount_ht=Decimal(60000),
    )
    FinancingLineFactory(
        plan=plan,
        category=C.STATE_DOTATION,
        funder=prefecture,
        scheme=scheme("dsil"),
        amount_ht=Decimal(30000),
    )


def test_the_money_tab_shows_failing_checks_with_rule_and_reference(
    client_for, plan, territory, prefecture
) -> None:
    failing_plan(plan, territory, prefecture)
    response = client_for("mayor_of_wassy").get(reverse("budget:operation_money", args=[plan.operation.pk]))
    html = unescape(response.content.decode())
    assert "3 contrôles non respectés" in html  # own share, dotations cap, TTC balance
    assert "Participation minimale du maître d'ouvrage" in html
    assert "CGCT art. L1111-10 III" in html
    assert "CGCT art. R2334-27" in html
    assert "Non respecté" in html
    assert "100\xa0000,00\xa0€" in html
    assert "Historique des modifications" in html
    assert response.context["can_edit"] is False
    assert "Ajouter une ligne" not in html


def test_the_money_tab_shows_fctva_by_year_received_and_the_net_cost(client_for, plan, territory) -> None:
    FinancingLineFactory(plan=plan, category=C.OWN_FUNDS, funder=territory.wassy, amount_ht=Decimal(40000))
    FinancingLineFactory(
        plan=plan, category=C.REGION, funder=territory.wassy, amount_ht=Decimal(60000), status=S.REQUESTED
    )
    PlannedInvestmentFactory(operation=plan.operation, year=2026, amount_ttc=Decimal(60000))
    PlannedInvestmentFactory(operation=plan.operation, year=2027, amount_ttc=Decimal(60000))
    response = client_for("manager").get(reverse("budget:operation_money", args=[plan.operation.pk]))
    tab = response.context["tab"]
    assert [(y.received_year, y.amount) for y in tab.estimate.years] == [
        (2028, Decimal("9842.40")),
        (2029, Decimal("9842.40")),
    ]
    assert tab.net.net_granted == Decimal("100315.20")  # 120 000 − 0 − 19 684,80
    assert tab.net.net_planned == Decimal("40315.20")  # 120 000 − 60 000 − 19 684,80
    html = response.content.decode()
    assert "2028 (N+2)" in html
    assert "100\xa0315,20\xa0€" in html
    assert "Plan pluriannuel d'investissement" in html


def test_an_operation_without_plan_invites_the_manager_to_establish_it(client_for, operation) -> None:
    html = client_for("manager").get(reverse("budget:operation_money", args=[operation.pk])).content.decode()
    assert "Aucun plan de financement" in html
    assert reverse("budget:plan_edit", args=[operation.pk]) in html


def test_the_operation_page_links_to_its_money_tab(client_for, operation) -> None:
    html = client_for("partner").get(reverse("operations:detail", args=[operation.pk])).content.decode()
    assert reverse("budget:operation_money", args=[operation.pk]) in html


def test_money_tab_query_count_is_the_same_at_1x_and_10x_lines(client_for, plan, prefecture) -> None:
    """Queries: session, user, memberships (scope), operation + programme + owner (policy subquery), PPI rows,
    plan, lines + funder + scheme (one query), every parameter (one query), the owner's FCTVA timings, the
    subsidies section (issue 5, subsidies), the menu, the history panel — none per line or per PPI row. Measured
    at 3 lines and 3 PPI rows, then at 30 and 30: the page must cost the same (the subsidies section's own
    count may change, so the two sizes are compared in one test)."""
    client = client_for("manager")
    url = reverse("budget:operation_money", args=[plan.operation.pk])

    def add(count: int, first_year: int) -> None:
        for n in range(count):
            FinancingLineFactory(
                plan=plan,
                category=C.STATE_DOTATION,
                funder=prefecture,
                scheme=scheme("detr"),
                amount_ht=Decimal(n),
            )
            PlannedInvestmentFactory(operation=plan.operation, year=first_year + n, amount_ttc=Decimal(1000))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.context["tab"].lines)

    add(3, 2020)
    client.get(url)  # the first request of a session writes it
    at_1x = count()
    add(27, 2030)
    at_10x = count()
    assert at_1x[1] == 3 and at_10x[1] == 30
    assert at_10x[0] == at_1x[0]


def test_plan_export_query_count_is_the_same_at_1x_and_10x_lines(client_for, plan, prefecture) -> None:
    client = client_for("manager")
    url = reverse("budget:plan_xlsx", args=[plan.operation.pk])

    def add(count: int, first_year: int) -> None:
        for n in range(count):
            FinancingLineFactory(
                plan=plan, category=C.STATE_DOTATION, funder=prefecture, amount_ht=Decimal(n)
            )
            PlannedInvestmentFactory(operation=plan.operation, year=first_year + n, amount_ttc=Decimal(1000))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(3, 2020)
    client.get(url)  # the first request of a session writes it
    at_1x = count()
    add(27, 2030)
    assert count() == at_1x


# --- Pages that write --------------------------------------------------------------------------------------


def test_a_manager_establishes_the_plan_from_the_form(client_for, operation) -> None:
    client = client_for("manager")
    response = client.post(
        reverse("budget:plan_edit", args=[operation.pk]),
        {**plan_data(), "fctva_excluded_ttc": "0", "expense_year": "2026"},
    )
    assert response.status_code == 302
    assert FinancingPlan.objects.get(operation=operation).eligible_cost_ttc == Decimal("120000.00")


def test_the_plan_form_says_what_is_wrong_in_french(client_for, operation) -> None:
    response = client_for("manager").post(
        reverse("budget:plan_edit", args=[operation.pk]),
        {**plan_data(eligible_cost_ttc="90000", own_share_derogation="on"), "fctva_excluded_ttc": "0"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["eligible_cost_ttc"] == ["La dépense TTC ne peut pas être inférieure à la dépense HT."]
    assert errors["derogation_ground"] == ["Indiquez le motif de la dérogation."]
    assert not FinancingPlan.objects.filter(operation=operation).exists()


def test_a_stale_plan_form_is_refused_on_the_page(client_for, plan, manager) -> None:
    services.plan_save(
        operation=plan.operation, data=plan_data(notes="Première version"), expected_version=1, by=manager
    )
    response = client_for("manager").post(
        reverse("budget:plan_edit", args=[plan.operation.pk]),
        {**plan_data(notes="Autre"), "version": "1", "fctva_excluded_ttc": "0"},
        follow=True,
    )
    html = response.content.decode()
    assert "pendant votre saisie" in html
    plan.refresh_from_db()
    assert plan.notes == "Première version"


def test_a_manager_adds_a_line_and_the_scheme_fills_its_category(client_for, plan, prefecture) -> None:
    response = client_for("manager").post(
        reverse("budget:line_create", args=[plan.operation.pk]),
        {"funder": prefecture.pk, "scheme": scheme("dsil").pk, "amount_ht": "25000", "status": S.REQUESTED},
    )
    assert response.status_code == 302
    line = plan.lines.get()
    assert (line.category, line.amount_ttc, line.status) == (C.STATE_DOTATION, Decimal(25000), S.REQUESTED)


def test_the_line_form_refuses_negative_amounts_in_french(client_for, plan, prefecture) -> None:
    response = client_for("manager").post(
        reverse("budget:line_create", args=[plan.operation.pk]),
        {"funder": prefecture.pk, "category": C.REGION, "amount_ht": "-5", "status": S.ENVISAGED},
    )
    assert response.status_code == 200
    assert "supérieure ou égale à 0" in response.context["form"].errors["amount_ht"][0]


def test_a_manager_changes_a_lines_status_from_the_tab(client_for, plan) -> None:
    line = FinancingLineFactory(plan=plan)
    response = client_for("manager").post(
        reverse("budget:line_status", args=[line.pk]),
        {"status": S.REQUESTED, "version": "1", "comment": "Dossier déposé"},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == S.REQUESTED


def test_a_refused_transition_from_the_tab_is_shown_and_changes_nothing(client_for, plan) -> None:
    line = FinancingLineFactory(plan=plan)
    response = client_for("manager").post(
        reverse("budget:line_status", args=[line.pk]), {"status": S.GRANTED, "version": "1"}, follow=True
    )
    assert "ne peut pas passer de « Envisagé » à « Accordé »" in response.content.decode()
    line.refresh_from_db()
    assert line.status == S.ENVISAGED


def test_a_manager_deletes_a_line_after_confirming(client_for, plan) -> None:
    line = FinancingLineFactory(plan=plan)
    client = client_for("manager")
    url = reverse("budget:line_delete", args=[line.pk])
    assert "Supprimer la ligne" in client.get(url).content.decode()
    assert client.post(url, {"version": "1"}).status_code == 302
    assert not plan.lines.exists()


def test_a_referent_cannot_change_a_status(client_for, plan) -> None:
    line = FinancingLineFactory(plan=plan)
    response = client_for("referent").post(
        reverse("budget:line_status", args=[line.pk]), {"status": S.REQUESTED, "version": "1"}
    )
    assert response.status_code == 403


# --- XLSX --------------------------------------------------------------------------------------------------


def test_the_plan_export_has_lines_checks_and_fctva_sheets(client_for, plan, territory, prefecture) -> None:
    failing_plan(plan, territory, prefecture)
    response = client_for("referent").get(reverse("budget:plan_xlsx", args=[plan.operation.pk]))
    assert response.status_code == 200
    assert "plan-de-financement-w-10" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Plan de financement", "Contrôles", "FCTVA et coût net"]
    lines = book["Plan de financement"]
    values = [[cell.value for cell in row] for row in lines.iter_rows()]
    assert values[0][0] == "Plan de financement — W-10 Requalification de la place du marché"
    assert "Maître d'ouvrage : Wassy" in [row[0] for row in values]
    header = values.index(next(row for row in values if row[0] == "Financeur"))
    first = values[header + 1]
    assert first[0] == "Wassy"
    assert first[4] == 100000  # base: the plan's eligible expense HT
    assert first[5] == pytest.approx(0.1)
    assert first[6] == 10000
    assert first[8] == "Envisagé"
    assert values[header + 4][0] == "Total"
    assert values[header + 4][6].startswith("=SUM(G")
    checks = [[cell.value for cell in row] for row in book["Contrôles"].iter_rows()]
    own = next(row for row in checks if row[0] == "Participation minimale du maître d'ouvrage")
    assert own[1] == "Non respecté"
    assert own[3] == "CGCT art. L1111-10 III"
    fctva = [[cell.value for cell in row] for row in book["FCTVA et coût net"].iter_rows()]
    total = next(row for row in fctva if row[0] == "FCTVA estimé (total)")
    assert total[1] == Decimal("19684.80") or total[1] == pytest.approx(19684.80)
    assert any(row[0].startswith("FCTVA — dépense 2026, versé en 2028") for row in fctva if row[0])
