"""The computed impact of an arbitration's options (issue 8, H4): never typed, always derived from the money and
operations modules as they stand on `day`.

For each option: the operation's cost HT/TTC before → after; its financing plan after the option's changes,
computed **in memory** on unsaved copies of the lines (`budget.rules.check_plan` before and after: balance HT/TTC,
the 20 % minimum own share of CGCT L1111-10 with its derogation, the DETR/DSIL caps, the public-aid cap; subsidies
gained and lost per funder; `budget.rules.net_cost` with the FCTVA of `budget.fctva.estimate`); the AP/CP and
yearly effect (`budget.services.programme_budget.authorisation_amount`); the schedule (planned end before → after)
and the legal deadlines of the operation's subsidy requests (`budget.deadlines.deadlines_for`) the new dates would
cross. An option that cannot apply (a line outside the plan or already refused, a status the operation's workflow
does not allow…) carries French `errors`; `error` joins them (the submit check reads it).

Queries: a fixed number per page whatever the number of options, financing lines, phases or PPI rows (everything
is fetched in bulk for the options' operations), plus one per programme authorisation covering an operation.
"""

import copy
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from budget import fctva, rules
from budget.deadlines import COMPLETION, START, deadlines_for
from budget.models import (
    FctvaTiming,
    FinancingLine,
    FinancingLineStatus,
    FinancingPlan,
    PlannedInvestment,
    ProgrammeAuthorisation,
    SchemeRule,
    SubsidyAllocation,
)
from budget.services import financing as financing_services
from budget.services.programme_budget import authorisation_amount
from operations.models import Operation, OperationStatus, Phase
from operations.services.operation import allowed_targets
from pvd.deadlines import OPEN_STATUSES
from pvd.governance.models import Arbitration, ArbitrationOption, FinancingChangeAction, OptionFinancingChange
from pvd.money import ZERO, format_euros, round_cents

YEARLY_RULE = (
    "Effet annuel : les montants prévus par année au PPI de l'opération (€ TTC) sont multipliés par le rapport "
    "entre le nouveau et l'ancien coût TTC, puis déplacés d'autant d'années entières que l'année de fin "
    "prévisionnelle change avec le décalage du calendrier."
)
ELIGIBLE_RULE = (
    "La dépense éligible du plan de financement varie du même montant que le coût de l'opération "
    "(le surcoût ou l'économie est supposé éligible)."
)
AP_RULE = (
    "Autorisation de programme : son montant (initial + révisions) doit couvrir le coût TTC de toutes les "
    "opérations qu'elle finance ; un manque appelle une révision de l'AP votée par l'assemblée."
)


# --- What the page shows ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amounts:
    """A value before → after (None: not known)."""

    before: Decimal | None
    after: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class FunderDelta:
    """What one funder gives the operation before → after (lines that count, € HT)."""

    funder: str
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class CheckPair:
    """One legal check of the plan, before and after the option."""

    code: str
    title: str
    before: rules.Check | None
    after: rules.Check | None

    @property
    def changed(self) -> bool:
        state = lambda c: None if c is None else (c.state, c.message)
        return state(self.before) != state(self.after)

    @property
    def worsened(self) -> bool:
        return (
            self.after is not None
            and self.after.state == "failed"
            and (self.before is None or self.before.state != "failed")
        )


@dataclass(frozen=True)
class ApImpact:
    number: str
    label: str
    amount: Decimal
    covered_before: Decimal
    covered_after: Decimal

    @property
    def shortfall(self) -> Decimal:
        return max(self.covered_after - self.amount, ZERO)

    @property
    def message(self) -> str:
        if self.shortfall > 0:
            return f"AP à réviser de + {format_euros(self.shortfall)}"
        return f"AP suffisante : reste {format_euros(self.amount - self.covered_after)} non affecté."


