"""The action plan list (filters, sorting, totals, query budget), the operation page and the create/edit
forms (choices limited to the programme, TTC ≥ HT, stale form)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from operations.models import Operation, OperationStatus
from operations.services import operation as services
from programmes.models import Axis
from tests.conftest import Territory
from tests.factories import OrganisationFactory
from tests.operations.factories import OperationFactory, PhaseFactory
from tests.programmes.factories import theme
from tests.programmes.project_rows import write_version

S = OperationStatus


def codes(response) -> list[str]:
    return [o.code for o in response.context["operations"]]


def list_url(territory: Territory, query: str = "") -> str:
    return reverse("operations:list", args=[territory.programme.pk]) + query


@pytest.fixture
def plan(territory: Territory) -> dict[str, Operation]:
    """W-01 of Wassy (late, in ORT), W-02 of Wassy and La Porte du Der, P-01 of La Porte du Der."""
    w1 = OperationFactory(
        programme=territory.programme,
        code="W-01",
        title="Requalification de la place",
        communes=[territory.wassy],
        owner=territory.wassy,
        in_ort=True,
        status=S.WORKS,
        estimated_cost_ht=Decimal("500000.00"),
        estimated_cost_ttc=Decimal("600000.00"),
        themes=[theme("habitat")],
    )
    PhaseFactory(operation=w1, baseline_end=datetime.date(2026, 6, 30), progress=Decimal("0.5"))
    w2 = OperationFactory(
        programme=territory.programme,
        code="W-02",
        title="Vélo-route du Der",
        communes=[territory.wassy, territory.la_porte_du_der],
        owner=territory.epci,
        status=S.IDEA,
        manual_progress=Decimal("0.2"),
        estimated_cost_ht=Decimal("100000.00"),
        estimated_cost_ttc=Decimal("120000.00"),
        themes=[theme("mobilite")],
    )
    p1 = OperationFactory(
        programme=territory.programme,
        code="P-01",
        title="Halle du marché",
        communes=[territory.la_porte_du_der],
        owner=territory.la_porte_du_der,
        status=S.MATURE,
        estimated_cost_ht=None,
        estimated_cost_ttc=None,
    )
    OperationFactory(programme=territory.other_programme, code="J-01", communes=[territory.other_commune])
    return {"W-01": w1, "W-02": w2, "P-01": p1}


def test_the_list_shows_the_programme_operations_with_totals(client_for, plan, territory: Territory) -> None:
    response = client_for("manager").get(list_url(territory))
    assert codes(response) == ["P-01", "W-01", "W-02"]
    totals = response.context["totals"]
    assert (totals.count, totals.cost_ht, totals.cost_ttc) == (3, Decimal("600000.00"), Decimal("720000.00"))
    html = response.content.decode()
    assert "600\u00a0000,00\u00a0€" in html  # the HT total
    assert "720\u00a0000,00\u00a0€" in html  # the TTC total
    assert "En retard" in html  # a text badge, not a colour only
    assert "50\u00a0%" in html  # the progress as text, next to the bar


def test_progress_and_lateness_come_from_the_phases(client_for, plan, territory: Territory) -> None:
    rows = {o.code: o for o in client_for("manager").get(list_url(territory)).context["operations"]}
    assert (rows["W-01"].progress, rows["W-01"].is_late) == (Decimal("0.5"), True)
    assert (rows["W-02"].progress, rows["W-02"].is_late) == (Decimal("0.2"), False)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?en_retard=oui", ["W-01"]),
        ("?en_retard=non", ["P-01", "W-02"]),
        ("?ort=oui", ["W-01"]),
        ("?ort=non", ["P-01", "W-02"]),
        ("?statut=mature", ["P-01"]),
        ("?q=v%C3%A9lo", ["W-02"]),
        ("?q=w-01", ["W-01"]),
    ],
)
def test_filters(client_for, plan, territory: Territory, query: str, expected: list[str]) -> None:
    assert codes(client_for("manager").get(list_url(territory, query))) == expected


def test_filters_by_commune_axis_theme_and_owner(client_for, plan, territory: Territory) -> None:
    client = client_for("manager")
    assert codes(client.get(list_url(territory, f"?commune={territory.wassy.pk}"))) == ["W-01", "W-02"]
    assert codes(client.get(list_url(territory, f"?commune={territory.la_porte_du_der.pk}"))) == [
        "P-01",
        "W-02",
    ]
    assert codes(client.get(list_url(territory, f"?theme={theme('mobilite').pk}"))) == ["W-02"]
    assert codes(client.get(list_url(territory, f"?moa={territory.epci.pk}"))) == ["W-02"]
    project = write_version(territory.programme, axes=1, objectives=1)
    axis = Axis.objects.get(project=project)
    Operation.objects.filter(code="P-01").update(axis=axis)
    assert codes(client.get(list_url(territory, f"?axe={axis.pk}"))) == ["P-01"]


def test_a_two_commune_operation_is_seen_by_both_mayors(client_for, plan, territory: Territory) -> None:
    assert codes(client_for("mayor_of_wassy").get(list_url(territory))) == ["W-01", "W-02"]
    assert codes(client_for("mayor_of_la_porte_du_der").get(list_url(territory))) == ["P-01", "W-02"]
    lpdd = client_for("mayor_of_la_porte_du_der")
    assert lpdd.get(reverse("operations:detail", args=[plan["W-02"].pk])).status_code == 200
    assert lpdd.get(reverse("operations:detail", args=[plan["W-01"].pk])).status_code == 404
    assert lpdd.get(list_url(territory)).context["totals"].count == 2


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("code", ["P-01", "W-01", "W-02"]),
        ("-code", ["W-02", "W-01", "P-01"]),
        ("intitule", ["P-01", "W-01", "W-02"]),
        ("statut", ["W-02", "P-01", "W-01"]),
        ("-statut", ["W-01", "P-01", "W-02"]),
        ("avancement", ["P-01", "W-02", "W-01"]),
        ("-avancement", ["W-01", "W-02", "P-01"]),
        ("cout_ht", ["W-02", "W-01", "P-01"]),  # unknown costs last
        ("-cout_ht", ["W-01", "W-02", "P-01"]),
        ("commune", ["P-01", "W-02", "W-01"]),  # La Porte du Der, then W-02 (La Porte du Der, Wassy), Wassy
    ],
)
def test_sorting(client_for, plan, territory: Territory, sort: str, expected: list[str]) -> None:
    assert codes(client_for("manager").get(list_url(territory, f"?tri={sort}"))) == expected


def test_sort_links_keep_the_filters_and_toggle(client_for, plan, territory: Territory) -> None:
    response = client_for("manager").get(list_url(territory, "?ort=non&tri=code"))
    links = response.context["sort_links"]
    assert links["code"] == {"url": "?ort=non&tri=-code", "state": "ascending"}
    assert links["cout_ht"]["url"] == "?ort=non&tri=cout_ht"


def test_only_managers_get_the_bulk_form(client_for, plan, territory: Territory) -> None:
    assert client_for("manager").get(list_url(territory)).context["bulk_form"] is not None
    assert client_for("referent").get(list_url(territory)).context["bulk_form"] is None
    assert 'form="changement-groupe"' not in client_for("partner").get(list_url(territory)).content.decode()


@pytest.mark.parametrize("factor", [1, 10])
def test_list_query_budget_is_flat(
    client_for, manager, territory: Territory, factor: int, django_assert_num_queries
) -> None:
    for n in range(3 * factor):
        op = OperationFactory(
            programme=territory.programme,
            code=f"W-{n:03d}",
            communes=[territory.wassy, territory.la_porte_du_der],
            themes=[theme("habitat"), theme("mobilite")],
            partners=[territory.anah],
        )
        PhaseFactory(operation=op)
    client = client_for("manager")
    # session, user, memberships (scope), programme + EPCI, its communes, filter choices (communes, axes,
    # themes, owners), totals (one aggregate), operations + owner + axis + objective + people (progress and
    # lateness are subqueries), their communes, their themes, menu: programmes,
    # session refresh (savepoint, update, release)
    with django_assert_num_queries(18):  # +1: the bell's unread count (issue 8)
        response = client.get(list_url(territory, "?tri=commune&en_retard=oui"))
    assert response.context["totals"].count == 3 * factor


# --- The operation page ------------------------------------------------------------------------------------


def test_operation_page(client_for, plan, territory: Territory) -> None:
    response = client_for("referent").get(reverse("operations:detail", args=[plan["W-01"].pk]))
    html = response.content.decode()
    assert "Requalification de la place" in html
    assert "Historique des modifications" in html
    assert response.context["status_form"] is None
    assert response.context["can_edit"] is False


def test_the_programme_page_links_to_the_action_plan(client_for, territory: Territory) -> None:
    response = client_for("manager").get(reverse("programme", args=[territory.programme.pk]))
    assert list_url(territory) in response.content.decode()


# --- Create and edit ---------------------------------------------------------------------------------------


def form_data(territory: Territory, **overrides: object) -> dict[str, object]:
    data = {
        "code": "W-10",
        "title": "Maison de santé",
        "communes": [territory.wassy.pk],
        "owner": territory.wassy.pk,
        "themes": [theme("habitat").pk],
        "estimated_cost_ht": "250000",
        "estimated_cost_ttc": "300000",
        "priority": 1,
        "maturity": 2,
        "in_ort": "on",
        "ort_sector": "Centre-bourg",
    }
    data.update(overrides)
    return data


def test_create_an_operation(client_for, territory: Territory) -> None:
    response = client_for("manager").post(
        reverse("operations:create", args=[territory.programme.pk]), form_data(territory)
    )
    operation = Operation.objects.get(code="W-10")
    assert response["Location"] == reverse("operations:detail", args=[operation.pk])
    assert (operation.status, operation.in_ort, operation.ort_sector) == (S.IDEA, True, "Centre-bourg")
    assert list(operation.communes.all()) == [territory.wassy]
    assert operation.estimated_cost_ttc == Decimal(300000)


def test_the_form_offers_only_the_programme_communes(client_for, territory: Territory) -> None:
    form = (
        client_for("manager").get(reverse("operations:create", args=[territory.programme.pk])).context["form"]
    )
    assert list(form.fields["communes"].queryset) == [territory.la_porte_du_der, territory.wassy]
    owners = set(form.fields["owner"].queryset)
    assert {territory.wassy, territory.epci, territory.anah} <= owners
    assert territory.saint_dizier not in owners and territory.other_commune not in owners


def test_ttc_below_ht_is_refused_in_french(client_for, territory: Territory) -> None:
    response = client_for("manager").post(
        reverse("operations:create", args=[territory.programme.pk]),
        form_data(territory, estimated_cost_ttc="200000"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["estimated_cost_ttc"] == [
        "Le coût TTC ne peut pas être inférieur au coût HT (TTC ≥ HT)."
    ]
    assert not Operation.objects.exists()


def test_a_duplicate_code_is_refused_in_french(client_for, plan, territory: Territory) -> None:
    response = client_for("manager").post(
        reverse("operations:create", args=[territory.programme.pk]), form_data(territory, code="W-01")
    )
    assert "Ce numéro de fiche-action existe déjà dans le programme." in response.content.decode()


def test_a_commune_outside_the_programme_is_refused(manager, territory: Territory) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.operation_create(
            programme=territory.programme,
            by=manager,
            code="X-01",
            title="Hors programme",
            owner=territory.saint_dizier,
            communes=[territory.saint_dizier],
        )
    assert error.value.message_dict == {"communes": ["Communes hors du programme : Saint-Dizier."]}


def test_edit_an_operation(client_for, plan, territory: Territory) -> None:
    op = plan["W-02"]
    partner = OrganisationFactory(name="Banque des Territoires")
    data = form_data(territory, code="W-02", title="Vélo-route", partners=[partner.pk], version=1)
    response = client_for("manager").post(reverse("operations:edit", args=[op.pk]), data)
    assert response.status_code == 302
    op.refresh_from_db()
    assert (op.title, op.version, op.status) == ("Vélo-route", 2, S.IDEA)  # the status does not move here
    assert list(op.partners.all()) == [partner]
    assert list(op.communes.all()) == [territory.wassy]


def test_a_stale_form_is_refused_and_says_what_changed(
    client_for, manager, plan, territory: Territory
) -> None:
    op = plan["W-02"]
    services.operation_change_status(operation=op, to=S.MATURE, by=manager, expected_version=1)
    data = form_data(territory, code="W-02", title="Écrasement", version=1)
    response = client_for("manager").post(reverse("operations:edit", args=[op.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "a été modifié par Camille Martin" in html
    assert "statut" in html
    op.refresh_from_db()
    assert (op.title, op.status) == ("Vélo-route du Der", S.MATURE)


def test_operation_page_includes_the_tracking_sections(client_for, plan, territory: Territory) -> None:
    html = client_for("manager").get(reverse("operations:detail", args=[plan["W-01"].pk])).content.decode()
    for heading in ["Phases et avancement", "Journal de l'opération", "Risques et difficultés"]:
        assert heading in html


@pytest.mark.parametrize("factor", [1, 10])
def test_operation_page_query_budget_is_flat(
    client_for, manager, territory: Territory, factor: int, django_assert_num_queries
) -> None:
    op = OperationFactory(
        programme=territory.programme,
        code="W-01",
        communes=[territory.wassy, territory.la_porte_du_der],
        themes=[theme("habitat")],
        partners=[territory.anah],
    )
    for n in range(factor):
        PhaseFactory(operation=op, order=n + 1)
        services.operation_change_status(operation=op, to=S.SUSPENDED, by=manager)
        services.operation_change_status(operation=op, to=S.IDEA, by=manager)
    client = client_for("manager")
    # session, user, memberships (scope), operation + programme + owner + axis + objective + people (progress
    # and lateness: subqueries), its communes, themes, partners, status changes + authors, tracking (phases,
    # reports + authors, risks), menu: programmes, history (records, then its partners, themes and communes
    # lists), names in the history (programme, organisations, themes: one query each), session refresh
    # (savepoint, update, release), concertation (events linked, contributions that changed it: issue 11),
    # issue 10: its indicators with their latest value (one query), the history's indicators lists
    with django_assert_num_queries(27):  # +1: the bell's unread count (issue 8)
        response = client.get(reverse("operations:detail", args=[op.pk]))
    assert len(response.context["changes"]) == 2 * factor
