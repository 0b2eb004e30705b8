"""Indicator pages per persona: the list grouped « Tout le programme » then by commune with baseline, latest value,
trend in words, target of the year and attainment; the indicator's page with its chart and data table; the manager's
forms; flat query budgets."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from programmes.indicators.models import Indicator, Measurement, MeasurementOrigin
from pvd.xlsx import NUMBER_FORMAT
from tests.programmes.indicator_factories import IndicatorFactory, MeasurementFactory, TargetFactory, library

D = Decimal
YEAR = timezone.localdate().year
NBSP = " "  # text() folds the non-breaking spaces of French figures into plain spaces


def text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def vacancy(territory):
    """Wassy's commercial vacancy: 14 % at the baseline, 12 % then 11 %; target 10 % this year."""
    indicator = IndicatorFactory(
        programme=territory.programme,
        commune=territory.wassy,
        name="Taux de vacance commerciale",
        unit="%",
        direction="down",
        baseline_on=datetime.date(2021, 6, 1),
        baseline_value=D("14"),
        baseline_source="Relevé 2021",
    )
    MeasurementFactory(indicator=indicator, measured_on=datetime.date(YEAR - 2, 6, 1), value=D("12"))
    MeasurementFactory(indicator=indicator, measured_on=datetime.date(YEAR - 1, 6, 1), value=D("11"))
    TargetFactory(indicator=indicator, year=YEAR, value=D("10"))
    return indicator


@pytest.fixture
def lpdd_indicator(territory):
    return IndicatorFactory(
        programme=territory.programme, commune=territory.la_porte_du_der, name="Arbres plantés", unit="arbres"
    )


@pytest.fixture
def common(territory):
    return IndicatorFactory(
        programme=territory.programme, name="Population", unit="habitants", direction="neutral"
    )


def list_url(territory) -> str:
    return reverse("programmes:indicators", kwargs={"pk": territory.programme.pk})


def test_the_list_groups_the_programme_then_each_commune_with_the_figures(
    client_for, territory, vacancy, lpdd_indicator, common
):
    page = text(client_for("manager").get(list_url(territory)))
    assert (
        page.index(">Tout le programme</h2>")
        < page.index(">La Porte du Der</h2>")
        < page.index(">Wassy</h2>")
    )
    # baseline 14 → latest 11 towards a target of 10: (11 − 14) ÷ (10 − 14) = 75 %
    assert (
        f'Taux de vacance commerciale</a></th> <td>%</td> <td>14{NBSP}%<br><small class="text-body-secondary">au '
        f'01/06/2021</small></td> <td>11{NBSP}%<br><small class="text-body-secondary">au 01/06/{YEAR - 1}'
        f'</small></td> <td><span aria-hidden="true">↘</span> En progrès</td> <td>10{NBSP}%</td> '
        f'<td class="text-end">75{NBSP}%</td>'
    ) in page
    assert "Pas encore de tendance" in page  # the indicators without measurements
    assert "Nouvel indicateur" in page and "Importer des mesures (CSV)" in page
    assert reverse("programmes:indicators_compute", kwargs={"pk": territory.programme.pk}) in page


def test_a_mayor_reads_their_commune_and_the_programme_wide_indicators_without_edit_buttons(
    client_for, territory, vacancy, lpdd_indicator, common
):
    page = text(client_for("mayor_of_wassy").get(list_url(territory)))
    assert "Taux de vacance commerciale" in page and "Population" in page
    assert "Arbres plantés" not in page
    assert "Nouvel indicateur" not in page and "Importer des mesures" not in page
    assert "Exporter (XLSX)" in page


def test_the_list_filters_by_commune(client_for, territory, vacancy, common):
    page = text(client_for("referent").get(list_url(territory), {"commune": "programme"}))
    assert "Population" in page and "Taux de vacance commerciale" not in page
    page = text(client_for("referent").get(list_url(territory), {"commune": territory.wassy.pk}))
    assert "Population" not in page and "Taux de vacance commerciale" in page


def test_archived_indicators_leave_the_list(client_for, territory, vacancy):
    Indicator.objects.filter(pk=vacancy.pk).update(archived=True)
    assert "Taux de vacance commerciale" not in text(client_for("manager").get(list_url(territory)))


def grow(territory, factor: int) -> None:
    for _n in range(factor):
        for commune in (None, territory.wassy, territory.la_porte_du_der):
            indicator = IndicatorFactory(programme=territory.programme, commune=commune)
            for year in (2024, 2025):
                MeasurementFactory(indicator=indicator, measured_on=datetime.date(year, 1, 1))
            TargetFactory(indicator=indicator, year=YEAR)