@dataclass(frozen=True)
class YearAmounts:
    year: int
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class DeadlineRisk:
    """A legal deadline of a subsidy request against the operation's dates after the option."""

    request: str
    label: str
    due_on: datetime.date
    rule: str
    date_before: datetime.date | None
    date_after: datetime.date | None

    @property
    def crossed_before(self) -> bool:
        return self.date_before is not None and self.date_before > self.due_on

    @property
    def crossed(self) -> bool:
        return self.date_after is not None and self.date_after > self.due_on

    @property
    def message(self) -> str:
        what = "commencement prévu" if self.label.startswith("Commencement") else "fin prévue"
        if self.date_after is None:
            return f"Pas de date prévue pour le {what} : l'échéance du {self.due_on:%d/%m/%Y} ne peut être vérifiée."
        if self.crossed:
            return (
                f"Risque : {what} le {self.date_after:%d/%m/%Y}, après l'échéance du {self.due_on:%d/%m/%Y} "
                f"({self.label.lower()}, « {self.request} ») — caducité de la subvention."
            )
        return f"Respectée : {what} le {self.date_after:%d/%m/%Y}, échéance le {self.due_on:%d/%m/%Y}."


@dataclass(frozen=True)
class ChangeLine:
    """One of the option's financing changes, as the page lists it."""

    change: OptionFinancingChange
    text: str


@dataclass
class OptionView:
    """One option with its computed impact. `errors`: why the option cannot apply as it is (French)."""

    option: ArbitrationOption
    operation: Operation | None = None
    errors: list[str] = field(default_factory=list)
    cost_ht: Amounts = Amounts(None, None)
    cost_ttc: Amounts = Amounts(None, None)
    new_status_label: str = ""
    status_before_label: str = ""
    changes: list[ChangeLine] = field(default_factory=list)
    plan: FinancingPlan | None = None
    eligible_ht: Amounts = Amounts(None, None)
    eligible_ttc: Amounts = Amounts(None, None)
    funders: list[FunderDelta] = field(default_factory=list)
    public_aid: Amounts = Amounts(None, None)
    own_share: Amounts = Amounts(None, None)
    own_share_rate: Amounts = Amounts(None, None)
    financing_total_ht: Amounts = Amounts(None, None)
    checks: list[CheckPair] = field(default_factory=list)
    net_planned: Amounts = Amounts(None, None)
    authorisations: list[ApImpact] = field(default_factory=list)
    years: list[YearAmounts] = field(default_factory=list)
    year_shift: int = 0
    start: Amounts = Amounts(None, None)  # type: ignore[arg-type]  # dates, same shape
    end: Amounts = Amounts(None, None)  # type: ignore[arg-type]
    deadlines: list[DeadlineRisk] = field(default_factory=list)
    shifted_phases: int = 0

    @property
    def error(self) -> str:
        return " ".join(self.errors)

    @property
    def gained(self) -> list[FunderDelta]:
        return [f for f in self.funders if f.delta > 0]

    @property
    def lost(self) -> list[FunderDelta]:
        return [f for f in self.funders if f.delta < 0]

    @property
    def own_share_check(self) -> CheckPair | None:
        return next((c for c in self.checks if c.code.startswith("own_share")), None)

    @property
    def risky_deadlines(self) -> list[DeadlineRisk]:
        return [d for d in self.deadlines if d.crossed]

    @property
    def ap_shortfall(self) -> Decimal:
        return sum((ap.shortfall for ap in self.authorisations), ZERO)

    yearly_rule: str = YEARLY_RULE
    eligible_rule: str = ELIGIBLE_RULE
    ap_rule: str = AP_RULE


# --- Pure pieces --------------------------------------------------------------------------------------------------


def option_ttc(option: ArbitrationOption) -> Decimal | None:
    """The option's new TTC: typed, or HT × (1 + VAT rate) when the rate is given."""
    if option.new_cost_ttc is not None:
        return option.new_cost_ttc
    if option.new_cost_ht is not None and option.new_vat_rate is not None:
        return round_cents(option.new_cost_ht * (1 + option.new_vat_rate))
    return None


def withdraw_path(status: str) -> list[str]:
    """The statuses a line goes through to be withdrawn (refused), by the line workflow (shortest path):
    requested → refused; envisaged → requested → refused; granted → requested → refused. [] when refused."""
    target = FinancingLineStatus.REFUSED
    if status == target:
        return []
    paths: list[list[str]] = [[status]]
    seen = {status}
    while paths:
        path = paths.pop(0)
        for step in financing_services.allowed_targets(path[-1]):
            if step == target:
                return [*path[1:], step]
            if step not in seen:
                seen.add(step)
                paths.append([*path, step])
    return []


