"""The financers' publicity obligations of a programme (issue 11, DOMAIN.md §8): what each financer of an operation
requires to be shown (its logo or mention, the DETR site panel…), whether a communication action meets it, and
which actions forget a financer of their operations.

Which obligations apply, on a day `on`:
- for each financing line of an operation that is **granted** (« due ») or **requested** (« à prévoir »): the
  `partners.PublicityRequirement` rows in force on `on` of the line's scheme, or of the line's funder with no
  scheme; the funder to credit is the line's. Own funds and loans bring none, nor a refused or envisaged line.
- for each subsidy request with a decision (awarded and later) flagged `publicity_required`: the generic
  obligation to credit that financer on any channel, for each operation the request finances.
An obligation is **met** by a communication action linked to the operation, done, whose channel the requirement
applies to (`applies_to`; the generic one: any channel) and which credits the funder; otherwise it is **missing**
(or still « à prévoir » for a requested line).

Rows come through the access policy (`visible_to`): a mayor sees only their commune's operations, their lines,
requests and actions. A fixed number of queries whatever the number of operations: the lines, the decisions,
the requirements, the actions with their operations and funders.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from budget.models import (
    FinancingLine,
    FinancingLineStatus,
    SubsidyAllocation,
    SubsidyStatus,
)
from budget.models.reference import OWN_CATEGORIES
from operations.models import CommunicationAction, Operation, OperationStatus
from operations.participation.models import CommunicationStatus
from partners.models import CommunicationKind, Organisation, PublicityRequirement
from programmes.models import Programme
from pvd.accounts.models import User

GENERIC_LABEL = "Publicité exigée par la décision d'attribution"
# A request whose decision is taken (its conditions, the publicity flag included, bind the owner).
DECIDED = (
    SubsidyStatus.AWARDED,
    SubsidyStatus.NOTIFIED,
    SubsidyStatus.STARTED,
    SubsidyStatus.COMPLETED,
    SubsidyStatus.SETTLED,
)

MET, MISSING, TO_PLAN = "met", "missing", "to_plan"
STATE_LABELS = {MET: "Respectée", MISSING: "Manquante", TO_PLAN: "À prévoir"}


@dataclass
class Obligation:
    operation: Operation
    funder: Organisation
    label: str
    description: str
    channels: tuple[str, ...]  # empty: any channel
    requirement: PublicityRequirement | None  # None: the generic obligation of a decision
    sources: list[str]  # the lines or decisions it comes from (« DETR 2023 »)
    due: bool  # granted line or decision; False: requested line (« à prévoir »)
    met_by: list[CommunicationAction] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.met_by:
            return MET
        return MISSING if self.due else TO_PLAN

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def channel_labels(self) -> str:
        if not self.channels:
            return "Tout support"
        return ", ".join(
            str(CommunicationKind(c).label) for c in self.channels if c in CommunicationKind.values
        )

    def applies_to(self, kind: str) -> bool:
        return not self.channels or kind in self.channels


@dataclass
class OperationObligations:
    operation: Operation
    obligations: list[Obligation]

    @property
    def missing(self) -> list[Obligation]:
        return [o for o in self.obligations if o.state == MISSING]


@dataclass
class ActionGap:
    """A communication action (not cancelled) and the financers of its operations it does not credit."""

    action: CommunicationAction
    operations: list[Operation]
    funders: list[Organisation]  # every financer of its operations
    uncredited: list[Organisation]


@dataclass
class PublicityReport:
    programme: Programme
    on: datetime.date
    operations: list[OperationObligations]
    actions: list[ActionGap]

    @property
    def obligations(self) -> list[Obligation]:
        return [o for group in self.operations for o in group.obligations]

    @property
    def missing(self) -> list[Obligation]:
        return [o for o in self.obligations if o.state == MISSING]

    @property
    def with_missing(self) -> list[OperationObligations]:
        return [group for group in self.operations if group.missing]

    def count(self, state: str) -> int:
        return sum(1 for o in self.obligations if o.state == state)

    @property
    def met_count(self) -> int:
        return self.count(MET)

    @property
    def missing_count(self) -> int:
        return self.count(MISSING)

    @property
    def to_plan_count(self) -> int:
        return self.count(TO_PLAN)


def _lines(user: User, programme: Programme) -> list[FinancingLine]:
    operations = Operation.objects.visible_to(user).filter(programme=programme)
    return list(
        FinancingLine.objects.visible_to(user)
        .filter(
            plan__operation__in=operations.exclude(status=OperationStatus.ABANDONED).values("pk"),
            status__in=(FinancingLineStatus.GRANTED, FinancingLineStatus.REQUESTED),
        )
        .exclude(category__in=OWN_CATEGORIES)  # the owner's own money: no financer to credit
        .select_related("plan__operation", "funder", "scheme")
        .order_by("plan__operation__code", "position", "pk")
    )


def _decisions(user: User, programme: Programme) -> list[SubsidyAllocation]:
    operations = Operation.objects.visible_to(user).filter(programme=programme)
    return list(
        SubsidyAllocation.objects.visible_to(user)
        .filter(
            operation__in=operations.exclude(status=OperationStatus.ABANDONED).values("pk"),
            request__publicity_required=True,
            request__status__in=DECIDED,
        )
        .select_related("operation", "request__funder")
        .order_by("operation__code", "request__pk")
    )


def _requirements(lines: list[FinancingLine], on: datetime.date) -> list[PublicityRequirement]:
    schemes = {line.scheme_id for line in lines if line.scheme_id}
    funders = {line.funder_id for line in lines}
    if not lines:
        return []
    return list(
        PublicityRequirement.objects.valid_on(on)
        .filter(Q(scheme_id__in=schemes) | Q(scheme__isnull=True, funder_id__in=funders))
        .order_by("label", "pk")
    )


def requirements_for(
    line: FinancingLine, requirements: list[PublicityRequirement]
) -> list[PublicityRequirement]:
    """The requirements that apply to a line: its scheme's, or its funder's when they name no scheme."""
    return [
        r
        for r in requirements
        if (r.scheme_id is not None and r.scheme_id == line.scheme_id)
        or (r.scheme_id is None and r.funder_id == line.funder_id)
    ]


def _actions(user: User, programme: Programme) -> list[CommunicationAction]:
    return list(
        CommunicationAction.objects.visible_to(user)
        .filter(programme=programme)
        .exclude(status=CommunicationStatus.CANCELLED)
        .prefetch_related(
            Prefetch("operations", queryset=Operation.objects.visible_to(user).order_by("code", "pk")),
            Prefetch("funders_credited", queryset=Organisation.objects.order_by("name", "pk")),
        )
        .order_by("-date", "-pk")
    )


def obligations_of(
    lines: list[FinancingLine],
    decisions: list[SubsidyAllocation],
    requirements: list[PublicityRequirement],
) -> list[Obligation]:
    """The obligations of these lines and decisions (not yet matched with actions), one per operation, funder and
    requirement (a granted line makes it due even when another line of the same funder is only requested)."""
    found: dict[tuple[int, int, int | None], Obligation] = {}
    for line in lines:
        due = line.status == FinancingLineStatus.GRANTED
        for requirement in requirements_for(line, requirements):
            key = (line.plan.operation.pk, line.funder_id, requirement.pk)
            obligation = found.get(key)
            if obligation is None:
                found[key] = Obligation(
                    operation=line.plan.operation,
                    funder=line.funder,
                    label=requirement.label,
                    description=requirement.description,
                    channels=tuple(requirement.channels or ()),
                    requirement=requirement,
                    sources=[str(line)],
                    due=due,
                )
            else:
                obligation.sources.append(str(line))
                obligation.due = obligation.due or due
    for allocation in decisions:
        request = allocation.request
        key = (allocation.operation.pk, request.funder_id, None)
        source = request.decision_reference or request.title
        if key in found:
            found[key].sources.append(source)
            continue
        found[key] = Obligation(
            operation=allocation.operation,
            funder=request.funder,
            label=GENERIC_LABEL,
            description=request.conditions,
            channels=(),
            requirement=None,
            sources=[source],
            due=True,
        )
    return list(found.values())


def match(obligations: list[Obligation], actions: list[CommunicationAction]) -> None:
    """Attach to each obligation the done actions that meet it."""
    done_by_operation: dict[int, list[CommunicationAction]] = defaultdict(list)
    for action in actions:
        if action.status == CommunicationStatus.DONE:
            for operation in action.operations.all():
                done_by_operation[operation.pk].append(action)
    for obligation in obligations:
        obligation.met_by = [
            action
            for action in done_by_operation.get(obligation.operation.pk, [])
            if obligation.applies_to(action.kind)
            and any(f.pk == obligation.funder.pk for f in action.funders_credited.all())
        ]


def action_gaps(lines: list[FinancingLine], actions: list[CommunicationAction]) -> list[ActionGap]:
    """Per action (not cancelled), the financers of its operations (granted or requested lines) it does not
    credit."""
    funders_of: dict[int, dict[int, Organisation]] = defaultdict(dict)
    for line in lines:
        funders_of[line.plan.operation.pk][line.funder_id] = line.funder
    gaps = []
    for action in actions:
        operations = list(action.operations.all())
        funders: dict[int, Organisation] = {}
        for operation in operations:
            funders.update(funders_of.get(operation.pk, {}))
        credited = {f.pk for f in action.funders_credited.all()}
        ordered = sorted(funders.values(), key=lambda f: (f.name, f.pk))
        gaps.append(ActionGap(action, operations, ordered, [f for f in ordered if f.pk not in credited]))
    return gaps


def publicity_report(user: User, programme: Programme, *, on: datetime.date) -> PublicityReport:
    """The programme's obligations per operation (missing first), then its actions and what they forget."""
    lines = _lines(user, programme)
    decisions = _decisions(user, programme)
    requirements = _requirements(lines, on)
    actions = _actions(user, programme)
    obligations = obligations_of(lines, decisions, requirements)
    match(obligations, actions)
    grouped: dict[int, OperationObligations] = {}
    for obligation in obligations:
        group = grouped.setdefault(obligation.operation.pk, OperationObligations(obligation.operation, []))
        group.obligations.append(obligation)
    order = {MISSING: 0, TO_PLAN: 1, MET: 2}
    for group in grouped.values():
        group.obligations.sort(key=lambda o: (order[o.state], o.funder.name, o.label))
    groups = sorted(grouped.values(), key=lambda g: (not g.missing, g.operation.code, g.operation.pk))
    return PublicityReport(programme=programme, on=on, operations=groups, actions=action_gaps(lines, actions))
