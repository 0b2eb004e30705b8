"""The programme dashboard (issue 10): composed from each app's selectors, every figure with the URL of the
filtered list behind it.

It reads the apps only through their selectors (docs/decisions/0002-cross-app-pages.md) and costs a fixed
number of queries whatever the data size (tests/pvd/test_programme_dashboard.py asserts it at 1× and 10×):
- the action plan by group of statuses, by axis, theme and commune, and its late operations (4);
- money: plan totals, plan by funder, the subsidy pipeline, budget execution by year, AP/CP (9);
- procurement: consultations and contracts by status, their open deadlines (6);
- OPAH / PIG targets against achievements (3); the programme-wide indicators (3);
- governance (issue 8), for the programme's managers and referents only: active alerts by level (1), the
  arbitrations awaiting a decision (1).

Links use the real query parameters of each list (`operations/filters.py`: `statut`, `axe`, `theme`,
`commune`, `en_retard`; the subsidy pipeline: `statut`, `financeur`, `echeance`; procurement: `statut`). Where a
list has no filter for a figure (a group of two statuses, operations without an axis, contracts), the link
goes to the list without a filter rather than to an invented parameter.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from budget.charts import PATTERN_SHAPES, STYLES, grouped_bars
from budget.selectors.dashboard import ProgrammeMoney, programme_money
from operations.housing.selectors.dashboard import HousingTargets, housing_targets
from operations.procurement.selectors.dashboard import ProcurementSummary, procurement_summary
from operations.selectors.dashboard import (
    GROUPS,
    STATUS_LABELS,
    ActionPlanProgress,
    ProgressRow,
    action_plan_progress,
)
from programmes.indicators.selectors import IndicatorSummary, indicator_summaries
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.charts import format_value
from pvd.deadlines import OVERDUE, WARNING, add_months
from pvd.governance.models import Arbitration
from pvd.governance.selectors.hooks import ActiveAlerts, active_alerts, arbitrations_awaiting

DEADLINE_MONTHS = 6


def url(name: str, pk: int, **params: object) -> str:
    """The URL of a list, with its filters (None values left out)."""
    base = reverse(name, args=[pk])
    query = urlencode({key: value for key, value in params.items() if value is not None})
    return f"{base}?{query}" if query else base


def dashboard_programme(user: User, pk: int) -> Programme:
    """The programme whose dashboard is read: 404 out of scope (mayors, operators, others), 403 in scope without
    the right."""
    programme = policy.get_for_user(Programme.objects.select_related("epci"), user, pk=pk)
    policy.require(policy.can_read_dashboard(user, programme))
    return programme


# --- 1. Action plan ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number and the list that shows it (`label`: what it counts, for screen readers)."""

    value: int
    url: str
    label: str = ""


@dataclass
class StatusLink:
    label: str
    value: int
    url: str


@dataclass
class GroupFigure:
    key: str
    label: str
    value: int
    url: str
    statuses: list[StatusLink] = field(default_factory=list)  # the detail when the group has several statuses


@dataclass
class TableRow:
    label: str
    url: str  # the list filtered on the row (or unfiltered when the list cannot filter on it)
    cells: list[Figure]
    late: Figure
    total: Figure


@dataclass
class ProgressTable:
    dimension: str  # the filter's parameter: axe, theme, commune
    title: str
    caption: str
    rows: list[TableRow]
    totals: TableRow
    note: str = ""


def _status_param(group_key: str) -> str | None:
    """The `statut` filter of a group, when the group is a single status (the filter takes one value)."""
    statuses = next(g.statuses for g in GROUPS if g.key == group_key)
    return statuses[0] if len(statuses) == 1 else None


def _table_row(pk: int, row: ProgressRow, param: str | None, label: str | None = None) -> TableRow:
    key = row.key if param else None
    filters = {param: key} if param and key is not None else {}
    list_url = "operations:list"
    counts = row.counts
    return TableRow(
        label=label or row.label,
        url=url(list_url, pk, **filters),
        cells=[
            Figure(
                counts[g.key],
                url(list_url, pk, **filters, statut=_status_param(g.key)),
                f"{g.label.lower()}, {label or row.label}",
            )
            for g in GROUPS
        ],
        late=Figure(
            row.late, url(list_url, pk, **filters, en_retard="oui"), f"en retard, {label or row.label}"
        ),
        total=Figure(row.total, url(list_url, pk, **filters), f"au total, {label or row.label}"),
    )


