"""The programme Gantt: a server-rendered SVG (no JavaScript) of the operations and their phases.

One row per operation (its span over all its phases) followed by one row per phase. Each row draws the
baseline (planned dates, outlined and hatched) above the forecast or actual dates (filled). A vertical line
marks today, with a text label. A late phase (`Phase.is_late_on`) is drawn in red AND with a cross-hatched
pattern AND a « Retard » text next to its bar, so that the chart reads without colour, in print too. The
page adds a data table with the same dates for screen readers.

Coordinates are computed here from dates (`GanttScale.x`): tests assert them for known dates.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from operations.models import ACTIVE_STATUSES, Operation, Phase

LABEL_WIDTH = 260  # px for the row labels (operation codes and phase names)
PLOT_WIDTH = 1100  # px for the time axis
AXIS_HEIGHT = 44  # px: years on the first line, months (or quarters) on the second
ROW_HEIGHT = 26
LEGEND_HEIGHT = 34
BASELINE_Y, BASELINE_HEIGHT = 3, 8  # outlined, hatched
FORECAST_Y, FORECAST_HEIGHT = 12, 10  # filled
MONTHS_FR = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _fmt(value: float) -> str:
    """Coordinates with one decimal: short, stable for the tests."""
    return f"{value:.1f}"


@dataclass(frozen=True)
class GanttScale:
    """Maps dates to x coordinates: the plot starts on the first day of `start`'s month."""

    start: datetime.date
    end: datetime.date  # exclusive: the first day of the month after the last date shown

    @property
    def days(self) -> int:
        return max((self.end - self.start).days, 1)

    @property
    def day_width(self) -> float:
        return PLOT_WIDTH / self.days

    def x(self, day: datetime.date) -> float:
        return LABEL_WIDTH + (day - self.start).days * self.day_width

    def width(self, start: datetime.date, end: datetime.date) -> float:
        """Width of a bar from `start` to `end` inclusive (a one-day milestone is one day wide)."""
        return ((end - start).days + 1) * self.day_width

    @classmethod
    def covering(cls, dates: Iterable[datetime.date], today: datetime.date) -> "GanttScale":
        days = [d for d in dates if d is not None] + [today]
        return cls(_month_start(min(days)), _next_month(max(days)))


@dataclass(frozen=True)
class Span:
    start: datetime.date
    end: datetime.date


def baseline_span(phase: Phase) -> Span | None:
    if phase.baseline_start and phase.baseline_end:
        return Span(phase.baseline_start, phase.baseline_end)
    return None


def forecast_span(phase: Phase) -> Span | None:
    """Actual dates where known, else forecast ones; a missing bound falls back on the baseline. None when
    the phase has neither forecast nor actual dates (only its baseline is drawn)."""
    if not any([phase.actual_start, phase.actual_end, phase.forecast_start, phase.forecast_end]):
        return None
    start = phase.actual_start or phase.forecast_start or phase.baseline_start
    end = phase.actual_end or phase.forecast_end or phase.baseline_end
    if start is None or end is None or end < start:
        return None
    return Span(start, end)


def _union(spans: Iterable[Span | None]) -> Span | None:
    present = [s for s in spans if s is not None]
    if not present:
        return None
    return Span(min(s.start for s in present), max(s.end for s in present))


@dataclass
class GanttRow:
    kind: str  # "operation" or "phase"
    label: str
    title: str  # the full label, in the row's <title> tooltip
    baseline: Span | None
    forecast: Span | None
    late: bool
    operation: Operation
    phase: Phase | None = None


@dataclass
class Gantt:
    today: datetime.date
    scale: GanttScale
    rows: list[GanttRow] = field(default_factory=list)

    @property
    def height(self) -> int:
        return AXIS_HEIGHT + ROW_HEIGHT * max(len(self.rows), 1) + LEGEND_HEIGHT

    @property
    def width(self) -> int:
        return LABEL_WIDTH + PLOT_WIDTH + 10

    @property
    def late_count(self) -> int:
        return sum(1 for row in self.rows if row.kind == "phase" and row.late)


def build_gantt(operations: Sequence[Operation], today: datetime.date) -> Gantt:
    """The rows of the chart; `operations` come with their phases prefetched (`phases`), in order."""
    rows: list[GanttRow] = []
    dates: list[datetime.date] = []
    for operation in operations:
        phases = list(operation.phases.all())
        active = operation.status in ACTIVE_STATUSES
        phase_rows = []
        for phase in phases:
            baseline, forecast = baseline_span(phase), forecast_span(phase)
            late = active and phase.is_late_on(today)
            phase_rows.append(
                GanttRow(
                    "phase",
                    phase.name,
                    f"{operation.code} — {phase.name}",
                    baseline,
                    forecast,
                    late,
                    operation,
                    phase,
                )
            )
            for span in (baseline, forecast):
                if span:
                    dates += [span.start, span.end]
        rows.append(
            GanttRow(
                "operation",
                operation.code,
                str(operation),
                _union(r.baseline for r in phase_rows),
                _union(r.forecast for r in phase_rows),
                any(r.late for r in phase_rows),
                operation,
            )
        )
        rows += phase_rows
    return Gantt(today=today, scale=GanttScale.covering(dates, today), rows=rows)


