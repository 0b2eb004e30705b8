"""Server-rendered SVG line chart of an indicator: measurements over time, yearly targets and the baseline.

Same rules as `budget/charts.py`: no JavaScript library, no CDN; the <svg> has role="img", a <title> and a
<desc> stating every value in words (French formatting), each marker has its own <title>; meaning never rests
on colour alone — measurements are a solid line with filled dots, targets hollow diamonds, the baseline a dashed
line, and a legend names the three. Output is deterministic (same data → same bytes). Pages put the same values
in a table under the chart.

`compact=True` draws a small sparkline-like chart (no axis labels, no legend) for the mayor's commune page; its
<desc> still states every value.
"""

import datetime
import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from programmes.indicators.selectors import Point
from pvd.money import format_decimal

TENTH = Decimal("0.1")
MEASURE_COLOUR = "#1f4e79"
TARGET_COLOUR = "#a50021"
BASELINE_COLOUR = "#3b3838"


def _n(value: Decimal | int) -> str:
    """A coordinate, rounded to a tenth of a pixel, without a trailing zero."""
    rounded = Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)
    return f"{rounded:f}".removesuffix(".0")


def format_value(value: Decimal, unit: str = "") -> str:
    """Decimal('1234.50'), 'm²' -> '1 234,5 m²'; whole numbers without decimals; French separators."""
    text = format_decimal(value, 2)
    if "," in text:
        text = text.rstrip("0").removesuffix(",")
    return f"{text}\xa0{unit}" if unit else text