def _table(pk: int, progress: ActionPlanProgress, dimension: str) -> ProgressTable:
    rows, title, caption, note = {
        "axe": (
            progress.by_axis,
            "Par axe du projet",
            "Opérations par axe du projet et par état d'avancement",
            "",
        ),
        "theme": (
            progress.by_theme,
            "Par thème",
            "Opérations par thème et par état d'avancement",
            "Une opération peut relever de plusieurs thèmes : la somme des lignes peut dépasser le total.",
        ),
        "commune": (
            progress.by_commune,
            "Par commune",
            "Opérations par commune et par état d'avancement",
            "Une opération peut concerner plusieurs communes : la somme des lignes peut dépasser le total.",
        ),
    }[dimension]
    return ProgressTable(
        dimension=dimension,
        title=title,
        caption=caption,
        rows=[_table_row(pk, row, dimension) for row in rows],
        totals=_table_row(pk, progress.totals, None, "Total (opérations distinctes)"),
        note=note,
    )


@dataclass
class ActionPlanSection:
    progress: ActionPlanProgress
    list_url: str
    groups: list[GroupFigure]
    delivered: Figure
    total: Figure
    late: Figure
    tables: list[ProgressTable]
    chart: SafeString


def _groups(pk: int, totals: ProgressRow) -> list[GroupFigure]:
    groups = []
    for group in GROUPS:
        figure = GroupFigure(
            group.key,
            group.label,
            totals.count(group.key),
            url("operations:list", pk, statut=_status_param(group.key)),
        )
        if len(group.statuses) > 1:
            figure.statuses = [
                StatusLink(STATUS_LABELS[s], totals.by_status.get(s, 0), url("operations:list", pk, statut=s))
                for s in group.statuses
            ]
        groups.append(figure)
    return groups


def action_plan_section(user: User, programme: Programme, day: datetime.date) -> ActionPlanSection:
    progress = action_plan_progress(user, programme, day=day)
    pk = programme.pk
    list_url = url("operations:list", pk)
    return ActionPlanSection(
        progress=progress,
        list_url=list_url,
        groups=_groups(pk, progress.totals),
        delivered=Figure(progress.delivered, list_url),  # livrées + soldées: the list filters one status
        total=Figure(progress.total, list_url),
        late=Figure(progress.totals.late, url("operations:list", pk, en_retard="oui")),
        tables=[_table(pk, progress, dimension) for dimension in ("axe", "theme", "commune")],
        chart=progress_chart(progress),
    )


# --- The stacked horizontal bar chart ---------------------------------------------------------------------

CHART_WIDTH = 760
LABEL_WIDTH = 230
BAR_HEIGHT = 24
ROW_GAP = 12
TOP = 10
LEGEND_ROW = 22
TENTH = Decimal("0.1")


