"""The programme Gantt: SVG content (codes, today line, baseline and forecast bars, late marking), the data
table, filters, access scoping for mayors and a flat query count."""

import datetime
import re

import pytest
from django.urls import reverse

from operations.gantt import LABEL_WIDTH, GanttScale, build_gantt, render_svg
from operations.models import Operation, OperationStatus
from tests.conftest import Territory
from tests.operations.factories import OperationFactory, PhaseFactory

TODAY = datetime.date(2026, 11, 28)


def _rect(svg: str, css: str, code: str) -> dict[str, str]:
    """The attributes of the first rect of class `css` in the row group of operation `code`."""
    group = re.search(
        rf'<g class="gantt-row gantt-row-phase[^"]*" data-code="{re.escape(code)}">(.*?)</g>', svg
    )
    assert group, f"no phase row for {code}"
    rect = re.search(rf'<rect class="{css}"([^>]*)/>', group.group(1))
    assert rect, f"no {css} rect for {code}"
    return dict(re.findall(r'(\w[\w-]*)="([^"]*)"', rect.group(1)))


@pytest.fixture
def late_operation(territory: Territory) -> Operation:
    """W-03: one phase planned from January to March 2026, now forecast February to May (late)."""
    operation = OperationFactory(
        programme=territory.programme,
        code="W-03",
        title="Requalification de la place Notre-Dame",
        owner=territory.wassy,
        communes=[territory.wassy],
        status=OperationStatus.WORKS,
    )
    PhaseFactory(
        operation=operation,
        order=1,
        name="Travaux",
        baseline_start=datetime.date(2026, 1, 1),
        baseline_end=datetime.date(2026, 3, 31),
        forecast_start=datetime.date(2026, 2, 1),
        forecast_end=datetime.date(2026, 5, 31),
        slip_reason="Appel d'offres infructueux",
    )
    return operation


@pytest.fixture
def on_time_operation(territory: Territory) -> Operation:
    operation = OperationFactory(
        programme=territory.programme,
        code="LPD-02",
        title="Halle du marché",
        owner=territory.la_porte_du_der,
        communes=[territory.la_porte_du_der],
        status=OperationStatus.COMMITTED,
    )
    PhaseFactory(
        operation=operation,
        order=1,
        name="Maîtrise d'œuvre",
        baseline_start=datetime.date(2026, 6, 1),
        baseline_end=datetime.date(2027, 2, 28),
        forecast_start=datetime.date(2026, 6, 1),
        forecast_end=datetime.date(2027, 2, 28),
    )
    return operation


def test_scale_maps_dates_to_x_from_the_first_month() -> None:
    scale = GanttScale.covering([datetime.date(2026, 1, 15), datetime.date(2026, 3, 2)], TODAY)
    assert (scale.start, scale.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 1))
    assert scale.x(datetime.date(2026, 1, 1)) == LABEL_WIDTH
    assert scale.width(datetime.date(2026, 1, 1), datetime.date(2026, 1, 1)) == pytest.approx(1100 / 334)


def test_svg_draws_baseline_and_forecast_bars_at_their_dates(late_operation: Operation) -> None:
    operations = Operation.objects.prefetch_related("phases")
    svg = render_svg(build_gantt(list(operations), TODAY), title="Planning")
    # Scale: 1 January to 1 December 2026 (today is in November) = 334 days over 1,100 px after 260 px of labels.
    baseline = _rect(svg, "gantt-baseline", "W-03")
    assert (baseline["x"], baseline["width"]) == ("260.0", "296.4")  # 90 days from 1 January
    assert baseline["fill"] == "url(#gantt-baseline-hatch)"  # outlined and hatched
    assert (baseline["data-start"], baseline["data-end"]) == ("2026-01-01", "2026-03-31")
    forecast = _rect(svg, "gantt-forecast gantt-late", "W-03")
    assert (forecast["x"], forecast["width"]) == ("362.1", "395.2")  # from day 31, 120 days
    assert forecast["fill"] == "#c62828"


