"""The annual report of a programme (issue 10, H5): the figures of a year, its PDF (through pvd.documents) and the
XLSX of all its figures.

`annual_figures(report)` reads year Y of the report's programme, for no user in particular (the report is read by
the programme's readers — manager, referent, partners — who all see the whole programme; housing aggregates are
masked as for a reader without access to named files):
- planned: the action plan at the end of Y, by group of statuses, from the operations' history (the latest
  historical record of each operation dated before 1 January Y+1; operations created later are not counted);
- done: the operations that became delivered (or closed) during Y, per their history;
- spent: the expenses paid in Y (`paid_on`), TTC, by operation;
- obtained: the subsidies awarded in Y (`decided_on`) and the payments received in Y (`received_on`), by funder;
- indicators vs targets: each indicator still followed, its baseline, its target of Y, its last measurement in Y;
- decisions of the year: deliberations adopted, conventions and avenants signed, project versions validated;
  the decision register's entries of the year and the arbitrations decided that year with their outcome
  (governance, issue 8);
- housing: the files of the programme's OPAH / PIG filed, approved and paid in Y (aggregates, small cells masked).

A fixed number of queries whatever the data size (tests/pvd/test_annual_report.py asserts it at 1× and 10×).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from budget.selectors.annual import (
    expenses_paid_between,
    subsidies_awarded_between,
    subsidy_payments_received_between,
)
from operations.housing.selectors.annual import HousingYear, housing_year
from operations.models import DELIVERED_STATUSES, PREPARATION_STATUSES, OperationStatus
from operations.selectors.annual import (
    OperationAt,
    conventions_signed_between,
    operations_as_of,
    operations_delivered_between,
)
from programmes.indicators.models import AnnualReport
from programmes.indicators.selectors import IndicatorSummary, Point, indicator_summaries, summary_as_of
from programmes.selectors.annual import (
    deliberations_adopted_between,
    indicators_followed,
    project_validations_between,
)
from pvd.accounts import policy
from pvd.documents import Renderer
from pvd.governance.models import ArbitrationOutcome
from pvd.governance.selectors.hooks import arbitrations_decided_between, decisions_between
from pvd.money import ZERO
from pvd.xlsx import Column, Sheet, workbook

ANNUAL_REPORT = "annual_report"
S = OperationStatus
# The groups of statuses of the action plan at the end of the year (delivered and closed together).
STATUS_GROUPS: list[tuple[str, str, frozenset[str]]] = [
    ("delivered", "Livrées ou soldées", DELIVERED_STATUSES),
    ("works", "En travaux", frozenset({S.WORKS})),
    ("committed", "Engagées", frozenset({S.COMMITTED})),
    ("preparation", "En préparation", PREPARATION_STATUSES),
    ("suspended", "Suspendues", frozenset({S.SUSPENDED})),
    ("abandoned", "Abandonnées", frozenset({S.ABANDONED})),
]
NO_OPERATION = "Hors opération"


# --- The figures of a year -----------------------------------------------------------------------------------


@dataclass
class StatusGroup:
    key: str
    label: str
    count: int = 0
    cost_ht: Decimal = ZERO


@dataclass
class PlanAtEnd:
    """The action plan as it stood on 31/12/Y."""

    groups: list[StatusGroup]
    operations: list[OperationAt]

    @property
    def count(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def cost_ht(self) -> Decimal:
        return sum((group.cost_ht for group in self.groups), ZERO)


@dataclass(frozen=True)
class DeliveredOperation:
    code: str
    title: str
    communes: str
    delivered_on: datetime.date


@dataclass
class MoneyLine:
    """Money of the year grouped under one label (an operation, a funder)."""

    label: str
    count: int = 0
    amount: Decimal = ZERO


@dataclass(frozen=True)
class IndicatorLine:
    """An indicator against its target of the year, with its last measurement in the year (None: none)."""

    summary: IndicatorSummary
    measurement: Point | None

    @property
    def indicator(self) -> object:
        return self.summary.indicator

    @property
    def attainment(self) -> Decimal | None:
        return self.summary.attainment if self.measurement is not None else None


@dataclass
class AnnualFigures:
    year: int
    plan: PlanAtEnd
    delivered: list[DeliveredOperation]
    expenses: list = field(default_factory=list)
    expenses_by_operation: list[MoneyLine] = field(default_factory=list)
    awarded: list = field(default_factory=list)
    awarded_by_funder: list[MoneyLine] = field(default_factory=list)
    received: list = field(default_factory=list)
    received_by_funder: list[MoneyLine] = field(default_factory=list)
    indicators: list[IndicatorLine] = field(default_factory=list)
    deliberations: list = field(default_factory=list)
    conventions: list = field(default_factory=list)
    validations: list = field(default_factory=list)
    housing: list[HousingYear] = field(default_factory=list)
    decisions: list = field(default_factory=list)
    arbitrations: list = field(default_factory=list)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    @property
    def expenses_total(self) -> Decimal:
        return sum((line.amount for line in self.expenses_by_operation), ZERO)

    @property
    def awarded_total(self) -> Decimal:
        return sum((line.amount for line in self.awarded_by_funder), ZERO)

    @property
    def received_total(self) -> Decimal:
        return sum((line.amount for line in self.received_by_funder), ZERO)

    @property
    def funders(self) -> list[tuple[str, Decimal, Decimal]]:
        """(funder, awarded in the year, received in the year), by name."""
        return _funders(self)

    @property
    def housing_masked(self) -> bool:
        return any(h.masked for h in self.housing)

    @property
    def arbitration_outcomes(self) -> list[tuple[str, int]]:
        """(outcome, how many arbitrations decided in the year), every outcome listed."""
        return [
            (outcome.label, sum(1 for a in self.arbitrations if a.outcome == outcome))
            for outcome in ArbitrationOutcome
        ]


def start_of_year(year: int) -> datetime.datetime:
    """Midnight of 1 January, Paris time: the history of a year is what was recorded before the next one."""
    return datetime.datetime(year, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _plan(operations: list[OperationAt]) -> PlanAtEnd:
    groups = [StatusGroup(key, label) for key, label, _ in STATUS_GROUPS]
    index = {status: i for i, (_, _, statuses) in enumerate(STATUS_GROUPS) for status in statuses}
    for operation in operations:
        group = groups[index[operation.status]]
        group.count += 1
        group.cost_ht += operation.estimated_cost_ht or ZERO
    return PlanAtEnd(groups=groups, operations=operations)


def _group[T](
    rows: Iterable[T], key: Callable[[T], tuple[object, str]], amount: Callable[[T], Decimal]
) -> list[MoneyLine]:
    """Rows summed under their (key, label), largest amount first."""
    lines: dict[object, MoneyLine] = {}
    for row in rows:
        group_key, label = key(row)
        line = lines.setdefault(group_key, MoneyLine(label))
        line.count += 1
        line.amount += amount(row)
    return sorted(lines.values(), key=lambda line: (-line.amount, line.label))


def _operation_key(expense: object) -> tuple[object, str]:
    operation = expense.operation
    if operation is None:
        return None, NO_OPERATION
    return operation.pk, f"{operation.code} — {operation.title}"


def annual_figures(report: AnnualReport) -> AnnualFigures:
    """Every figure of the report's year. Queries: plan (1), delivered (2), expenses (1), awards (1), payments (1),
    indicators (3), deliberations (1), conventions (1), validations (1), housing (2), decisions (1), arbitrations (1)
    — none per row."""
    year, programme_id = report.year, report.programme_id
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    begins, ends = start_of_year(year), start_of_year(year + 1)
    delivered = [
        DeliveredOperation(
            code=operation.code,
            title=operation.title,
            communes=", ".join(commune.name for commune in operation.communes.all()),
            delivered_on=timezone.localtime(operation.delivered_at).date(),
        )
        for operation in operations_delivered_between(programme_id, begins, ends)
    ]
    expenses = expenses_paid_between(programme_id, first, last)
    awarded = subsidies_awarded_between(programme_id, first, last)
    received = subsidy_payments_received_between(programme_id, first, last)
    indicators = []
    for summary in indicator_summaries(indicators_followed(programme_id), year=year):
        as_of = summary_as_of(summary, last, year=year)
        latest = as_of.latest
        indicators.append(IndicatorLine(as_of, latest if latest is not None and latest.on >= first else None))
    return AnnualFigures(
        year=year,
        plan=_plan(operations_as_of(programme_id, ends)),
        delivered=delivered,
        expenses=expenses,
        expenses_by_operation=_group(expenses, _operation_key, lambda e: e.amount_ttc),
        awarded=awarded,
        awarded_by_funder=_group(awarded, lambda r: (r.funder_id, r.funder.name), lambda r: r.awarded_amount),
        received=received,
        received_by_funder=_group(
            received, lambda p: (p.request.funder_id, p.request.funder.name), lambda p: p.amount
        ),
        indicators=indicators,
        deliberations=deliberations_adopted_between(programme_id, first, last),
        conventions=conventions_signed_between(programme_id, first, last),
        validations=project_validations_between(programme_id, first, last),
        housing=housing_year(programme_id, year),
        decisions=decisions_between(programme_id, first, last),
        arbitrations=arbitrations_decided_between(programme_id, begins, ends),
    )


# --- The PDF (pvd.documents) ---------------------------------------------------------------------------------


def can_read_annual_report(user: object, report: AnnualReport) -> bool:
    """The programme's readers (manager, referent, partners) and staff, as the programme dashboard."""
    return policy.can_read_dashboard(user, report.programme)