def _n(value: Decimal | int) -> str:
    text = f"{Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP):f}"
    return text.removesuffix(".0")


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def progress_chart(progress: ActionPlanProgress) -> SafeString:
    """One horizontal bar per axis (and one for the whole plan), each split by group of statuses as a share of
    the row's operations. Each group has its own pattern and the legend names it; each segment states its count
    (in its <title>, and written on it when it is wide enough): nothing rests on colour alone."""
    rows = [progress.totals, *progress.by_axis]
    if not progress.total:
        return mark_safe("")
    plot = Decimal(CHART_WIDTH - LABEL_WIDTH - 20)
    legend_top = TOP + len(rows) * (BAR_HEIGHT + ROW_GAP) + 6
    height = legend_top + 2 * LEGEND_ROW + 6
    desc = " ".join(
        f"{row.label} : {row.total} opérations, dont "
        + ", ".join(f"{g.label.lower()} {row.count(g.key)}" for g in GROUPS)
        + "."
        for row in rows
    )
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {height}" width="100%" '
            'role="img" aria-labelledby="avancement-title avancement-desc" class="pvd-chart" '
            'font-family="sans-serif" font-size="12">'
        ),
        '<title id="avancement-title">Avancement du plan d\'actions par axe (part des opérations)</title>',
        f'<desc id="avancement-desc">{escape(desc)}</desc>',
        "<defs>",
    ]
    for index in range(len(GROUPS)):
        colour, shape = STYLES[index % len(STYLES)]
        parts.append(
            f'<pattern id="avancement-s{index}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{PATTERN_SHAPES.get(shape, "")}</pattern>'
        )
    parts.append("</defs>")
    for line, row in enumerate(rows):
        y = TOP + line * (BAR_HEIGHT + ROW_GAP)
        weight = ' font-weight="bold"' if line == 0 else ""
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" fill="#222"{weight}>'
            f"{escape(_short(row.label))} ({row.total})</text>"
        )
        x = Decimal(LABEL_WIDTH)
        for index, group in enumerate(GROUPS):
            count = row.count(group.key)
            if not count or not row.total:
                continue
            width = plot * count / row.total
            parts.append(
                f'<rect x="{_n(x)}" y="{y}" width="{_n(width)}" height="{BAR_HEIGHT}" '
                f'fill="url(#avancement-s{index})" stroke="#fff" stroke-width="1">'
                f"<title>{escape(row.label)} — {escape(group.label)} : {count}</title></rect>"
            )
            if width >= 22:
                parts.append(
                    f'<text x="{_n(x + width / 2)}" y="{y + 16}" text-anchor="middle" fill="#000" '
                    f'stroke="#fff" stroke-width="3" paint-order="stroke" font-weight="bold">{count}</text>'
                )
            x += width
    per_row = 3
    for index, group in enumerate(GROUPS):
        line, column = divmod(index, per_row)
        x = LABEL_WIDTH + column * int(plot) // per_row
        y = legend_top + line * LEGEND_ROW
        parts.append(
            f'<rect x="{x}" y="{y}" width="14" height="14" fill="url(#avancement-s{index})" stroke="#333" '
            f'stroke-width="0.5"/><text x="{x + 20}" y="{y + 11}" fill="#222">{escape(group.label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


# --- 3. Subsidy deadlines and 7. points of attention ------------------------------------------------------


@dataclass(frozen=True)
class Attention:
    """A point of attention: what, about which object, when, where it stands, and the page to open."""

    subject: str
    label: str
    due_on: datetime.date | None
    status: str
    status_label: str
    badge: str
    url: str


URGENT = (OVERDUE, WARNING)


def _subsidy_deadlines(money: ProgrammeMoney, day: datetime.date) -> list[Attention]:
    """The open deadlines of the programme's requests due within six months, overdue ones first."""
    limit = add_months(day, DEADLINE_MONTHS)
    titles = {r.pk: r.title for r in money.pipeline.requests}
    return [
        Attention(
            f"Subvention « {titles.get(d.request_id, d.request_title)} »",
            d.label,
            d.due_on,
            d.status,
            d.status_label,
            d.badge,
            reverse("budget:subsidy_detail", args=[d.request_id]),
        )
        for d in money.pipeline.deadlines
        if d.due_on <= limit and d.request_id is not None
    ]


def _procurement_attention(procurement: ProcurementSummary) -> list[Attention]:
    items = [
        Attention(
            f"Consultation « {i.consultation_title} »",
            i.label,
            i.due_on,
            i.status,
            i.status_label,
            i.badge,
            reverse("operations:consultation_detail", args=[i.consultation_id]),
        )
        for i in procurement.consultation_deadlines
        if i.status in URGENT and i.consultation_id is not None
    ]
    items += [
        Attention(
            d.contract_label,
            d.label,
            d.due_on,
            d.status,
            d.status_label,
            d.badge,
            reverse("operations:contract_detail", args=[d.contract_id]),
        )
        for d in procurement.contract_deadlines
        if d.status in URGENT and d.contract_id is not None
    ]
    return items


def _by_urgency(items: list[Attention]) -> list[Attention]:
    far = datetime.date.max
    return sorted(items, key=lambda a: (URGENT.index(a.status), a.due_on or far, a.subject))


# --- 6. Indicators --------------------------------------------------------------------------------------


@dataclass
class IndicatorLine:
    summary: IndicatorSummary
    latest_label: str
    target_label: str
    url: str


def _value_label(value: Decimal | None, unit: str) -> str:
    return "—" if value is None else format_value(value, unit)


def indicator_lines(summaries: list[IndicatorSummary]) -> list[IndicatorLine]:
    return [
        IndicatorLine(
            summary=s,
            latest_label=_value_label(s.latest.value if s.latest else None, s.indicator.unit),
            target_label=_value_label(s.target, s.indicator.unit),
            url=reverse("programmes:indicator", args=[s.indicator.pk]),
        )
        for s in summaries
    ]


# --- Governance (issue 8) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertFigure:
    label: str
    count: int
    url: str


@dataclass
class GovernanceSection:
    """Active alerts by level (each linked to the filtered alerts list) and the arbitrations awaiting a decision;
    `None` for what the reader may not read (partners read neither)."""

    alerts: list[AlertFigure] | None
    alerts_total: Figure | None
    awaiting: list[Arbitration] | None


def governance_section(user: User, programme: Programme) -> GovernanceSection | None:
    readable_alerts = policy.can_read_alerts(user, programme)
    readable_arbitrations = policy.can_read_arbitrations(user, programme)
    if not (readable_alerts or readable_arbitrations):
        return None
    alerts, total = None, None
    if readable_alerts:
        counts: ActiveAlerts = active_alerts(programme)
        base = reverse("governance:alerts")
        alerts = [
            AlertFigure(
                line.label,
                line.count,
                f"{base}?{urlencode({'programme': programme.pk, 'statut': 'active', 'niveau': line.level})}",
            )
            for line in counts.by_level
        ]
        total = Figure(
            counts.total,
            f"{base}?{urlencode({'programme': programme.pk, 'statut': 'active'})}",
            "alertes actives",
        )
    awaiting = arbitrations_awaiting(user, programme) if readable_arbitrations else None
    return GovernanceSection(alerts=alerts, alerts_total=total, awaiting=awaiting)


# --- The page ------------------------------------------------------------------------------------------------


@dataclass
class ProgrammeDashboard:
    programme: Programme
    day: datetime.date
    action_plan: ActionPlanSection
    money: ProgrammeMoney
    subsidy_deadlines: list[Attention]
    subsidy_deadlines_url: str
    procurement: ProcurementSummary
    housing: list[HousingTargets]
    indicators: list[IndicatorLine]
    attention: list[Attention]
    execution_chart: SafeString
    governance: GovernanceSection | None = None

    @property
    def deadline_limit(self) -> datetime.date:
        return add_months(self.day, DEADLINE_MONTHS)


def programme_indicators(user: User, programme: Programme) -> QuerySet:
    """The programme-wide indicators (no commune) still followed, in the user's scope."""
    return policy.visible_to(
        programme.indicators.filter(commune__isnull=True, archived=False), user
    ).order_by("name", "pk")


def programme_dashboard(user: User, programme: Programme, *, day: datetime.date) -> ProgrammeDashboard:
    """Everything the dashboard shows on `day`, for a reader of the programme's dashboard."""
    money = programme_money(user, programme, day=day)
    procurement = procurement_summary(user, programme, day=day)
    subsidy_deadlines = _subsidy_deadlines(money, day)
    within = (add_months(day, DEADLINE_MONTHS) - day).days
    attention = _by_urgency(
        [a for a in subsidy_deadlines if a.status in URGENT] + _procurement_attention(procurement)
    )
    return ProgrammeDashboard(
        programme=programme,
        day=day,
        action_plan=action_plan_section(user, programme, day),
        money=money,
        subsidy_deadlines=subsidy_deadlines,
        subsidy_deadlines_url=url("budget:subsidies", programme.pk, echeance=within),
        procurement=procurement,
        housing=housing_targets(user, programme),
        indicators=indicator_lines(indicator_summaries(programme_indicators(user, programme), year=day.year)),
        attention=attention,
        execution_chart=grouped_bars(
            uid="execution",
            title="Exécution budgétaire par année : prévu au PPI, crédits de paiement votés, payé (€ TTC)",
            years=money.execution.years,
            series=money.execution.series,
        ),
        governance=governance_section(user, programme),
    )