def test_svg_marks_late_phases_with_red_a_pattern_and_a_text(late_operation, on_time_operation) -> None:
    operations = Operation.objects.prefetch_related("phases").order_by("code")
    gantt = build_gantt(list(operations), TODAY)
    svg = render_svg(gantt, title="Planning")
    assert gantt.late_count == 1
    late_row = re.search(
        r'<g class="gantt-row gantt-row-phase gantt-row-late" data-code="W-03">(.*?)</g>', svg
    )
    assert late_row and "gantt-late-pattern" in late_row.group(1) and "⚠ Retard" in late_row.group(1)
    on_time = re.search(r'<g class="gantt-row gantt-row-phase" data-code="LPD-02">(.*?)</g>', svg)
    assert on_time and "Retard" not in on_time.group(1) and "#c62828" not in on_time.group(1)


def test_svg_has_the_codes_a_today_line_and_accessible_names(late_operation, on_time_operation) -> None:
    svg = render_svg(
        build_gantt(list(Operation.objects.prefetch_related("phases")), TODAY), title="Planning PVD"
    )
    assert 'role="img"' in svg and 'aria-label="Planning PVD"' in svg
    assert '<title id="gantt-title">Planning PVD</title>' in svg and '<desc id="gantt-desc">' in svg
    assert ">W-03</text>" in svg and ">LPD-02</text>" in svg
    today_x = f"{LABEL_WIDTH + 331 * 1100 / 424:.1f}"  # scale: 1 January 2026 to 1 March 2027 (424 days)
    assert f'<line class="gantt-today-line" x1="{today_x}" x2="{today_x}"' in svg
    assert "Aujourd'hui (28/11/2026)" in svg
    assert ">2026</text>" in svg and ">2027</text>" in svg


def test_labels_are_escaped(territory: Territory) -> None:
    operation = OperationFactory(programme=territory.programme, code="<b>X</b>", owner=territory.wassy)
    PhaseFactory(operation=operation, name="<script>alert(1)</script>")
    svg = render_svg(build_gantt(list(Operation.objects.prefetch_related("phases")), TODAY), title="P")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_a_delivered_operation_is_never_late(territory: Territory, late_operation: Operation) -> None:
    late_operation.status = OperationStatus.DELIVERED
    late_operation.save()
    assert build_gantt(list(Operation.objects.prefetch_related("phases")), TODAY).late_count == 0


def test_page_shows_the_chart_and_the_data_table(
    client_for, late_operation, on_time_operation, territory
) -> None:
    response = client_for("manager").get(reverse("operations:gantt", args=[territory.programme.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="gantt-svg" role="img"' in html
    assert "Données du planning (alternative accessible au diagramme)" in html
    assert "⚠ En retard</strong> : Appel d&#x27;offres infructueux" in html
    assert "css/gantt.css" in html


def test_filters_by_commune_and_status(client_for, late_operation, on_time_operation, territory) -> None:
    url = reverse("operations:gantt", args=[territory.programme.pk])
    html = client_for("manager").get(url, {"commune": "52331"}).content.decode()
    assert 'data-code="LPD-02"' in html and 'data-code="W-03"' not in html
    html = client_for("manager").get(url, {"status": "works"}).content.decode()
    assert 'data-code="W-03"' in html and 'data-code="LPD-02"' not in html


def test_a_mayor_sees_only_the_operations_of_their_commune(
    client_for, late_operation, on_time_operation, territory
) -> None:
    html = (
        client_for("mayor_of_wassy").get(reverse("operations:gantt", args=[territory.programme.pk])).content
    )
    assert b'data-code="W-03"' in html and b'data-code="LPD-02"' not in html


@pytest.mark.parametrize("factor", [1, 10])
def test_query_count_is_flat(client_for, territory, django_assert_num_queries, factor) -> None:
    for _ in range(3 * factor):
        operation = OperationFactory(
            programme=territory.programme, owner=territory.wassy, communes=[territory.wassy]
        )
        PhaseFactory(operation=operation, order=1)
        PhaseFactory(operation=operation, order=2)
    client = client_for("manager")
    url = reverse("operations:gantt", args=[territory.programme.pk])
    # session, user, memberships (scope), programme, its communes, operations (+ owner), their phases, their
    # communes, the menu's programmes; the session saved on every request (savepoint, update, release)
    with django_assert_num_queries(13):  # +1: the bell's unread count (issue 8)
        response = client.get(url)
    assert response.content.decode().count('class="gantt-row gantt-row-operation') == 3 * factor
