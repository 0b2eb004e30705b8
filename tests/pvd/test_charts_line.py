"""The indicator trend chart: accessible (role, title, desc with every value in French words, a title per marker),
shapes that do not rest on colour (line + dots, hollow diamonds for targets, dashed baseline, legend),
deterministic, and sane with 0, 1 or many points and with equal values."""

import datetime
import re
from decimal import Decimal

from programmes.indicators.selectors import Point
from pvd.charts import format_value, line_chart

D = Decimal
POINTS = [
    Point(datetime.date(2022, 1, 1), D("11.5")),
    Point(datetime.date(2023, 1, 1), D("10.2")),
    Point(datetime.date(2024, 1, 1), D("9.8")),
]
BASELINE = Point(datetime.date(2021, 1, 1), D("12.00"))
TARGETS = {2026: D("8"), 2027: D("7.5")}


def chart(**kwargs) -> str:
    options = {
        "title": "Taux de vacance commerciale",
        "unit": "%",
        "points": POINTS,
        "targets": TARGETS,
        "baseline": BASELINE,
    }
    options.update(kwargs)
    return str(line_chart(**options))


def test_the_chart_states_every_value_in_french_words() -> None:
    svg = chart()
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert ">Taux de vacance commerciale</title>" in svg
    desc = re.search(r"<desc[^>]*>(.*)</desc>", svg).group(1)
    assert desc == (
        "État zéro au 01/01/2021 : 12\xa0%. 3 mesures : 01/01/2022 : 11,5\xa0% ; 01/01/2023 : 10,2\xa0% ; "
        "01/01/2024 : 9,8\xa0%. Cibles : 2026 : 8\xa0% ; 2027 : 7,5\xa0%."
    )


def test_each_marker_has_its_own_title_and_targets_are_hollow_diamonds() -> None:
    svg = chart()
    assert svg.count('class="measurement"') == 3
    assert "<title>Mesure du 01/01/2023 : 10,2\xa0%</title>" in svg
    assert svg.count('class="target"') == 2
    assert '<path class="target" d="M' in svg and 'fill="#fff"' in svg
    assert "<title>Cible 2027 : 7,5\xa0%</title>" in svg
    assert 'class="baseline"' in svg and 'stroke-dasharray="6 4"' in svg
    assert (
        ">Mesures</text>" in svg and ">Cible annuelle (au 31/12)</text>" in svg and ">État zéro</text>" in svg
    )
    assert "<polyline" in svg


def test_the_chart_is_deterministic_and_escapes_text() -> None:
    assert chart() == chart()
    svg = chart(title="<script>", unit="m² & co")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "m² &amp; co" in svg


def test_no_data_at_all_says_so() -> None:
    svg = chart(points=[], targets={}, baseline=None)
    assert "Pas encore de mesure" in svg and "Aucune mesure enregistrée." in svg
    assert "<circle" not in svg


def test_targets_alone_are_drawn_without_a_line() -> None:
    svg = chart(points=[])
    assert "Aucune mesure enregistrée." in svg and svg.count('class="target"') == 2 and "<polyline" not in svg


def test_one_point_is_a_single_marker_in_the_middle() -> None:
    svg = chart(points=[POINTS[0]], targets={}, baseline=None)
    assert "<polyline" not in svg and svg.count('class="measurement"') == 1
    assert "Mesure : 01/01/2022 : 11,5\xa0%." in svg
    assert 'cx="413"' in svg  # 90 + (760 - 90 - 24) / 2


def test_equal_values_draw_a_flat_line_inside_the_plot() -> None:
    flat = [Point(datetime.date(2022, 1, 1), D("5")), Point(datetime.date(2023, 1, 1), D("5"))]
    svg = chart(points=flat, targets={}, baseline=None)
    ys = re.findall(r'class="measurement" cx="[\d.]+" cy="([\d.]+)"', svg)
    # axis 0 → 5 over a 264 px plot starting at y = 20: 5 sits at the top
    assert ys == ["20", "20"]


def test_all_zero_values_do_not_divide_by_zero() -> None:
    zeros = [Point(datetime.date(2022, 1, 1), D("0")), Point(datetime.date(2023, 1, 1), D("0"))]
    svg = chart(points=zeros, targets={}, baseline=None)
    assert svg.count('cy="284"') == 2  # both on the zero line (20 + 264)


def test_compact_variant_has_no_axis_labels_nor_legend_but_states_the_values() -> None:
    svg = chart(compact=True)
    assert 'viewBox="0 0 240 90"' in svg and "pvd-line-chart-compact" in svg
    assert ">Mesures</text>" not in svg and ">2023</text>" not in svg
    assert "01/01/2024 : 9,8\xa0%" in svg


def test_values_are_formatted_the_french_way() -> None:
    assert format_value(D("1234.50"), "m²") == "1\xa0234,5\xa0m²"
    assert format_value(D("3000.00"), "habitants") == "3\xa0000\xa0habitants"
    assert format_value(D("-2.25")) == "-2,25"