@pytest.mark.parametrize("factor", [1, 10])
def test_the_list_query_count_is_flat(client_for, territory, django_assert_num_queries, factor):
    grow(territory, factor)
    client = client_for("manager")
    # session + user (2), memberships (scope), programme + its communes (2), indicators, their measurements,
    # their targets (3), the programmes of the navigation, session save (savepoint, update, release: 3)
    with django_assert_num_queries(13):  # +1: the bell's unread count (issue 8)
        response = client.get(list_url(territory))
    assert response.status_code == 200


@pytest.mark.parametrize("factor", [1, 10])
def test_the_indicator_page_query_count_is_flat(client_for, territory, django_assert_num_queries, factor):
    indicator = IndicatorFactory(programme=territory.programme, commune=territory.wassy)
    for n in range(3 * factor):
        MeasurementFactory(
            indicator=indicator, measured_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=n)
        )
        TargetFactory(indicator=indicator, year=2030 + n)
    client = client_for("manager")
    # session + user (2), memberships, the indicator, its summary (indicator, measurements, targets: 3), the
    # programmes of the navigation, the measurements table, objectives, operations, history (2), programme and
    # organisation of the history panel (2), session save (3)
    with django_assert_num_queries(19):  # +1: the bell's unread count (issue 8)
        response = client.get(reverse("programmes:indicator", kwargs={"pk": indicator.pk}))
    assert response.status_code == 200


def test_the_indicator_page_shows_definition_chart_table_targets_and_history(client_for, territory, vacancy):
    page = text(client_for("partner").get(reverse("programmes:indicator", kwargs={"pk": vacancy.pk})))
    assert 'role="img"' in page and "<title>Mesure du 01/06/" in page
    assert f"14{NBSP}% au 01/06/2021 (source : Relevé 2021)" in page
    assert "Baisse souhaitée" in page and "Saisie ou import CSV" in page
    assert "Mesures de l'indicateur" in page and f'<th scope="row">01/06/{YEAR - 1}</th>' in page
    assert f'<th scope="row">{YEAR}</th><td class="text-end">10</td>' in page
    assert "Historique des modifications" in page
    assert "Ajouter une mesure" not in page and "Modifier" not in page


def test_the_manager_sees_the_operations_and_objectives_linked(client_for, territory, vacancy):
    from tests.operations.factories import OperationFactory

    operation = OperationFactory(
        programme=territory.programme, owner=territory.wassy, communes=[territory.wassy]
    )
    operation.indicators.add(vacancy)
    page = text(client_for("manager").get(reverse("programmes:indicator", kwargs={"pk": vacancy.pk})))
    assert reverse("operations:detail", kwargs={"pk": operation.pk}) in page
    assert "Ajouter une mesure" in page


def test_the_mayor_of_another_commune_gets_404(client_for, vacancy):
    url = reverse("programmes:indicator", kwargs={"pk": vacancy.pk})
    assert client_for("mayor_of_la_porte_du_der").get(url).status_code == 404


def test_the_manager_creates_an_indicator_from_the_library(client_for, territory):
    template = library("commercial-vacancy-rate")
    response = client_for("manager").post(
        reverse("programmes:indicator_create", kwargs={"pk": territory.programme.pk}),
        {
            "template": template.pk,
            "commune": territory.wassy.pk,
            "frequency": "yearly",
            "direction": "up",
            "baseline_on": "2021-06-01",
            "baseline_value": "14,5",
            "baseline_source": "Relevé 2021",
        },
    )
    indicator = Indicator.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "programmes:indicator", kwargs={"pk": indicator.pk}
    )
    assert (indicator.name, indicator.direction, indicator.baseline_value) == (
        "Taux de vacance commerciale",
        "down",  # the template's, not the form's default
        D("14.50"),
    )


def test_the_create_form_lists_the_library_by_theme_and_asks_a_name_for_a_custom_one(client_for, territory):
    url = reverse("programmes:indicator_create", kwargs={"pk": territory.programme.pk})
    page = text(client_for("manager").get(url))
    assert (
        '<optgroup label="Commerces, services et activités">' in page
        and "Taux de vacance commerciale (%)" in page
    )
    page = text(client_for("manager").post(url, {"template": "", "frequency": "yearly", "direction": "up"}))
    assert "Le nom est obligatoire pour un indicateur personnalisé." in page
    assert not Indicator.objects.exists()


