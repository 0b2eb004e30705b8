"""Server-rendered SVG charts of the programme budget: no JavaScript library, no CDN.

Accessible by construction: the <svg> has role="img", a <title> and a <desc> that states every figure in
words, each bar has its own <title> (tooltip and screen readers), series are told apart by a pattern and the
legend's label as well as by colour, and pages put the same figures in a table next to the chart.
Output is deterministic (same data → same bytes): coordinates are Decimal, rounded to a tenth of a pixel.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from pvd.money import ZERO, format_decimal, format_euros

WIDTH = 760
HEIGHT = 340
LEFT = 110  # room for the amounts of the axis
RIGHT = 20
TOP = 20
BOTTOM = 40  # room for the years
LEGEND_ROW = 22
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
TENTH = Decimal("0.1")

# (colour, pattern drawn over it): meaning never rests on colour alone.
STYLES = [
    ("#1f4e79", ""),
    ("#c55a11", "stripes"),
    ("#548235", "dots"),
    ("#7030a0", "cross"),
    ("#bf9000", "horizontal"),
    ("#2e75b6", "vertical"),
    ("#a50021", "stripes-back"),
    ("#3b3838", "dots"),
    ("#00806b", "stripes"),
    ("#806000", "cross"),
    ("#5b9bd5", "horizontal"),
    ("#d16ba5", "vertical"),
]

PATTERN_SHAPES = {
    "stripes": '<path d="M0,8 L8,0" stroke="#fff" stroke-width="2"/>',
    "stripes-back": '<path d="M0,0 L8,8" stroke="#fff" stroke-width="2"/>',
    "dots": '<circle cx="4" cy="4" r="1.6" fill="#fff"/>',
    "cross": '<path d="M0,0 L8,8 M0,8 L8,0" stroke="#fff" stroke-width="1.2"/>',
    "horizontal": '<path d="M0,4 L8,4" stroke="#fff" stroke-width="2"/>',
    "vertical": '<path d="M4,0 L4,8" stroke="#fff" stroke-width="2"/>',
}


@dataclass(frozen=True)
class Series:
    """One series of a chart: its label and one Decimal per category (year)."""

    label: str
    values: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.values, ZERO)


def _n(value: Decimal | int) -> str:
    """A coordinate, rounded to a tenth of a pixel, without a trailing zero."""
    rounded = Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    return text.removesuffix(".0")


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above `value` (the top of the axis)."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        candidate = step.scaleb(exponent)
        if candidate >= value:
            return candidate
    return Decimal(10).scaleb(exponent)  # pragma: no cover


def _axis_label(value: Decimal) -> str:
    return f"{format_decimal(value, 0)}\xa0€"


def _defs(uid: str, count: int) -> list[str]:
    parts = ["<defs>"]
    for index in range(count):
        colour, shape = STYLES[index % len(STYLES)]
        parts.append(
            f'<pattern id="{uid}-s{index}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{PATTERN_SHAPES.get(shape, "")}</pattern>'
        )
    parts.append("</defs>")
    return parts


def _frame(uid: str, title: str, desc: str, top: Decimal, count: int, legend_rows: int) -> list[str]:
    height = HEIGHT + legend_rows * LEGEND_ROW + 10
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
            f'aria-labelledby="{uid}-title {uid}-desc" class="pvd-chart" font-family="sans-serif" font-size="12">'
        ),
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
        *_defs(uid, count),
    ]
    for step in range(5):
        value = top * step / 4
        y = TOP + PLOT_HEIGHT - Decimal(PLOT_HEIGHT) * step / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{_n(y)}" x2="{WIDTH - RIGHT}" y2="{_n(y)}" stroke="#d0d0d0" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{_n(y + 4)}" text-anchor="end" fill="#333">{escape(_axis_label(value))}</text>'
        )
    return parts


def _legend(uid: str, series: list[Series]) -> list[str]:
    parts = []
    per_row = 3
    for index, item in enumerate(series):
        row, column = divmod(index, per_row)
        x = LEFT + column * (WIDTH - LEFT - RIGHT) // per_row
        y = HEIGHT + row * LEGEND_ROW
        parts.append(
            f'<rect x="{x}" y="{y}" width="14" height="14" fill="url(#{uid}-s{index})" stroke="#333" stroke-width="0.5"/>'
            f'<text x="{x + 20}" y="{y + 11}" fill="#222">{escape(item.label)}</text>'
        )
    return parts


def _years_text(years: list[int], band: Decimal) -> list[str]:
    return [
        f'<text x="{_n(LEFT + band * i + band / 2)}" y="{TOP + PLOT_HEIGHT + 18}" text-anchor="middle" '
        f'fill="#222">{year}</text>'
        for i, year in enumerate(years)
    ]


def _bar(uid: str, index: int, x: Decimal, y: Decimal, width: Decimal, height: Decimal, tip: str) -> str:
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" fill="url(#{uid}-s{index})" '
        f'stroke="#fff" stroke-width="0.5"><title>{escape(tip)}</title></rect>'
    )


def describe(years: list[int], series: list[Series]) -> str:
    """Every figure in words, for the <desc>: "2026 : DETR 100 000,00 € ; Région 50 000,00 €. 2027 : …"."""
    sentences = []
    for i, year in enumerate(years):
        figures = " ; ".join(f"{s.label} {format_euros(s.values[i])}" for s in series)
        sentences.append(f"{year} : {figures}.")
    return " ".join(sentences)


def stacked_bars(
    *, uid: str, title: str, years: list[int], series: list[Series], intro: str = ""
) -> SafeString:
    """One bar per year, stacked by series (e.g. the expected funding by funding category)."""
    if not years or not series:
        return mark_safe("")
    totals = [sum((s.values[i] for s in series), ZERO) for i in range(len(years))]
    top = _nice_ceiling(max(totals))
    band = Decimal(WIDTH - LEFT - RIGHT) / len(years)
    bar_width = min(band * Decimal("0.6"), Decimal(80))
    legend_rows = (len(series) + 2) // 3
    desc = f"{intro} {describe(years, series)}".strip()
    parts = _frame(uid, title, desc, top, len(series), legend_rows)
    for i, year in enumerate(years):
        x = LEFT + band * i + (band - bar_width) / 2
        base = Decimal(TOP + PLOT_HEIGHT)
        for index, item in enumerate(series):
            value = item.values[i]
            if value <= 0:
                continue
            height = Decimal(PLOT_HEIGHT) * value / top
            base -= height
            parts.append(
                _bar(uid, index, x, base, bar_width, height, f"{year} — {item.label} : {format_euros(value)}")
            )
        parts.append(
            f'<text x="{_n(x + bar_width / 2)}" y="{_n(base - 4)}" text-anchor="middle" fill="#222" font-size="11">'
            f"{escape(format_euros(totals[i]))}</text>"
        )
    parts += _years_text(years, band)
    parts += _legend(uid, series)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def grouped_bars(
    *, uid: str, title: str, years: list[int], series: list[Series], intro: str = ""
) -> SafeString:
    """Side-by-side bars per year, one per series (e.g. planned in the PPI vs CP voted vs paid)."""
    if not years or not series:
        return mark_safe("")
    top = _nice_ceiling(max(max(s.values) for s in series))
    band = Decimal(WIDTH - LEFT - RIGHT) / len(years)
    group_width = band * Decimal("0.8")
    bar_width = group_width / len(series)
    legend_rows = (len(series) + 2) // 3
    desc = f"{intro} {describe(years, series)}".strip()
    parts = _frame(uid, title, desc, top, len(series), legend_rows)
    for i, year in enumerate(years):
        start = LEFT + band * i + (band - group_width) / 2
        for index, item in enumerate(series):
            value = item.values[i]
            if value <= 0:
                continue
            height = Decimal(PLOT_HEIGHT) * value / top
            parts.append(
                _bar(
                    uid,
                    index,
                    start + bar_width * index,
                    TOP + PLOT_HEIGHT - height,
                    bar_width,
                    height,
                    f"{year} — {item.label} : {format_euros(value)}",
                )
            )
    parts += _years_text(years, band)
    parts += _legend(uid, series)
    parts.append("</svg>")
    return mark_safe("".join(parts))