def describe_change(change: OptionFinancingChange) -> str:
    line = change.line
    if change.action == FinancingChangeAction.WITHDRAW:
        return f"Retrait de la ligne « {line} » ({line.funder.name}, {format_euros(line.amount_ht)} HT)"
    if change.action == FinancingChangeAction.CHANGE:
        ttc = change.amount_ttc if change.amount_ttc is not None else change.amount_ht
        return (
            f"Ligne « {line} » ({line.funder.name}) : {format_euros(line.amount_ht)} HT → "
            f"{format_euros(change.amount_ht)} HT ({format_euros(ttc)} TTC)"
        )
    funder = change.funder.name if change.funder_id else "financeur non précisé"
    what = change.label or (
        change.scheme.name if change.scheme_id else FinancingLine.Category(change.category).label
    )
    ttc = change.amount_ttc if change.amount_ttc is not None else change.amount_ht
    return f"Nouvelle ligne « {what} » ({funder}) : {format_euros(change.amount_ht)} HT ({format_euros(ttc)} TTC)"


def lines_after(
    plan: FinancingPlan | None, lines: Sequence[FinancingLine], changes: Iterable[OptionFinancingChange]
) -> tuple[list[FinancingLine], list[str]]:
    """Unsaved copies of the plan's lines with the option's changes applied, and the inconsistencies found."""
    errors: list[str] = []
    copies = {line.pk: copy.copy(line) for line in lines}
    result = list(copies.values())
    for change in changes:
        if change.action == FinancingChangeAction.ADD:
            if plan is None:
                errors.append(
                    "L'opération n'a pas de plan de financement : une ligne ne peut pas y être ajoutée."
                )
                continue
            new = FinancingLine(
                plan=plan,
                category=change.category,
                funder=change.funder,
                scheme=change.scheme,
                label=change.label,
                amount_ht=change.amount_ht or ZERO,
                amount_ttc=change.amount_ttc if change.amount_ttc is not None else (change.amount_ht or ZERO),
                status=FinancingLineStatus.ENVISAGED,
            )
            if change.funder_id is None:
                errors.append(
                    f"La nouvelle ligne « {change.label or change.category} » n'a pas de financeur."
                )
            result.append(new)
            continue
        line = copies.get(change.line_id)
        if line is None:
            errors.append(
                f"La ligne « {change.line} » n'est pas (ou plus) au plan de financement de l'opération modifiée."
            )
            continue
        if line.status == FinancingLineStatus.REFUSED:
            verb = "retirée" if change.action == FinancingChangeAction.WITHDRAW else "modifiée"
            errors.append(f"La ligne « {line} » est déjà refusée : elle ne peut pas être {verb}.")
            continue
        if change.action == FinancingChangeAction.WITHDRAW:
            line.status = FinancingLineStatus.REFUSED
        else:
            line.amount_ht = change.amount_ht
            line.amount_ttc = change.amount_ttc if change.amount_ttc is not None else change.amount_ht
            if line.base_ht is not None and line.amount_ht > line.base_ht:
                errors.append(
                    f"La ligne « {line} » ne peut pas dépasser son assiette éligible "
                    f"({format_euros(line.base_ht)} HT)."
                )
            if line.amount_ttc < line.amount_ht:
                errors.append(
                    f"Le montant TTC de la ligne « {line} » ne peut pas être inférieur au montant HT."
                )
    return result, errors


