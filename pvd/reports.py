"""Reports rendered through pvd.documents (issue 9, H5): the fiche-action of an operation, the summary of a
programme's revitalisation project, and the report to the programme's comité de projet.

A report combines several apps, so it lives in `pvd` and reads each app through its selectors
(docs/decisions/0002-cross-app-pages.md). It is rendered in Celery, once, for every reader of its object: its
content is what all of them may read, never what only the requester may (the view checked the access, the
renderer's `can_read` guards the status page and the download):
- the fiche-action: the operation, its follow-up and its money, all read by whoever reads the operation (a
  mayor reads the requests that finance their commune's operations);
- the project summary, read by the programme's readers and the mayors of its communes: the project in force,
  the stakes and engineering needs common to the programme (a commune's own are counted, not listed: a mayor
  reads only their commune's), the action plan counted by axis and status;
- the committee report, read by the programme's readers (who see all of it): every operation, the money by
  funder, the housing programmes' results as aggregates with small cells masked, the subsidy deadlines; and the
  governance (issue 8): the decisions since the last comité de projet, the arbitrations awaiting a decision
  (reference, subject, who decides, by when — never the internal note), the upcoming meetings.

Each context costs a fixed number of queries whatever the number of operations (tests/pvd/test_reports.py).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.urls import reverse

from budget.selectors.financing import money_tab, plan_by_funder
from budget.selectors.subsidies import operation_subsidies_for_document, programme_pipeline
from operations.housing.selectors.results import programme_results, results_summary
from operations.selectors import housing_programmes_of_programme, tracking_for_page
from operations.selectors.operations import action_plan_counts, operation_for_document, programme_operations
from operations.selectors.tracking import COMMUNE_GROUPS
from programmes.selectors.project import project_for_document
from programmes.selectors.strategy import shared_strategy
from pvd.accounts import policy
from pvd.deadlines import add_months
from pvd.documents import Renderer
from pvd.governance.selectors.hooks import committee_report_governance
from pvd.money import ZERO

OPERATION_SHEET = "operation_sheet"
PROJECT_SUMMARY = "project_summary"
COMMITTEE_REPORT = "committee_report"
DEADLINE_MONTHS = 6  # the committee report lists the subsidy deadlines of the next six months


def _nobody() -> AnonymousUser:
    """The reader of shared content: selectors that ask for a user get one without any right, so nothing
    depends on who asked for the document (no edit links; housing aggregates with small cells masked)."""
    return AnonymousUser()


# --- Read rules ------------------------------------------------------------------------------------------------


def can_read_operation(user: object, operation: models.Model) -> bool:
    """Whoever reads the operation reads its fiche."""
    return policy.visible_to(type(operation).objects.filter(pk=operation.pk), user).exists()


def can_read_strategy(user: object, programme: models.Model) -> bool:
    """The programme's readers and the mayors of its communes, as the strategy pages."""
    return policy.strategy_programmes(type(programme).objects.filter(pk=programme.pk), user).exists()


def can_read_committee_report(user: object, programme: models.Model) -> bool:
    """The programme's readers (manager, referent, partners) and staff, as the programme page."""
    return policy.can_read_programme(user, programme)


# --- The fiche-action ------------------------------------------------------------------------------------------


def operation_sheet_context(operation: models.Model) -> dict[str, object]:
    """Queries: the operation (+ 3 prefetches), phases, reports, risks, the money tab, the subsidies."""
    day = policy.today()
    operation = operation_for_document(operation.pk, day)
    tracking = tracking_for_page(_nobody(), operation, day)
    money = money_tab(operation, day)
    subsidies = operation_subsidies_for_document(operation, day)
    phases = tracking.phases
    return {
        "operation": operation,
        "day": day,
        "tracking": tracking,
        "planned_start": min((p.baseline_start for p in phases if p.baseline_start), default=None),
        "planned_end": max((p.baseline_end for p in phases if p.baseline_end), default=None),
        "actual_start": min((p.actual_start for p in phases if p.actual_start), default=None),
        "actual_end": (
            max(p.actual_end for p in phases) if phases and all(p.actual_end for p in phases) else None
        ),
        "money": money,
        "subsidies": subsidies,
    }


# --- The project summary ---------------------------------------------------------------------------------------


@dataclass
class AxisCounts:
    """The operations of one axis (or of none) counted by group of statuses."""

    title: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class ActionPlanCounts:
    groups: list[str]
    axes: list[AxisCounts] = field(default_factory=list)

    @property
    def totals(self) -> list[int]:
        return [sum(axis.counts[i] for axis in self.axes) for i in range(len(self.groups))]

    @property
    def total(self) -> int:
        return sum(self.totals)


