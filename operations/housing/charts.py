"""Server-side SVG charts of a housing programme's results: per year, the convention's target against the files
approved. Readable without colour: the target bar is hatched, the achieved bar solid, each bar carries its value
as text, and a legend names both. The SVG has role="img", a <title> and a <desc>; the page follows each chart
with its data table. A masked cell (« < 5 ») draws no bar and is written « < 5 ».
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from operations.housing.selectors.results import CategoryResults

WIDTH = 560
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 30, 40


def target_vs_achieved_svg(row: CategoryResults, chart_id: str) -> SafeString:
    """Grouped bars per year: hatched target, solid approved."""
    years = row.years
    values = [(y.target or 0, 0 if y.approved.masked else (y.approved.shown or 0)) for y in years]
    top = max([max(t, a) for t, a in values] + [1])
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(years), 1)
    bar = min(28.0, slot / 3)
    parts: list[str] = []
    title = f"{row.label} : objectif et dossiers agréés par année ({row.unit})"
    desc = " ; ".join(
        f"{y.year} : objectif {y.target if y.target is not None else 'aucun'}, agréés {y.approved.label}"
        for y in years
    )
    parts.append(
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" '
            'aria-labelledby="{}-title {}-desc" class="pvd-chart">',
            WIDTH,
            HEIGHT,
            chart_id,
            chart_id,
        )
    )
    parts.append(format_html('<title id="{}-title">{}</title>', chart_id, title))
    parts.append(format_html('<desc id="{}-desc">{}</desc>', chart_id, desc))
    parts.append(
        format_html(
            '<defs><pattern id="{}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#1f3b73" stroke-width="3"/></pattern></defs>',
            chart_id,
        )
    )
    base_y = TOP + plot_h
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333" stroke-width="1"/>',
            LEFT,
            base_y,
            WIDTH - RIGHT,
            base_y,
        )
    )
    for index, (year, (target, achieved)) in enumerate(zip(years, values, strict=True)):
        x0 = LEFT + index * slot + (slot - 2 * bar) / 2
        for offset, value, text, style in (
            (
                0,
                target,
                str(year.target) if year.target is not None else "—",
                f'fill="url(#{chart_id}-hatch)"',
            ),
            (bar, achieved, year.approved.label, 'fill="#1f3b73"'),
        ):
            height = plot_h * value / top
            x = x0 + offset
            if height:
                parts.append(
                    f'<rect x="{x:.1f}" y="{base_y - height:.1f}" width="{bar - 2:.1f}" height="{height:.1f}" '
                    f'{style} stroke="#1f3b73" stroke-width="1"/>'
                )
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                    f"{x + (bar - 2) / 2:.1f}",
                    f"{base_y - height - 4:.1f}",
                    text,
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>',
                f"{x0 + bar:.1f}",
                base_y + 16,
                year.year,
            )
        )
    legend_y = HEIGHT - 8
    parts.append(
        format_html(
            '<rect x="{}" y="{}" width="14" height="10" fill="url(#{}-hatch)" stroke="#1f3b73"/>'
            '<text x="{}" y="{}" font-size="11">Objectif de la convention</text>'
            '<rect x="{}" y="{}" width="14" height="10" fill="#1f3b73" stroke="#1f3b73"/>'
            '<text x="{}" y="{}" font-size="11">Dossiers agréés</text>',
            LEFT,
            legend_y - 9,
            chart_id,
            LEFT + 20,
            legend_y,
            LEFT + 200,
            legend_y - 9,
            LEFT + 220,
            legend_y,
        )
    )
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))