def _by_funder(lines: Iterable[FinancingLine]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in rules.counted(lines):
        if rules.is_grant(line):
            totals[line.funder.name if line.funder_id else str(line)] += line.amount_ht
    return totals


def _own_and_public(lines: Iterable[FinancingLine]) -> tuple[Decimal, Decimal, Decimal]:
    kept = rules.counted(lines)
    own = sum((line.amount_ht for line in kept if line.category in rules.OWN_CATEGORIES), ZERO)
    public = sum((line.amount_ht for line in kept if line.category in rules.PUBLIC_GRANT_CATEGORIES), ZERO)
    total = sum((line.amount_ht for line in kept), ZERO)
    return own, public, total


def _pair_checks(before: list[rules.Check], after: list[rules.Check]) -> list[CheckPair]:
    def key(check: rules.Check) -> tuple[str, str]:
        return (check.code, check.title)

    after_by = {key(c): c for c in after}
    before_by = {key(c): c for c in before}
    pairs = [CheckPair(c.code, c.title, c, after_by.get(key(c))) for c in before]
    pairs += [CheckPair(c.code, c.title, None, c) for c in after if key(c) not in before_by]
    return pairs


def _shift(day: datetime.date | None, days: int) -> datetime.date | None:
    return None if day is None else day + datetime.timedelta(days=days)


def unfinished(phases: Iterable[Phase]) -> list[Phase]:
    return [phase for phase in phases if phase.actual_end is None]


def planned_end(phases: Iterable[Phase]) -> datetime.date | None:
    """The latest forecast end (else baseline end) of the unfinished phases."""
    ends = [phase.forecast_end or phase.baseline_end for phase in unfinished(phases)]
    return max((end for end in ends if end is not None), default=None)


def planned_start(phases: Iterable[Phase]) -> datetime.date | None:
    """When the remaining work starts: the earliest start (actual, else forecast, else baseline) of the unfinished
    phases (finished studies do not count: a subsidy's start of works is the first legal commitment)."""
    starts = [
        phase.actual_start or phase.forecast_start or phase.baseline_start for phase in unfinished(phases)
    ]
    return min((start for start in starts if start is not None), default=None)


def shifted_dates(phase: Phase, days: int) -> dict[str, datetime.date | None]:
    """A phase's forecast dates after a shift: a begun phase keeps its start; the base is the forecast, else the
    baseline."""
    start = phase.forecast_start or phase.baseline_start
    end = phase.forecast_end or phase.baseline_end
    return {
        "forecast_start": start if phase.actual_start else _shift(start, days),
        "forecast_end": _shift(end, days),
    }


def _start_after(phases: Sequence[Phase], days: int) -> datetime.date | None:
    starts = [
        phase.actual_start or shifted_dates(phase, days)["forecast_start"] for phase in unfinished(phases)
    ]
    return min((start for start in starts if start is not None), default=None)


# --- Bulk reads -------------------------------------------------------------------------------------------------


@dataclass
class _Data:
    plans: dict[int, FinancingPlan]
    lines: dict[int, list[FinancingLine]]
    phases: dict[int, list[Phase]]
    planned: dict[int, list[PlannedInvestment]]
    authorisations: dict[int, list[ProgrammeAuthorisation]]
    requests: dict[int, list[object]]
    scheme_rules: dict[int, list[SchemeRule]]
    timings: dict[int, list[FctvaTiming]]
    table: rules.ParameterTable


def _load(operations: Sequence[Operation]) -> _Data:
    ids = [o.pk for o in operations]
    plans = {plan.operation_id: plan for plan in FinancingPlan.objects.filter(operation_id__in=ids)}
    lines: dict[int, list[FinancingLine]] = defaultdict(list)
    by_plan = {plan.pk: op_id for op_id, plan in plans.items()}
    for line in (
        FinancingLine.objects.filter(plan_id__in=by_plan)
        .select_related("funder", "scheme")
        .order_by("position", "pk")
    ):
        op_id = by_plan[line.plan_id]
        line.plan = plans[op_id]
        lines[op_id].append(line)
    phases: dict[int, list[Phase]] = defaultdict(list)
    for phase in Phase.objects.filter(operation_id__in=ids).order_by("order", "pk"):
        phases[phase.operation_id].append(phase)
    planned: dict[int, list[PlannedInvestment]] = defaultdict(list)
    for row in PlannedInvestment.objects.filter(operation_id__in=ids).order_by("year", "pk"):
        planned[row.operation_id].append(row)
    authorisations: dict[int, list[ProgrammeAuthorisation]] = defaultdict(list)
    aps = (
        ProgrammeAuthorisation.objects.filter(operations__in=ids)
        .distinct()
        .prefetch_related(Prefetch("operations", queryset=Operation.objects.only("pk", "estimated_cost_ttc")))
        .order_by("number", "pk")
    )
    for ap in aps:
        for operation in ap.operations.all():
            if operation.pk in ids:
                authorisations[operation.pk].append(ap)
    requests: dict[int, list[object]] = defaultdict(list)
    schemes: set[int] = set()
    for allocation in (
        SubsidyAllocation.objects.filter(operation_id__in=ids)
        .select_related("request")
        .order_by("request__title", "pk")
    ):
        if allocation.request not in requests[allocation.operation_id]:
            requests[allocation.operation_id].append(allocation.request)
        if allocation.request.scheme_id:
            schemes.add(allocation.request.scheme_id)
    scheme_rules: dict[int, list[SchemeRule]] = defaultdict(list)
    for rule in SchemeRule.objects.filter(scheme_id__in=schemes).order_by("scheme_id", "valid_from"):
        scheme_rules[rule.scheme_id].append(rule)
    owners = {o.owner_id for o in operations}
    timings: dict[int, list[FctvaTiming]] = defaultdict(list)
    for timing in FctvaTiming.objects.filter(organisation_id__in=owners):
        timings[timing.organisation_id].append(timing)
    return _Data(
        plans,
        lines,
        phases,
        planned,
        authorisations,
        requests,
        scheme_rules,
        timings,
        rules.ParameterTable.load(),
    )


def _options(arbitration: Arbitration) -> list[ArbitrationOption]:
    changes = OptionFinancingChange.objects.select_related(
        "line__funder", "line__scheme", "funder", "scheme"
    ).order_by("pk")
    return list(
        ArbitrationOption.objects.filter(arbitration=arbitration)
        .select_related("operation__owner", "operation__programme")
        .prefetch_related(Prefetch("financing_changes", queryset=changes))
        .order_by("letter", "pk")
    )


# --- The computation ----------------------------------------------------------------------------------------------


def _net(plan: FinancingPlan, lines: list[FinancingLine], operation: Operation, planned, data: _Data, day):
    estimate = fctva.estimate(
        plan,
        owner=operation.owner,
        planned=planned,
        day=day,
        parameters=data.table,
        timings=data.timings.get(operation.owner_id, []),
    )
    return rules.net_cost(plan, lines, fctva=estimate.total, fctva_complete=estimate.complete).net_planned


def _impact(
    option: ArbitrationOption, arbitration: Arbitration, data: _Data, day: datetime.date
) -> OptionView:
    view = OptionView(option=option)
    changes = list(option.financing_changes.all())
    view.changes = [ChangeLine(change, describe_change(change)) for change in changes]
    operation = option.operation
    view.operation = operation
    if operation is None:
        if changes or option.new_cost_ht is not None or option.shift_days or option.new_status:
            view.errors.append("Choisissez l'opération que cette option modifie.")
        return view
    if operation.programme_id != arbitration.programme_id:
        view.errors.append(f"L'opération {operation.code} n'appartient pas au programme de l'arbitrage.")
        return view

    # Cost.
    ttc_after = option_ttc(option)
    view.cost_ht = Amounts(
        operation.estimated_cost_ht,
        option.new_cost_ht if option.new_cost_ht is not None else operation.estimated_cost_ht,
    )
    view.cost_ttc = Amounts(
        operation.estimated_cost_ttc, ttc_after if ttc_after is not None else operation.estimated_cost_ttc
    )
    if option.new_cost_ht is not None and ttc_after is None:
        view.errors.append("Indiquez le taux de TVA ou le coût TTC du nouveau coût.")
    if option.new_cost_ht is not None and ttc_after is not None and ttc_after < option.new_cost_ht:
        view.errors.append("Le coût TTC ne peut pas être inférieur au coût HT.")

    # Status.
    view.status_before_label = OperationStatus(operation.status).label
    if option.new_status:
        if option.new_status not in OperationStatus.values:
            view.errors.append(f"Statut inconnu : « {option.new_status} ».")
        else:
            view.new_status_label = OperationStatus(option.new_status).label
            if option.new_status not in allowed_targets(operation.status):
                view.errors.append(
                    f"L'opération {operation.code} est « {view.status_before_label} » : elle ne peut pas passer "
                    f"à « {view.new_status_label} »."
                )

    # Financing plan, in memory.
    plan = data.plans.get(operation.pk)
    lines = data.lines.get(operation.pk, [])
    view.plan = plan
    after, errors = lines_after(plan, lines, changes)
    view.errors += errors
    planned = data.planned.get(operation.pk, [])
    if plan is not None:
        plan_after = copy.copy(plan)
        delta_ht, delta_ttc = view.cost_ht.delta or ZERO, view.cost_ttc.delta or ZERO
        if view.cost_ht.before is None and option.new_cost_ht is not None:
            delta_ht = option.new_cost_ht - plan.eligible_cost_ht
        if view.cost_ttc.before is None and ttc_after is not None:
            delta_ttc = ttc_after - plan.eligible_cost_ttc
        plan_after.eligible_cost_ht = max(plan.eligible_cost_ht + delta_ht, ZERO)
        plan_after.eligible_cost_ttc = max(plan.eligible_cost_ttc + delta_ttc, ZERO)
        view.eligible_ht = Amounts(plan.eligible_cost_ht, plan_after.eligible_cost_ht)
        view.eligible_ttc = Amounts(plan.eligible_cost_ttc, plan_after.eligible_cost_ttc)
        before_f, after_f = _by_funder(lines), _by_funder(after)
        view.funders = sorted(
            (
                FunderDelta(name, before_f.get(name, ZERO), after_f.get(name, ZERO))
                for name in {*before_f, *after_f}
            ),
            key=lambda f: (f.delta, f.funder),
        )
        own_b, public_b, total_b = _own_and_public(lines)
        own_a, public_a, total_a = _own_and_public(after)
        view.public_aid = Amounts(public_b, public_a)
        view.own_share = Amounts(own_b, own_a)
        view.own_share_rate = Amounts(
            own_b / (own_b + public_b) if own_b + public_b else None,
            own_a / (own_a + public_a) if own_a + public_a else None,
        )
        view.financing_total_ht = Amounts(total_b, total_a)
        view.checks = _pair_checks(
            rules.check_plan(plan, lines, day=day, parameters=data.table),
            rules.check_plan(plan_after, after, day=day, parameters=data.table),
        )
        view.net_planned = Amounts(
            _net(plan, lines, operation, planned, data, day),
            _net(plan_after, after, operation, _planned_after(planned, view, 0), data, day),
        )

    # Schedule.
    phases = data.phases.get(operation.pk, [])
    days = option.shift_days or 0
    todo = unfinished(phases)
    view.shifted_phases = len(todo) if days else 0
    if days and not [p for p in todo if (p.forecast_end or p.baseline_end)]:
        view.errors.append(
            f"L'opération {operation.code} n'a pas de phase non terminée datée : le calendrier ne peut pas être décalé."
        )
    end_before = planned_end(phases)
    end_after = _shift(end_before, days) if days else end_before
    view.end = Amounts(end_before, end_after)  # type: ignore[arg-type]
    start_before = planned_start(phases)
    start_after = _start_after(phases, days) if days else start_before
    view.start = Amounts(start_before, start_after)  # type: ignore[arg-type]
    if end_before is not None and end_after is not None:
        view.year_shift = end_after.year - end_before.year

    # AP/CP and the yearly effect.
    for ap in data.authorisations.get(operation.pk, []):
        covered = sum((o.estimated_cost_ttc or ZERO for o in ap.operations.all()), ZERO)
        after_cost = covered - (view.cost_ttc.before or ZERO) + (view.cost_ttc.after or ZERO)
        view.authorisations.append(
            ApImpact(ap.number, ap.label, authorisation_amount(ap), covered, after_cost)
        )
    view.years = _years(planned, view)

    # Legal deadlines of the operation's subsidy requests.
    for request in data.requests.get(operation.pk, []):
        found = deadlines_for(request, data.scheme_rules.get(request.scheme_id) or None, day=day)
        for deadline in found:
            if deadline.status not in OPEN_STATUSES:
                continue
            if deadline.code == START:
                view.deadlines.append(
                    DeadlineRisk(
                        str(request),
                        deadline.label,
                        deadline.due_on,
                        deadline.rule,
                        start_before,
                        start_after,
                    )
                )
            elif deadline.code == COMPLETION:
                view.deadlines.append(
                    DeadlineRisk(
                        str(request), deadline.label, deadline.due_on, deadline.rule, end_before, end_after
                    )
                )
    return view


def _ratio(view: OptionView) -> Decimal:
    before, after = view.cost_ttc.before, view.cost_ttc.after
    if not before or after is None:
        return Decimal(1)
    return after / before


def _planned_after(
    planned: Sequence[PlannedInvestment], view: OptionView, shift: int
) -> list[PlannedInvestment]:
    """Unsaved copies of the PPI rows scaled by the cost ratio and moved by `shift` years."""
    ratio = _ratio(view)
    rows = []
    for row in planned:
        moved = copy.copy(row)
        moved.year = row.year + shift
        moved.amount_ttc = round_cents(row.amount_ttc * ratio)
        rows.append(moved)
    return rows


def _years(planned: Sequence[PlannedInvestment], view: OptionView) -> list[YearAmounts]:
    before: dict[int, Decimal] = defaultdict(lambda: ZERO)
    after: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in planned:
        before[row.year] += row.amount_ttc
    for row in _planned_after(planned, view, view.year_shift):
        after[row.year] += row.amount_ttc
    years = sorted({*before, *after})
    return [YearAmounts(year, before.get(year, ZERO), after.get(year, ZERO)) for year in years]


def options_with_impact(arbitration: Arbitration, *, day: datetime.date) -> list[OptionView]:
    """Every option of the note with its computed impact on `day`, in letter order."""
    options = _options(arbitration)
    operations = list({o.operation_id: o.operation for o in options if o.operation_id}.values())
    data = _load(operations)
    return [_impact(option, arbitration, data, day) for option in options]


# --- The frozen form (JSON-safe) ----------------------------------------------------------------------------------


def _s(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _amounts(amounts: Amounts) -> dict[str, object]:
    return {
        "before": _s(amounts.before),
        "after": _s(amounts.after),
        "delta": _s(getattr(amounts, "delta", None)),
    }


def _check(check: rules.Check | None) -> dict[str, object] | None:
    if check is None:
        return None
    return {
        "state": check.state,
        "label": check.state_label,
        "message": check.message,
        "reference": check.legal_reference,
    }


def snapshot_view(view: OptionView) -> dict[str, object]:
    option = view.option
    dates = lambda a: {"before": _s(a.before), "after": _s(a.after)}
    return {
        "letter": option.letter,
        "title": option.title,
        "description": option.description,
        "risks": option.risks,
        "partner_opinions": option.partner_opinions,
        "errors": list(view.errors),
        "changes": {
            "operation": str(view.operation) if view.operation else "",
            "new_cost_ht": _s(option.new_cost_ht),
            "new_vat_rate": _s(option.new_vat_rate),
            "new_cost_ttc": _s(option_ttc(option)),
            "shift_days": option.shift_days,
            "new_status": option.new_status,
            "new_status_label": view.new_status_label,
            "financing": [line.text for line in view.changes],
        },
        "impact": {
            "cost_ht": _amounts(view.cost_ht),
            "cost_ttc": _amounts(view.cost_ttc),
            "eligible_ht": _amounts(view.eligible_ht),
            "eligible_ttc": _amounts(view.eligible_ttc),
            "funders": [
                {"funder": f.funder, "before": _s(f.before), "after": _s(f.after), "delta": _s(f.delta)}
                for f in view.funders
            ],
            "public_aid": _amounts(view.public_aid),
            "own_share": _amounts(view.own_share),
            "own_share_rate": {
                "before": _s(view.own_share_rate.before),
                "after": _s(view.own_share_rate.after),
            },
            "checks": [
                {"title": c.title, "before": _check(c.before), "after": _check(c.after), "changed": c.changed}
                for c in view.checks
            ],
            "net_planned": _amounts(view.net_planned),
            "authorisations": [
                {
                    "number": ap.number,
                    "label": ap.label,
                    "amount": _s(ap.amount),
                    "covered_before": _s(ap.covered_before),
                    "covered_after": _s(ap.covered_after),
                    "shortfall": _s(ap.shortfall),
                    "message": ap.message,
                }
                for ap in view.authorisations
            ],
            "years": [
                {"year": y.year, "before": _s(y.before), "after": _s(y.after), "delta": _s(y.delta)}
                for y in view.years
            ],
            "yearly_rule": YEARLY_RULE,
            "start": dates(view.start),
            "end": dates(view.end),
            "deadlines": [
                {
                    "request": d.request,
                    "label": d.label,
                    "due_on": _s(d.due_on),
                    "crossed": d.crossed,
                    "message": d.message,
                }
                for d in view.deadlines
            ],
        },
    }


def snapshot_impacts(arbitration: Arbitration, *, day: datetime.date) -> dict[str, object]:
    """Option letter → title, description, changes and computed impact, JSON-safe (Decimals as strings, dates
    ISO): what a decision freezes."""
    return {view.option.letter: snapshot_view(view) for view in options_with_impact(arbitration, day=day)}
