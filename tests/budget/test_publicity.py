"""The financers' publicity obligations (issue 11): which obligations apply (the dated requirements of a line's
scheme or funder, the generic one of a decision that requires publicity), which actions meet them, what each
action forgets; the page (missing first, the anchor of each action), its XLSX, the mayors' scope and its query
budget."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from budget.models import FinancingLineStatus, FundingCategory, SubsidyStatus
from budget.selectors.publicity import GENERIC_LABEL, MET, MISSING, TO_PLAN, publicity_report
from operations.models import OperationStatus
from operations.participation.models import CommunicationStatus
from partners.models import CommunicationKind, PublicityRequirement
from tests.budget.factories import (
    FinancingLineFactory,
    FinancingPlanFactory,
    SubsidyAllocationFactory,
    SubsidyRequestFactory,
    scheme,
)
from tests.budget.subsidy_rows import prefecture
from tests.conftest import Territory
from tests.factories import OrganisationFactory
from tests.operations.factories import OperationFactory
from tests.operations.participation_factories import CommunicationActionFactory, PublicityRequirementFactory

D = datetime.date
DAY = D(2026, 11, 28)
DETR_PANEL = "Panneau de chantier mentionnant la participation de l'État (DETR)"
pytestmark = pytest.mark.django_db


def funded_operation(t: Territory, code: str, *, commune=None, status=FinancingLineStatus.GRANTED, **line):
    """An operation in works of `commune` (Wassy) with one DETR line of the préfecture (granted by default)."""
    commune = commune or t.wassy
    operation = OperationFactory(
        programme=t.programme, code=code, owner=commune, communes=[commune], status=OperationStatus.WORKS
    )
    plan = FinancingPlanFactory(operation=operation)
    values = {
        "category": FundingCategory.STATE_DOTATION,
        "funder": prefecture(t),
        "scheme": scheme("detr"),
        "label": "DETR 2025",
        "amount_ht": Decimal("30000.00"),
        "status": status,
        **line,
    }
    FinancingLineFactory(plan=plan, **values)
    return operation


def report_for(user, t: Territory, on: datetime.date = DAY):
    return publicity_report(user, t.programme, on=on)


def obligations(user, t: Territory, on: datetime.date = DAY) -> list[tuple[str, str, str, str]]:
    return sorted(
        (o.operation.code, o.funder.name, o.label, o.state) for o in report_for(user, t, on).obligations
    )


def panel(t: Territory, operation, **kw):
    values = {
        "programme": t.programme,
        "kind": CommunicationKind.SIGNAGE,
        "title": "Panneau de chantier",
        "status": CommunicationStatus.DONE,
        "date": D(2026, 3, 2),
        "operations": [operation],
        "communes": [t.wassy],
        "funders_credited": [prefecture(t)],
        **kw,
    }
    return CommunicationActionFactory(**values)


# --- Which obligations apply -----------------------------------------------------------------------------------


def test_a_granted_detr_line_makes_the_site_panel_due_and_missing_without_an_action(
    territory, manager
) -> None:
    funded_operation(territory, "W-01")
    assert obligations(manager, territory) == [("W-01", "Préfecture de la Haute-Marne", DETR_PANEL, MISSING)]


def test_a_requested_line_brings_the_obligation_to_plan_not_missing(territory, manager) -> None:
    funded_operation(territory, "W-01", status=FinancingLineStatus.REQUESTED)
    assert obligations(manager, territory) == [("W-01", "Préfecture de la Haute-Marne", DETR_PANEL, TO_PLAN)]
    assert report_for(manager, territory).missing == []


@pytest.mark.parametrize("status", [FinancingLineStatus.REFUSED, FinancingLineStatus.ENVISAGED])
def test_a_refused_or_merely_envisaged_line_brings_no_obligation(territory, manager, status) -> None:
    funded_operation(territory, "W-01", status=status)
    assert obligations(manager, territory) == []


def test_own_funds_bring_no_obligation(territory, manager) -> None:
    funded_operation(
        territory, "W-01", category=FundingCategory.OWN_FUNDS, funder=territory.wassy, scheme=None
    )
    assert obligations(manager, territory) == []


def test_a_requirement_of_another_scheme_does_not_apply(territory, manager) -> None:
    PublicityRequirementFactory(scheme=scheme("dsil"), label="Logo DSIL", channels=[])
    funded_operation(territory, "W-01")
    labels = {label for _, _, label, _ in obligations(manager, territory)}
    assert labels == {DETR_PANEL}


def test_a_funder_requirement_without_scheme_applies_to_its_lines_only(territory, manager) -> None:
    region = OrganisationFactory(name="Région Grand Est", kind="region")
    PublicityRequirementFactory(funder=region, scheme=None, label="Logo de la Région", channels=[])
    funded_operation(territory, "W-01")
    funded_operation(
        territory, "W-02", category=FundingCategory.REGION, funder=region, scheme=None, label="Région"
    )
    assert obligations(manager, territory) == [
        ("W-01", "Préfecture de la Haute-Marne", DETR_PANEL, MISSING),
        ("W-02", "Région Grand Est", "Logo de la Région", MISSING),
    ]


def test_an_expired_or_future_requirement_does_not_apply(territory, manager) -> None:
    PublicityRequirement.objects.filter(scheme=scheme("detr")).update(valid_until=D(2025, 12, 31))
    PublicityRequirementFactory(
        scheme=scheme("detr"), label="Nouveau panneau DETR", valid_from=D(2026, 1, 1), channels=["signage"]
    )
    funded_operation(territory, "W-01")
    assert [label for _, _, label, _ in obligations(manager, territory, on=D(2026, 6, 1))] == [
        "Nouveau panneau DETR"
    ]
    assert [label for _, _, label, _ in obligations(manager, territory, on=D(2025, 6, 1))] == [DETR_PANEL]


def test_a_decision_requiring_publicity_brings_the_generic_obligation_on_any_channel(
    territory, manager
) -> None:
    department = OrganisationFactory(name="Département de la Haute-Marne", kind="department")
    operation = funded_operation(territory, "W-01")
    request = SubsidyRequestFactory(
        programme=territory.programme,
        beneficiary=territory.wassy,
        funder=department,
        status=SubsidyStatus.NOTIFIED,
        decided_on=D(2025, 3, 1),
        publicity_required=True,
    )
    SubsidyAllocationFactory(request=request, operation=operation)
    assert obligations(manager, territory) == [
        ("W-01", "Département de la Haute-Marne", GENERIC_LABEL, MISSING),
        ("W-01", "Préfecture de la Haute-Marne", DETR_PANEL, MISSING),
    ]
    # Any channel meets the generic obligation: a press article crediting the Département.
    panel(territory, operation, kind=CommunicationKind.PRESS, funders_credited=[department])
    assert ("W-01", "Département de la Haute-Marne", GENERIC_LABEL, MET) in obligations(manager, territory)


def test_a_request_without_the_flag_or_not_yet_decided_brings_no_generic_obligation(
    territory, manager
) -> None:
    department = OrganisationFactory(name="Département de la Haute-Marne", kind="department")
    operation = OperationFactory(programme=territory.programme, communes=[territory.wassy])
    for status, flag in [(SubsidyStatus.NOTIFIED, False), (SubsidyStatus.FILED, True)]:
        request = SubsidyRequestFactory(
            programme=territory.programme, funder=department, status=status, publicity_required=flag
        )
        SubsidyAllocationFactory(request=request, operation=operation)
    assert obligations(manager, territory) == []


# --- Met or missing --------------------------------------------------------------------------------------------


def test_a_done_site_panel_crediting_the_prefecture_meets_the_detr_obligation(territory, manager) -> None:
    operation = funded_operation(territory, "W-01")
    action = panel(territory, operation)
    report = report_for(manager, territory)
    [obligation] = report.obligations
    assert (obligation.state, obligation.met_by) == (MET, [action])
    assert report.met_count == 1 and report.missing_count == 0


@pytest.mark.parametrize(
    "change",
    [
        {"kind": CommunicationKind.PRESS},  # a channel the DETR panel does not cover
        {"status": CommunicationStatus.PLANNED},  # not done yet
        {"funders_credited": []},  # does not credit the State
        {"operations": []},  # not linked to the operation
    ],
    ids=["other channel", "planned", "no credit", "other operation"],
)
def test_an_action_that_misses_one_condition_does_not_meet_the_obligation(territory, manager, change) -> None:
    operation = funded_operation(territory, "W-01")
    panel(territory, operation, **change)
    assert [o.state for o in report_for(manager, territory).obligations] == [MISSING]


def test_each_action_lists_the_financers_of_its_operations_it_does_not_credit(territory, manager) -> None:
    region = OrganisationFactory(name="Région Grand Est", kind="region")
    operation = funded_operation(territory, "W-01")
    FinancingLineFactory(
        plan=operation.financing_plan,
        category=FundingCategory.REGION,
        funder=region,
        amount_ht=Decimal("20000.00"),
        status=FinancingLineStatus.REQUESTED,
    )
    action = panel(territory, operation, kind=CommunicationKind.WEBSITE)
    cancelled = panel(territory, operation, status=CommunicationStatus.CANCELLED, title="Annulée")
    gaps = {gap.action: [f.name for f in gap.uncredited] for gap in report_for(manager, territory).actions}
    assert gaps == {action: ["Région Grand Est"]}
    assert cancelled not in gaps


# --- Scope -------------------------------------------------------------------------------------------------------


def test_a_mayor_sees_only_the_obligations_of_her_commune(
    territory, mayor_of_wassy, mayor_of_la_porte_du_der
) -> None:
    funded_operation(territory, "W-01")
    lpd = funded_operation(territory, "LPD-01", commune=territory.la_porte_du_der)
    panel(territory, lpd, communes=[territory.la_porte_du_der], title="Panneau LPD")
    assert [o[0] for o in obligations(mayor_of_wassy, territory)] == ["W-01"]
    report = report_for(mayor_of_la_porte_du_der, territory)
    assert [(o.operation.code, o.state) for o in report.obligations] == [("LPD-01", MET)]
    assert [gap.action.title for gap in report.actions] == ["Panneau LPD"]


def test_the_mayor_of_la_porte_du_der_reads_nothing_of_wassy_on_the_page(
    territory, client_for, mayor_of_la_porte_du_der
) -> None:
    operation = funded_operation(territory, "W-01", label="DETR Notre-Dame")
    panel(territory, operation, title="Panneau de la place Notre-Dame")
    response = client_for("mayor_of_la_porte_du_der").get(
        reverse("budget:publicity", args=[territory.programme.pk])
    )
    assert response.status_code == 200
    body = response.content.decode()
    for secret in ["W-01", "Notre-Dame"]:
        assert secret not in body


# --- The page and its export ---------------------------------------------------------------------------------------


def test_the_page_lists_what_is_missing_first_and_anchors_each_action(territory, client_for) -> None:
    missing = funded_operation(territory, "W-03")
    met = funded_operation(territory, "W-01")
    action = panel(territory, met, title="Panneau de la place")
    panel(territory, missing, kind=CommunicationKind.PRESS, title="Article sur la maison de santé")
    response = client_for("manager").get(reverse("budget:publicity", args=[territory.programme.pk]))
    body = response.content.decode()
    missing_section = body.split('id="titre-manques"')[1].split('id="titre-obligations"')[0]
    assert "W-03" in missing_section and "W-01" not in missing_section
    assert f'id="action-{action.pk}"' in body
    assert "Respectée" in body and "Manquante" in body


def test_the_export_lists_the_missing_obligations(territory, client_for) -> None:
    funded_operation(territory, "W-03")
    met = funded_operation(territory, "W-01")
    panel(territory, met)
    response = client_for("manager").get(reverse("budget:publicity_export", args=[territory.programme.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    data = [row for row in rows if row[0] in {"W-01", "W-03"}]
    assert [(row[0], row[2], row[6]) for row in data] == [
        ("W-03", "Préfecture de la Haute-Marne", "Manquante")
    ]


@pytest.mark.parametrize("factor", [1, 10])
@pytest.mark.parametrize("persona", ["manager", "mayor_of_wassy"])
def test_the_publicity_page_has_a_fixed_query_budget(
    territory, client_for, factor, persona, django_assert_num_queries
) -> None:
    department = OrganisationFactory(name="Département de la Haute-Marne", kind="department")
    for n in range(factor):
        operation = funded_operation(territory, f"W-{n:02d}")
        request = SubsidyRequestFactory(
            programme=territory.programme,
            beneficiary=territory.wassy,
            funder=department,
            status=SubsidyStatus.NOTIFIED,
            publicity_required=True,
        )
        SubsidyAllocationFactory(request=request, operation=operation)
        panel(territory, operation)
    client = client_for(persona)
    url = reverse("budget:publicity", args=[territory.programme.pk])
    client.get(url)
    # session, user, scope, programme (+ mayor: is her commune in it), lines, decisions, requirements, actions,
    # their operations, their funders, the menu's communes, session refresh (savepoint, update, release)
    expected = {"manager": 15, "mayor_of_wassy": 16}[persona]  # with the bell's unread count (issue 8)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert len(response.context["report"].operations) == factor