def _date(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above `value`."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        candidate = step.scaleb(exponent)
        if candidate >= value:
            return candidate
    return Decimal(10).scaleb(exponent)  # pragma: no cover


def target_day(year: int) -> datetime.date:
    """A yearly target is drawn at the end of its year: the value aimed at by 31 December."""
    return datetime.date(year, 12, 31)


def describe(*, unit: str, points: list[Point], targets: dict[int, Decimal], baseline: Point | None) -> str:
    """Every value in words, for the <desc>."""
    sentences = []
    if baseline is not None:
        sentences.append(f"État zéro au {_date(baseline.on)} : {format_value(baseline.value, unit)}.")
    if points:
        measures = " ; ".join(f"{_date(p.on)} : {format_value(p.value, unit)}" for p in points)
        label = "Mesure" if len(points) == 1 else f"{len(points)} mesures"
        sentences.append(f"{label} : {measures}.")
    else:
        sentences.append("Aucune mesure enregistrée.")
    if targets:
        aims = " ; ".join(f"{year} : {format_value(value, unit)}" for year, value in sorted(targets.items()))
        sentences.append(f"Cibles : {aims}.")
    return " ".join(sentences)


def _diamond(x: Decimal, y: Decimal, size: Decimal) -> str:
    return (
        f"M{_n(x)},{_n(y - size)} L{_n(x + size)},{_n(y)} L{_n(x)},{_n(y + size)} L{_n(x - size)},{_n(y)} Z"
    )


def line_chart(
    *,
    title: str,
    unit: str,
    points: list[Point],
    targets: dict[int, Decimal],
    baseline: Point | None,
    width: int = 760,
    height: int = 320,
    compact: bool = False,
    uid: str = "",
) -> SafeString:
    """The trend of one indicator; see the module's docstring."""
    if compact and (width, height) == (760, 320):
        width, height = 240, 90
    uid = uid or "ic-" + hashlib.sha1(f"{title}|{unit}".encode()).hexdigest()[:8]
    points = sorted(points, key=lambda p: p.on)
    desc = describe(unit=unit, points=points, targets=targets, baseline=baseline)

    if compact:
        left, right, top_margin, bottom = 6, 8, 8, 8
        legend_height = 0
    else:
        left, right, top_margin, bottom = 90, 24, 20, 36
        legend_height = 30
    plot_width = Decimal(width - left - right)
    plot_height = Decimal(height - top_margin - bottom)
    total_height = height + legend_height
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_height}" width="100%" '
            f'role="img" aria-labelledby="{uid}-title {uid}-desc" class="pvd-chart pvd-line-chart'
            f'{" pvd-line-chart-compact" if compact else ""}" font-family="sans-serif" font-size="12">'
        ),
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]

    days = [p.on for p in points] + [target_day(year) for year in targets]
    values = [p.value for p in points] + list(targets.values())
    if baseline is not None:
        days.append(baseline.on)
        values.append(baseline.value)
    if not days:
        parts.append(
            f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" fill="#333">'
            "Pas encore de mesure</text></svg>"
        )
        return mark_safe("".join(parts))

    # The value axis starts at zero (an honest scale for counts and rates) unless values are negative.
    high = _nice_ceiling(max(values)) if max(values) > 0 else Decimal(1)
    low = -_nice_ceiling(-min(values)) if min(values) < 0 else Decimal(0)
    first, last = min(days), max(days)
    span = (last - first).days

    def x_of(day: datetime.date) -> Decimal:
        if span == 0:
            return left + plot_width / 2
        return left + plot_width * (day - first).days / span

    def y_of(value: Decimal) -> Decimal:
        return top_margin + plot_height - plot_height * (value - low) / (high - low)

    base_y = top_margin + plot_height
    if not compact:
        for step in range(5):
            value = low + (high - low) * step / 4
            y = y_of(value)
            parts.append(
                f'<line x1="{left}" y1="{_n(y)}" x2="{width - right}" y2="{_n(y)}" stroke="#d0d0d0" '
                'stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end" fill="#333">'
                f"{escape(format_value(value, unit))}</text>"
            )
        years = list(
            range(first.year + (0 if first == datetime.date(first.year, 1, 1) else 1), last.year + 1)
        )
        stride = max(1, (len(years) + 9) // 10)
        for year in years[::stride]:
            x = x_of(datetime.date(year, 1, 1))
            parts.append(
                f'<line x1="{_n(x)}" y1="{_n(base_y)}" x2="{_n(x)}" y2="{_n(base_y + 5)}" stroke="#333"/>'
                f'<text x="{_n(x)}" y="{_n(base_y + 18)}" text-anchor="middle" fill="#222">{year}</text>'
            )
        if span == 0:
            parts.append(
                f'<text x="{_n(x_of(first))}" y="{_n(base_y + 18)}" text-anchor="middle" fill="#222">'
                f"{_date(first)}</text>"
            )
    parts.append(
        f'<line x1="{left}" y1="{_n(base_y)}" x2="{width - right}" y2="{_n(base_y)}" stroke="#333" '
        'stroke-width="1"/>'
    )

    if baseline is not None:
        y = y_of(baseline.value)
        parts.append(
            f'<line class="baseline" x1="{left}" y1="{_n(y)}" x2="{width - right}" y2="{_n(y)}" '
            f'stroke="{BASELINE_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4">'
            f"<title>{escape(f'État zéro au {_date(baseline.on)} : {format_value(baseline.value, unit)}')}</title>"
            "</line>"
        )

    radius = Decimal(3) if compact else Decimal(4)
    if len(points) >= 2:
        path = " ".join(f"{_n(x_of(p.on))},{_n(y_of(p.value))}" for p in points)
        parts.append(
            f'<polyline class="measurements" points="{path}" fill="none" stroke="{MEASURE_COLOUR}" '
            f'stroke-width="{2 if compact else 2.5}"/>'
        )
    for point in points:
        tip = f"Mesure du {_date(point.on)} : {format_value(point.value, unit)}"
        parts.append(
            f'<circle class="measurement" cx="{_n(x_of(point.on))}" cy="{_n(y_of(point.value))}" r="{radius}" '
            f'fill="{MEASURE_COLOUR}"><title>{escape(tip)}</title></circle>'
        )

    size = Decimal(4) if compact else Decimal(6)
    for year, value in sorted(targets.items()):
        tip = f"Cible {year} : {format_value(value, unit)}"
        parts.append(
            f'<path class="target" d="{_diamond(x_of(target_day(year)), y_of(value), size)}" fill="#fff" '
            f'stroke="{TARGET_COLOUR}" stroke-width="2"><title>{escape(tip)}</title></path>'
        )

    if not compact:
        y = Decimal(height + 12)
        x = Decimal(left)
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 24)}" y2="{_n(y)}" stroke="{MEASURE_COLOUR}" '
            f'stroke-width="2.5"/><circle cx="{_n(x + 12)}" cy="{_n(y)}" r="4" fill="{MEASURE_COLOUR}"/>'
            f'<text x="{_n(x + 30)}" y="{_n(y + 4)}" fill="#222">Mesures</text>'
        )
        x += 130
        parts.append(
            f'<path d="{_diamond(x + 8, y, Decimal(6))}" fill="#fff" stroke="{TARGET_COLOUR}" stroke-width="2"/>'
            f'<text x="{_n(x + 22)}" y="{_n(y + 4)}" fill="#222">Cible annuelle (au 31/12)</text>'
        )
        x += 210
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 24)}" y2="{_n(y)}" stroke="{BASELINE_COLOUR}" '
            f'stroke-width="1.5" stroke-dasharray="6 4"/>'
            f'<text x="{_n(x + 30)}" y="{_n(y + 4)}" fill="#222">État zéro</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