def test_the_manager_records_a_measurement_with_a_french_decimal(client_for, vacancy, manager):
    response = client_for("manager").post(
        reverse("programmes:measurement_create", kwargs={"pk": vacancy.pk}),
        {"measured_on": f"{YEAR}-06-01", "value": "10,6", "source": "Relevé", "comment": ""},
    )
    assert response.status_code == 302
    measurement = vacancy.measurements.get(measured_on=datetime.date(YEAR, 6, 1))
    assert (measurement.value, measurement.origin, measurement.recorded_by) == (
        D("10.60"),
        "entered",
        manager,
    )


def test_a_computed_measurement_cannot_be_opened_for_edit(client_for, vacancy):
    measurement = MeasurementFactory(indicator=vacancy, origin=MeasurementOrigin.COMPUTED)
    response = client_for("manager").get(
        reverse("programmes:measurement_edit", kwargs={"pk": measurement.pk})
    )
    assert response.status_code == 302


def test_the_manager_deletes_a_measurement_after_confirmation(client_for, vacancy):
    measurement = vacancy.measurements.first()
    url = reverse("programmes:measurement_delete", kwargs={"pk": measurement.pk})
    client = client_for("manager")
    assert "Supprimer la mesure du" in text(client.get(url))
    assert client.post(url).status_code == 302
    assert not Measurement.objects.filter(pk=measurement.pk).exists()


def test_the_targets_formset_saves_all_rows_or_none(client_for, vacancy):
    url = reverse("programmes:indicator_targets", kwargs={"pk": vacancy.pk})
    client = client_for("manager")
    data = {
        "cibles-TOTAL_FORMS": "3",
        "cibles-INITIAL_FORMS": "0",
        "cibles-0-year": "2027",
        "cibles-0-value": "9,5",
        "cibles-1-year": "2027",
        "cibles-1-value": "9",
        "cibles-2-year": "",
        "cibles-2-value": "",
    }
    page = text(client.post(url, data))
    assert "2027 figure deux fois : une seule cible par année." in page
    assert list(vacancy.targets.values_list("year", flat=True)) == [YEAR]
    data["cibles-1-year"] = "2028"
    assert client.post(url, data).status_code == 302
    assert list(vacancy.targets.order_by("year").values_list("year", "value")) == [
        (2027, D("9.50")),
        (2028, D("9.00")),
    ]


def test_the_export_has_one_row_per_measurement_and_a_sheet_of_targets(client_for, territory, vacancy):
    import io

    response = client_for("referent").get(
        reverse("programmes:indicators_export", kwargs={"pk": territory.programme.pk})
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Mesures", "Cibles", "Indicateurs"]
    rows = [r for r in book["Mesures"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert [(r[0], r[1], r[3].date(), r[4]) for r in rows] == [
        ("Taux de vacance commerciale", "Wassy", datetime.date(YEAR - 2, 6, 1), 12),
        ("Taux de vacance commerciale", "Wassy", datetime.date(YEAR - 1, 6, 1), 11),
    ]
    assert book["Mesures"]["E5"].number_format == NUMBER_FORMAT
    targets = [r for r in book["Cibles"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert [(r[0], r[3], r[4]) for r in targets] == [("Taux de vacance commerciale", YEAR, 10)]


def test_the_manager_edits_an_indicator_and_a_stale_form_is_refused(client_for, territory, vacancy):
    url = reverse("programmes:indicator_edit", kwargs={"pk": vacancy.pk})
    data = {
        "name": "Taux de vacance commerciale (rez-de-chaussée)",
        "commune": territory.wassy.pk,
        "unit": "%",
        "source": "Relevé",
        "method": "",
        "frequency": "yearly",
        "direction": "down",
        "computation": "manual",
        "baseline_on": "2021-06-01",
        "baseline_value": "14,5",
        "baseline_source": "Relevé 2021",
        "version": "1",
    }
    client = client_for("manager")
    assert client.post(url, data).status_code == 302
    vacancy.refresh_from_db()
    assert (vacancy.name, vacancy.baseline_value, vacancy.version) == (
        "Taux de vacance commerciale (rez-de-chaussée)",
        D("14.50"),
        2,
    )
    page = text(client.post(url, {**data, "name": "Autre nom"}))  # still version 1: stale
    assert "a été modifié" in page and "rechargez la page" in page
    vacancy.refresh_from_db()
    assert vacancy.name == "Taux de vacance commerciale (rez-de-chaussée)"
