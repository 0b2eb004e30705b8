"""Exports of the action plan: every column with French headers, typed XLSX cells, a French CSV (BOM, « ; »),
the list's filters and sorting, formula injection neutralised, the mayor's scope."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from operations.exports import DATE_FORMAT, EUROS_FORMAT, HEADERS, PERCENT_FORMAT
from operations.models import OperationStatus
from tests.conftest import Territory
from tests.operations.factories import OperationFactory, PhaseFactory
from tests.programmes.factories import theme


@pytest.fixture
def plan(territory: Territory) -> None:
    w1 = OperationFactory(
        programme=territory.programme,
        code="W-01",
        title='=HYPERLINK("http://exemple.invalid")',
        communes=[territory.wassy, territory.la_porte_du_der],
        owner=territory.wassy,
        in_ort=True,
        ort_sector="Centre-bourg",
        status=OperationStatus.WORKS,
        estimated_cost_ht=Decimal("500000.00"),
        estimated_cost_ttc=Decimal("600000.00"),
        themes=[theme("habitat"), theme("mobilite")],
        partners=[territory.anah],
    )
    PhaseFactory(
        operation=w1,
        baseline_start=datetime.date(2025, 1, 6),
        baseline_end=datetime.date(2026, 6, 30),
        forecast_end=datetime.date(2026, 12, 15),
        progress=Decimal("0.25"),
        slip_reason="Appel d'offres infructueux",
    )
    OperationFactory(
        programme=territory.programme,
        code="P-01",
        title="Halle du marché",
        communes=[territory.la_porte_du_der],
        owner=territory.la_porte_du_der,
        estimated_cost_ht=None,
        estimated_cost_ttc=None,
    )
    OperationFactory(programme=territory.other_programme, code="J-01", communes=[territory.other_commune])


def xlsx_rows(response) -> tuple[list[tuple], object]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [tuple(c.value for c in row) for row in sheet.iter_rows()], sheet


def test_xlsx_has_every_column_with_typed_cells(client_for, plan, territory: Territory) -> None:
    response = client_for("manager").get(reverse("operations:export_xlsx", args=[territory.programme.pk]))
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="plan-actions-pvd-wassy-et-la-porte-du-der.xlsx"'
    )
    rows, sheet = xlsx_rows(response)
    assert list(rows[0]) == HEADERS
    assert [r[0] for r in rows[1:]] == ["P-01", "W-01"]
    w1 = dict(zip(HEADERS, rows[2], strict=True))
    assert w1["Intitulé"] == '=HYPERLINK("http://exemple.invalid")'
    assert sheet.cell(row=3, column=2).data_type == "s"  # text, never a formula
    assert w1["Communes"] == "La Porte du Der, Wassy"
    assert w1["Maître d'ouvrage"] == "Wassy"
    assert w1["Dans le périmètre ORT"] == "Oui"
    assert w1["Secteur ORT"] == "Centre-bourg"
    assert w1["Statut"] == "En cours (travaux)"
    assert w1["En retard"] == "Oui"
    assert w1["Partenaires"] == "Agence nationale de l'habitat (Anah)"
    assert w1["Coût estimé (€ HT)"] == Decimal(500000) or w1["Coût estimé (€ HT)"] == 500000
    assert w1["Avancement"] == pytest.approx(0.25)
    assert w1["Début prévu"] == datetime.datetime(2025, 1, 6)
    assert w1["Fin prévue"] == datetime.datetime(2026, 6, 30)
    assert w1["Fin prévisionnelle"] == datetime.datetime(2026, 12, 15)
    column = {h: i for i, h in enumerate(HEADERS, start=1)}
    assert sheet.cell(row=3, column=column["Coût estimé (€ HT)"]).number_format == EUROS_FORMAT
    assert sheet.cell(row=3, column=column["Avancement"]).number_format == PERCENT_FORMAT
    assert sheet.cell(row=3, column=column["Début prévu"]).number_format == DATE_FORMAT
    p1 = dict(zip(HEADERS, rows[1], strict=True))
    assert (p1["Coût estimé (€ HT)"], p1["Début prévu"], p1["En retard"]) == (None, None, "Non")


def test_csv_is_french_excel_ready(client_for, plan, territory: Territory) -> None:
    response = client_for("manager").get(reverse("operations:export_csv", args=[territory.programme.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    headers = rows[0]
    assert headers[HEADERS.index("Avancement")] == "Avancement (%)"
    assert len(headers) == len(HEADERS)
    w1 = dict(zip(headers, rows[2], strict=True))
    assert w1["Intitulé"] == '\'=HYPERLINK("http://exemple.invalid")'  # formula neutralised
    assert w1["Coût estimé (€ HT)"] == "500000,00"
    assert w1["Coût estimé (€ TTC)"] == "600000,00"
    assert w1["Avancement (%)"] == "25,0"
    assert w1["Début prévu"] == "06/01/2025"
    assert w1["Fin prévisionnelle"] == "15/12/2026"


def test_exports_follow_the_list_filters_and_sorting(client_for, plan, territory: Territory) -> None:
    client = client_for("manager")
    url = reverse("operations:export_csv", args=[territory.programme.pk])
    rows = list(
        csv.reader(io.StringIO(client.get(url + "?tri=-code").content.decode("utf-8-sig")), delimiter=";")
    )
    assert [r[0] for r in rows[1:]] == ["W-01", "P-01"]
    rows = list(
        csv.reader(io.StringIO(client.get(url + "?ort=oui").content.decode("utf-8-sig")), delimiter=";")
    )
    assert [r[0] for r in rows[1:]] == ["W-01"]
    list_page = client.get(reverse("operations:list", args=[territory.programme.pk]) + "?ort=oui")
    assert f"{url}?ort=oui" in list_page.content.decode()


def test_a_mayor_exports_only_their_commune_operations(client_for, plan, territory: Territory) -> None:
    response = client_for("mayor_of_wassy").get(
        reverse("operations:export_xlsx", args=[territory.programme.pk])
    )
    rows, _ = xlsx_rows(response)
    assert [r[0] for r in rows[1:]] == ["W-01"]


@pytest.mark.parametrize("factor", [1, 10])
def test_export_query_budget_is_flat(
    client_for, manager, territory: Territory, factor: int, django_assert_num_queries
) -> None:
    for n in range(3 * factor):
        op = OperationFactory(
            programme=territory.programme,
            code=f"W-{n:03d}",
            communes=[territory.wassy],
            themes=[theme("habitat")],
            partners=[territory.anah],
        )
        PhaseFactory(operation=op)
    client = client_for("manager")
    # session, user, memberships (scope), programme + EPCI, its communes, operations + owner + axis +
    # objective + people (progress, lateness, calendar: subqueries), their communes, themes, partners,
    # session refresh (savepoint, update, release)
    with django_assert_num_queries(12):
        client.get(reverse("operations:export_xlsx", args=[territory.programme.pk]))