def count_action_plan(rows: list[dict[str, object]]) -> ActionPlanCounts:
    """Rows of (axis, status, n) → one line per axis (« Sans axe » last) and one column per group of statuses
    (delivered, works, committed, in preparation, suspended or abandoned: the commune page's groups)."""
    group_of = {status: i for i, (_, _, statuses) in enumerate(COMMUNE_GROUPS) for status in statuses}
    by_axis: dict[object, AxisCounts] = {}
    order: dict[object, tuple] = {}
    for row in rows:
        key = row["axis_id"]
        if key not in by_axis:
            title = str(row["axis__title"]) if key is not None else "Sans axe"
            by_axis[key] = AxisCounts(title, [0] * len(COMMUNE_GROUPS))
            order[key] = (key is None, row["axis__order"] or 0, title, key or 0)
        by_axis[key].counts[group_of[row["status"]]] += int(row["n"])
    return ActionPlanCounts(
        groups=[label for _, label, _ in COMMUNE_GROUPS],
        axes=[by_axis[key] for key in sorted(by_axis, key=lambda k: order[k])],
    )


def project_summary_context(programme: models.Model) -> dict[str, object]:
    """Queries: the project's versions (+ six for a draft's content), stakes and needs (four), the counts."""
    project, content = project_for_document(programme)
    return {
        "programme": programme,
        "day": policy.today(),
        "project": project,
        "content": content,
        "strategy": shared_strategy(programme),
        "plan": count_action_plan(action_plan_counts(programme)),
    }


# --- The committee report --------------------------------------------------------------------------------------


@dataclass
class FunderLine:
    """One funder's money across the programme: what the financing plans expect, what was requested, awarded
    and received on the subsidy requests."""

    name: str
    planned_ht: Decimal = ZERO
    requested: Decimal = ZERO
    awarded: Decimal = ZERO
    received: Decimal = ZERO


def funder_lines(planned: list, by_funder: list) -> tuple[list[FunderLine], FunderLine]:
    lines: dict[str, FunderLine] = {}
    for row in planned:
        lines.setdefault(str(row.funder_id), FunderLine(row.name)).planned_ht += row.amount_ht
    for group in by_funder:
        line = lines.setdefault(group.key, FunderLine(group.label))
        line.requested += group.amounts.requested
        line.awarded += group.amounts.awarded
        line.received += group.amounts.received
    ordered = sorted(lines.values(), key=lambda f: (-f.planned_ht, -f.awarded, f.name))
    total = FunderLine("Total")
    for line in ordered:
        total.planned_ht += line.planned_ht
        total.requested += line.requested
        total.awarded += line.awarded
        total.received += line.received
    return ordered, total


def committee_report_context(programme: models.Model) -> dict[str, object]:
    """Queries: the operations (one), the plans by funder (one), the subsidy pipeline (four), the housing
    programmes (one) and each one's results (nine per housing programme, none per operation), governance (four)."""
    day = policy.today()
    operations = programme_operations(programme, day)
    plan = count_action_plan(
        [
            {"axis_id": None, "axis__title": "", "axis__order": 0, "status": o.status, "n": 1}
            for o in operations
        ]
    )
    pipeline = programme_pipeline(programme, day)
    funders, funders_total = funder_lines(plan_by_funder(programme.pk), pipeline.by_funder)
    limit = add_months(day, DEADLINE_MONTHS)
    deadlines = sorted(
        (d for d in pipeline.deadlines if d.due_on <= limit),
        key=lambda d: (d.due_on, d.request_id or 0),
    )
    housing = []
    for housing_programme in housing_programmes_of_programme(programme.pk):
        results = programme_results(housing_programme, _nobody())
        housing.append((housing_programme, results, results_summary(results)))
    return {
        "programme": programme,
        "day": day,
        "operations": operations,
        "late_count": sum(1 for o in operations if o.is_late),
        "status_groups": list(zip(plan.groups, plan.totals, strict=True)),
        "funders": funders,
        "funders_total": funders_total,
        "deadlines": deadlines,
        "deadline_limit": limit,
        "housing": housing,
        "governance": committee_report_governance(programme),
    }


# --- Renderers (pvd.documents.RENDERERS) -----------------------------------------------------------------------

OPERATION_SHEET_PDF = Renderer(
    kind=OPERATION_SHEET,
    template="pdf/operation_sheet.html",
    title=lambda operation: f"Fiche-action {operation.code} — {operation.title}",
    context=operation_sheet_context,
    can_read=can_read_operation,
    url=lambda operation: reverse("operations:detail", args=[operation.pk]),
)

PROJECT_SUMMARY_PDF = Renderer(
    kind=PROJECT_SUMMARY,
    template="pdf/project_summary.html",
    title=lambda programme: f"Synthèse du projet — {programme.name}",
    context=project_summary_context,
    can_read=can_read_strategy,
    url=lambda programme: reverse("programmes:project", args=[programme.pk]),
)

COMMITTEE_REPORT_PDF = Renderer(
    kind=COMMITTEE_REPORT,
    template="pdf/committee_report.html",
    title=lambda programme: f"Rapport au comité de projet — {programme.name}",
    context=committee_report_context,
    can_read=can_read_committee_report,
    url=lambda programme: reverse("programme", args=[programme.pk]),
)