# --- SVG -------------------------------------------------------------------------------------------------


def _date_fr(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _defs() -> str:
    return (
        "<defs>"
        '<pattern id="gantt-baseline-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#5a6472" stroke-width="1.5"/>'
        "</pattern>"
        '<pattern id="gantt-late-hatch" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<path d="M0,0 L6,6 M6,0 L0,6" stroke="#ffffff" stroke-width="1.2"/></pattern>'
        "</defs>"
    )


def _axis(gantt: Gantt, plot_bottom: float) -> list[str]:
    scale, parts = gantt.scale, ['<g class="gantt-axis" aria-hidden="true">']
    month_width = scale.day_width * 30.4
    step = 1 if month_width >= 34 else 3 if month_width >= 12 else 12
    month = scale.start
    while month < scale.end:
        x = scale.x(month)
        if month.month == 1 or month == scale.start:
            parts.append(
                format_html('<text class="gantt-year" x="{}" y="16">{}</text>', _fmt(x + 3), month.year)
            )
            parts.append(
                format_html(
                    '<line class="gantt-year-line" x1="{x}" x2="{x}" y1="2" y2="{b}"/>',
                    x=_fmt(x),
                    b=_fmt(plot_bottom),
                )
            )
        elif (month.month - 1) % step == 0:
            parts.append(
                format_html(
                    '<line class="gantt-month-line" x1="{x}" x2="{x}" y1="22" y2="{b}"/>',
                    x=_fmt(x),
                    b=_fmt(plot_bottom),
                )
            )
        if step < 12 and (month.month - 1) % step == 0:
            parts.append(
                format_html(
                    '<text class="gantt-month" x="{}" y="36">{}</text>',
                    _fmt(x + 2),
                    MONTHS_FR[month.month - 1],
                )
            )
        month = _next_month(month)
    parts.append("</g>")
    return parts


def _bar(gantt: Gantt, span: Span, y: float, kind: str, late: bool) -> str:
    scale = gantt.scale
    x, width = scale.x(span.start), scale.width(span.start, span.end)
    if kind == "baseline":
        return format_html(
            '<rect class="gantt-baseline" data-start="{}" data-end="{}" x="{}" y="{}" width="{}" height="{}" '
            'fill="url(#gantt-baseline-hatch)" stroke="#3b4552" stroke-width="1"/>',
            span.start.isoformat(),
            span.end.isoformat(),
            _fmt(x),
            _fmt(y + BASELINE_Y),
            _fmt(width),
            BASELINE_HEIGHT,
        )
    css = "gantt-forecast gantt-late" if late else "gantt-forecast"
    fill = "#c62828" if late else "#1f5fa8"
    bar = format_html(
        '<rect class="{}" data-start="{}" data-end="{}" x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
        css,
        span.start.isoformat(),
        span.end.isoformat(),
        _fmt(x),
        _fmt(y + FORECAST_Y),
        _fmt(width),
        FORECAST_HEIGHT,
        fill,
    )
    if late:  # the pattern over the red bar: late reads without colour
        bar += format_html(
            '<rect class="gantt-late-pattern" x="{}" y="{}" width="{}" height="{}" fill="url(#gantt-late-hatch)"/>',
            _fmt(x),
            _fmt(y + FORECAST_Y),
            _fmt(width),
            FORECAST_HEIGHT,
        )
    return bar


def _row(gantt: Gantt, row: GanttRow, index: int) -> str:
    y = AXIS_HEIGHT + index * ROW_HEIGHT
    css = f"gantt-row gantt-row-{row.kind}" + (" gantt-row-late" if row.late else "")
    parts = [format_html('<g class="{}" data-code="{}">', css, row.operation.code)]
    parts.append(format_html("<title>{}</title>", row.title + (" (en retard)" if row.late else "")))
    if index % 2 == 0:
        parts.append(
            format_html(
                '<rect class="gantt-stripe" x="0" y="{}" width="{}" height="{}" fill="#f3f5f8"/>',
                y,
                gantt.width,
                ROW_HEIGHT,
            )
        )
    label = row.label if len(row.label) <= 38 else row.label[:37] + "…"
    if row.kind == "operation":
        parts.append(
            format_html('<text class="gantt-label gantt-code" x="6" y="{}">{}</text>', y + 17, label)
        )
    else:
        parts.append(format_html('<text class="gantt-label" x="18" y="{}">{}</text>', y + 17, label))
    if row.baseline:
        parts.append(_bar(gantt, row.baseline, y, "baseline", False))
    if row.forecast:
        parts.append(_bar(gantt, row.forecast, y, "forecast", row.late))
    if row.late:
        ends = [s.end for s in (row.baseline, row.forecast) if s]
        x = gantt.scale.x(max(ends)) + gantt.scale.day_width + 4 if ends else LABEL_WIDTH + 4
        parts.append(
            format_html('<text class="gantt-late-text" x="{}" y="{}">⚠ Retard</text>', _fmt(x), y + 21)
        )
    parts.append("</g>")
    return "".join(parts)


def _today(gantt: Gantt, plot_bottom: float) -> str:
    x = gantt.scale.x(gantt.today)
    anchor = "end" if x > LABEL_WIDTH + PLOT_WIDTH - 120 else "start"
    label_x = x - 4 if anchor == "end" else x + 4
    return format_html(
        '<g class="gantt-today"><line class="gantt-today-line" x1="{x}" x2="{x}" y1="22" y2="{b}" '
        'stroke="#b35c00" stroke-width="2" stroke-dasharray="5 3"/>'
        '<text class="gantt-today-label" x="{lx}" y="{ty}" text-anchor="{a}">Aujourd\'hui ({d})</text></g>',
        x=_fmt(x),
        b=_fmt(plot_bottom),
        lx=_fmt(label_x),
        ty=_fmt(plot_bottom + 13),
        a=anchor,
        d=_date_fr(gantt.today),
    )


def _legend(gantt: Gantt, top: float) -> str:
    y = top + 18
    return format_html(
        '<g class="gantt-legend" transform="translate(6,{})">'
        '<rect x="0" y="0" width="28" height="8" fill="url(#gantt-baseline-hatch)" stroke="#3b4552"/>'
        '<text x="34" y="8">Prévu (référence)</text>'
        '<rect x="170" y="-1" width="28" height="10" fill="#1f5fa8"/><text x="204" y="8">Prévisionnel ou réel</text>'
        '<rect x="360" y="-1" width="28" height="10" fill="#c62828"/>'
        '<rect x="360" y="-1" width="28" height="10" fill="url(#gantt-late-hatch)"/>'
        '<text x="394" y="8">⚠ En retard sur la référence</text>'
        '<line x1="590" x2="590" y1="-4" y2="12" stroke="#b35c00" stroke-width="2" stroke-dasharray="5 3"/>'
        '<text x="598" y="8">Aujourd\'hui</text></g>',
        _fmt(y),
    )


def render_svg(gantt: Gantt, *, title: str) -> SafeString:
    """The chart as inline SVG markup (role="img", <title>, <desc>); texts are escaped."""
    plot_bottom = AXIS_HEIGHT + ROW_HEIGHT * max(len(gantt.rows), 1)
    operations = sum(1 for r in gantt.rows if r.kind == "operation")
    desc = (
        f"{operations} opération{'s' if operations > 1 else ''}, du {_date_fr(gantt.scale.start)} "
        f"au {_date_fr(gantt.scale.end - datetime.timedelta(days=1))} ; "
        f"{gantt.late_count} phase{'s' if gantt.late_count > 1 else ''} en retard sur la référence. "
        "Le tableau qui suit le diagramme donne les mêmes dates."
    )
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="gantt-svg" role="img" aria-labelledby="gantt-title '
            'gantt-desc" aria-label="{}" viewBox="0 0 {} {}" width="{}" height="{}" '
            'font-family="system-ui, sans-serif" font-size="12">',
            title,
            gantt.width,
            gantt.height,
            gantt.width,
            gantt.height,
        ),
        format_html('<title id="gantt-title">{}</title><desc id="gantt-desc">{}</desc>', title, desc),
        _defs(),
        *_axis(gantt, plot_bottom),
        *[_row(gantt, row, index) for index, row in enumerate(gantt.rows)],
        _today(gantt, plot_bottom),
        _legend(gantt, plot_bottom + 14),
        "</svg>",
    ]
    if not gantt.rows:
        parts.insert(
            -1,
            format_html(
                '<text x="{}" y="{}">{}</text>', LABEL_WIDTH, AXIS_HEIGHT + 17, escape("Aucune opération.")
            ),
        )
    return mark_safe("".join(str(p) for p in parts))