def annual_report_context(report: AnnualReport) -> dict[str, object]:
    return {
        "report": report,
        "programme": report.programme,
        "figures": annual_figures(report),
        "day": policy.today(),
    }


def annual_report_title(report: AnnualReport) -> str:
    return f"Rapport annuel {report.year} — {report.programme.name}"


ANNUAL_REPORT_PDF = Renderer(
    kind=ANNUAL_REPORT,
    template="pdf/annual_report.html",
    title=annual_report_title,
    context=annual_report_context,
    can_read=can_read_annual_report,
    url=lambda report: reverse("annual_report", args=[report.pk]),
)


# --- The XLSX of all figures ---------------------------------------------------------------------------------


def xlsx_filename(report: AnnualReport) -> str:
    return f"rapport-annuel-{report.year}-{slugify(report.programme.name)}.xlsx"


def _indicator_value(point: Point | None) -> Decimal | None:
    return point.value if point is not None else None


def annual_xlsx(report: AnnualReport, figures: AnnualFigures) -> bytes:
    """One sheet per section, every figure typed: amounts in euros, values as numbers, dates as dates."""
    y = figures.year
    title = annual_report_title(report)
    heading = [title, f"Exercice du 01/01/{y} au 31/12/{y}."]
    housing_rows = [(housing, row) for housing in figures.housing for row in housing.rows]
    sheets = [
        Sheet(
            "Plan d'actions",
            [
                Column("Statut au 31/12", lambda g: g.label, 28),
                Column("Opérations", lambda g: g.count, 14),
                Column("Coût estimé (€ HT)", lambda g: g.cost_ht, 20, total=True),
            ],
            figures.plan.groups,
            heading=[*heading, "Le plan d'actions tel qu'il était au 31 décembre, d'après l'historique."],
        ),
        Sheet(
            f"Opérations au 31-12-{y}",
            [
                Column("N°", lambda o: o.code, 10),
                Column("Opération", lambda o: o.title, 48),
                Column("Statut au 31/12", lambda o: o.status_label, 24),
                Column("Coût estimé (€ HT)", lambda o: o.estimated_cost_ht, 20, total=True),
            ],
            figures.plan.operations,
            heading=heading,
        ),
        Sheet(
            f"Livrées en {y}",
            [
                Column("N°", lambda o: o.code, 10),
                Column("Opération", lambda o: o.title, 48),
                Column("Communes", lambda o: o.communes, 30),
                Column("Livrée le", lambda o: o.delivered_on, 14),
            ],
            figures.delivered,
            heading=heading,
        ),
        Sheet(
            "Dépenses payées",
            [
                Column("Payée le", lambda e: e.paid_on, 14),
                Column("Opération", lambda e: e.operation.code if e.operation else NO_OPERATION, 16),
                Column("Objet", lambda e: e.label, 40),
                Column("Tiers", lambda e: e.supplier, 28),
                Column("Montant (€ HT)", lambda e: e.amount_ht, 18, total=True),
                Column("Montant (€ TTC)", lambda e: e.amount_ttc, 18, total=True),
            ],
            figures.expenses,
            heading=heading,
        ),
        Sheet(
            "Dépenses par opération",
            [
                Column("Opération", lambda line: line.label, 48),
                Column("Dépenses", lambda line: line.count, 12),
                Column("Payé (€ TTC)", lambda line: line.amount, 18, total=True),
            ],
            figures.expenses_by_operation,
            heading=heading,
        ),
        Sheet(
            "Subventions accordées",
            [
                Column("Décision le", lambda r: r.decided_on, 14),
                Column("Financeur", lambda r: r.funder.name, 32),
                Column("Demande", lambda r: r.title, 44),
                Column("Montant demandé", lambda r: r.requested_amount, 18, total=True),
                Column("Montant attribué", lambda r: r.awarded_amount, 18, total=True),
            ],
            figures.awarded,
            heading=heading,
        ),
        Sheet(
            "Subventions encaissées",
            [
                Column("Encaissé le", lambda p: p.received_on, 14),
                Column("Financeur", lambda p: p.request.funder.name, 32),
                Column("Demande", lambda p: p.request.title, 44),
                Column("Nature", lambda p: p.get_kind_display(), 12),
                Column("Montant", lambda p: p.amount, 18, total=True),
            ],
            figures.received,
            heading=heading,
        ),
        Sheet(
            "Financeurs",
            [
                Column("Financeur", lambda row: row[0], 36),
                Column("Accordé dans l'année", lambda row: row[1], 20, total=True),
                Column("Encaissé dans l'année", lambda row: row[2], 20, total=True),
            ],
            figures.funders,
            heading=heading,
        ),
        Sheet(
            "Indicateurs",
            [
                Column("Indicateur", lambda i: i.indicator.name, 40),
                Column(
                    "Commune", lambda i: i.indicator.commune.name if i.indicator.commune else "Programme", 20
                ),
                Column("Unité", lambda i: i.indicator.unit, 10),
                Column(
                    "État zéro : date", lambda i: i.summary.baseline.on if i.summary.baseline else None, 14
                ),
                Column("État zéro", lambda i: _indicator_value(i.summary.baseline), 14, number=True),
                Column(f"Cible {y}", lambda i: i.summary.target, 14, number=True),
                Column(
                    f"Dernière mesure {y} : date", lambda i: i.measurement.on if i.measurement else None, 16
                ),
                Column(f"Dernière mesure {y}", lambda i: _indicator_value(i.measurement), 16, number=True),
                Column("Atteinte de la cible", lambda i: i.attainment, 14, percent=True),
            ],
            figures.indicators,
            heading=[
                *heading,
                f"Atteinte : chemin parcouru de l'état zéro à la cible {y} (sans état zéro : mesure ÷ cible).",
            ],
        ),
        Sheet(
            "Délibérations",
            [
                Column("Adoptée le", lambda d: d.adopted_on, 14),
                Column("Collectivité", lambda d: d.organisation.name, 30),
                Column("Organe", lambda d: d.get_body_display(), 28),
                Column("Numéro", lambda d: d.number, 14),
                Column("Objet", lambda d: d.subject, 60),
            ],
            figures.deliberations,
            heading=heading,
        ),
        Sheet(
            "Conventions signées",
            [
                Column("Signée le", lambda c: c.signed_on, 14),
                Column("Type", lambda c: c.get_kind_display(), 30),
                Column("Intitulé", lambda c: c.title, 50),
                Column("Convention modifiée", lambda c: c.parent.title if c.parent else None, 40),
            ],
            figures.conventions,
            heading=heading,
        ),
        Sheet(
            "Projet validé",
            [
                Column("Validé le", lambda p: p.validated_on, 14),
                Column("Version", lambda p: p.number, 10),
                Column("Titre", lambda p: p.title, 40),
                Column("Délibération", lambda p: p.deliberation_reference, 30),
            ],
            figures.validations,
            heading=heading,
        ),
        Sheet(
            "Décisions",
            [
                Column("Décidé le", lambda d: d.decided_on, 14),
                Column("Par", lambda d: d.decided_by, 36),
                Column("Décision", lambda d: d.text, 70),
                Column("Vote", lambda d: d.get_vote_display(), 24),
                Column("Pour", lambda d: d.votes_for, 8),
                Column("Contre", lambda d: d.votes_against, 8),
                Column("Abstentions", lambda d: d.abstentions, 12),
                Column("Opération", lambda d: d.operation.code if d.operation else None, 12),
                Column("Arbitrage", lambda d: d.arbitration.reference if d.arbitration else None, 16),
            ],
            figures.decisions,
            heading=[*heading, f"Registre des décisions : {len(figures.decisions)} décision(s) en {y}."],
        ),
        Sheet(
            "Arbitrages",
            [
                Column("Référence", lambda a: a.reference, 16),
                Column("Objet", lambda a: a.title, 50),
                Column("Niveau de décision", lambda a: a.get_decision_level_display(), 26),
                Column("Décidé le", lambda a: timezone.localtime(a.decided_at).date(), 14),
                Column("Décision", lambda a: a.get_outcome_display(), 20),
                Column("Option retenue", lambda a: str(a.chosen_option) if a.chosen_option else None, 40),
                Column("Statut", lambda a: a.get_status_display(), 16),
            ],
            figures.arbitrations,
            heading=[
                *heading,
                f"Arbitrages décidés en {y} : {len(figures.arbitrations)} — "
                + ", ".join(f"{label.lower()} : {count}" for label, count in figures.arbitration_outcomes)
                + ".",
            ],
        ),
        Sheet(
            "Habitat",
            [
                Column("Dispositif", lambda r: r[0].housing_programme.name, 36),
                Column("Catégorie", lambda r: r[1].label, 36),
                Column("Unité", lambda r: r[1].unit, 12),
                Column(f"Déposés en {y}", lambda r: r[1].filed.export(), 14),
                Column(f"Agréés en {y}", lambda r: r[1].approved.export(), 14),
                Column(f"Soldés en {y}", lambda r: r[1].paid.export(), 14),
            ],
            housing_rows,
            heading=[*heading, "Agrégats : un effectif de 1 à 4 ménages est affiché « < 5 »."],
        ),
    ]
    return workbook(sheets)


def _funders(figures: AnnualFigures) -> list[tuple[str, Decimal, Decimal]]:
    awarded = {line.label: line.amount for line in figures.awarded_by_funder}
    received = {line.label: line.amount for line in figures.received_by_funder}
    names = sorted(set(awarded) | set(received))
    return [(name, awarded.get(name, ZERO), received.get(name, ZERO)) for name in names]
