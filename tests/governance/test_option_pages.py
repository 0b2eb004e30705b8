"""The option pages (issue 8, H4): add, edit and delete options of a draft note, their financing changes, the
computed impact shown on the note, implementing the approved option, and the note page's query count."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budget.models import FinancingLineStatus, FundingCategory
from pvd.governance.models import (
    ArbitrationOption,
    ArbitrationStatus,
    FinancingChangeAction,
    OptionFinancingChange,
)
from tests.budget.factories import FinancingLineFactory
from tests.factories import OrganisationFactory
from tests.governance.rows_h4 import decide, scenario

pytestmark = pytest.mark.django_db


def test_a_manager_adds_an_option_with_the_next_free_letter_and_ttc_computed(territory, manager, client_for):
    s = scenario(territory, manager)
    client = client_for("manager")
    url = reverse("governance:option_create", args=[s.arbitration.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="C"' in page.content.decode()
    response = client.post(
        url,
        {
            "letter": "",
            "title": "Abandonner",
            "operation": s.operation.pk,
            "new_cost_ht": "50000",
            "new_vat_rate": "0.2",
            "shift_days": "0",
            "new_status": "",
        },
    )
    assert response.status_code == 302
    option = ArbitrationOption.objects.get(arbitration=s.arbitration, letter="C")
    assert option.new_cost_ttc == Decimal("60000.00")
    assert option.history.first().history_user == manager


def test_a_status_the_workflow_does_not_allow_is_refused_in_french(territory, manager, client_for):
    s = scenario(territory, manager)
    response = client_for("manager").post(
        reverse("governance:option_edit", args=[s.b.pk]),
        {
            "version": s.b.version,
            "letter": "B",
            "title": "B",
            "operation": s.operation.pk,
            "shift_days": "0",
            "new_status": "idea",
        },
    )
    assert response.status_code == 200
    assert "ne peut pas passer à « Idée" in response.content.decode()


def test_a_referent_cannot_add_an_option(territory, manager, referent, client_for):
    s = scenario(territory, manager)
    s.arbitration.status = ArbitrationStatus.SUBMITTED
    s.arbitration.save()
    response = client_for("referent").post(
        reverse("governance:option_create", args=[s.arbitration.pk]), {"title": "X", "shift_days": "0"}
    )
    assert response.status_code == 403


def test_options_of_a_submitted_note_are_frozen(territory, manager, client_for):
    s = scenario(territory, manager)
    s.arbitration.status = ArbitrationStatus.SUBMITTED
    s.arbitration.save()
    response = client_for("manager").post(reverse("governance:option_delete", args=[s.a.pk]), follow=True)
    assert "ne se modifient qu&#x27;en brouillon" in response.content.decode()
    assert ArbitrationOption.objects.filter(pk=s.a.pk).exists()


def test_a_manager_deletes_an_option_of_a_draft(territory, manager, client_for):
    s = scenario(territory, manager)
    response = client_for("manager").post(
        reverse("governance:option_delete", args=[s.a.pk]), {"version": s.a.version}
    )
    assert response.status_code == 302
    assert not ArbitrationOption.objects.filter(pk=s.a.pk).exists()


def _formset(rows):
    data = {
        "version": "",
        "financement-TOTAL_FORMS": str(len(rows)),
        "financement-INITIAL_FORMS": "0",
        "financement-MIN_NUM_FORMS": "0",
        "financement-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"financement-{index}-{name}"] = value
    return data


def test_the_financing_changes_are_replaced_from_the_formset(territory, manager, client_for):
    s = scenario(territory, manager)
    department = OrganisationFactory(name="Département de la Haute-Marne", kind="department")
    url = reverse("governance:option_financing", args=[s.a.pk])
    client = client_for("manager")
    page = client.get(url)
    assert page.status_code == 200
    assert "Impact calculé" in page.content.decode()
    data = _formset(
        [
            {"action": "change", "line": s.region.pk, "amount_ht": "25000"},
            {
                "action": "add",
                "category": FundingCategory.DEPARTMENT,
                "funder": department.pk,
                "amount_ht": "5000",
            },
        ]
    )
    data["version"] = s.a.version
    response = client.post(url, data)
    assert response.status_code == 302
    changes = list(OptionFinancingChange.objects.filter(option=s.a).order_by("pk"))
    assert [(c.action, c.amount_ht, c.amount_ttc) for c in changes] == [
        (FinancingChangeAction.CHANGE, Decimal("25000.00"), Decimal("25000.00")),
        (FinancingChangeAction.ADD, Decimal("5000.00"), Decimal("5000.00")),
    ]


def test_a_line_of_another_plan_is_not_offered(territory, manager, client_for):
    s = scenario(territory, manager)
    stranger = FinancingLineFactory()
    data = _formset([{"action": "withdraw", "line": stranger.pk}])
    data["version"] = s.a.version
    response = client_for("manager").post(reverse("governance:option_financing", args=[s.a.pk]), data)
    assert response.status_code == 200
    assert OptionFinancingChange.objects.filter(option=s.a).count() == 1  # unchanged


def test_the_note_shows_the_computed_impact_with_french_formats(territory, manager, client_for):
    s = scenario(territory, manager)
    html = (
        client_for("manager").get(reverse("governance:arbitration", args=[s.arbitration.pk])).content.decode()
    )
    assert "Option A — Décaler de 90 jours sans la DETR" in html
    assert "29/12/2027" in html
    assert "caducité" in html
    assert "Préfecture de la Haute-Marne" in html
    assert "Participation minimale du maître d&#x27;ouvrage" in html
    assert "96 000,00" in html.replace("\u202f", " ").replace("\xa0", " ")
    assert "rapport entre le nouveau et l&#x27;ancien coût TTC" in html


def test_a_manager_implements_the_approved_option_from_the_note(territory, manager, client_for):
    s = scenario(territory, manager)
    decide(s.arbitration, s.a)
    client = client_for("manager")
    response = client.post(reverse("governance:arbitration_implement", args=[s.arbitration.pk]), follow=True)
    assert "a été mise en œuvre" in response.content.decode()
    s.arbitration.refresh_from_db()
    assert s.arbitration.status == ArbitrationStatus.IMPLEMENTED
    history = client.get(reverse("operations:detail", args=[s.operation.pk]))
    assert history.status_code == 200


def test_a_referent_cannot_implement(territory, manager, referent, client_for):
    s = scenario(territory, manager)
    decide(s.arbitration, s.a)
    response = client_for("referent").post(
        reverse("governance:arbitration_implement", args=[s.arbitration.pk])
    )
    assert response.status_code == 403


def _page_queries(client, s) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("governance:arbitration", args=[s.arbitration.pk])).status_code == 200
    return len(queries)


def test_the_note_page_query_count_does_not_depend_on_the_number_of_lines(territory, manager, client_for):
    s = scenario(territory, manager)
    client = client_for("manager")
    _page_queries(client, s)
    once = _page_queries(client, s)
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
            option=s.b, action=FinancingChangeAction.CHANGE, line=line, amount_ht=Decimal(index + 1)
        )
    assert _page_queries(client, s) == once
