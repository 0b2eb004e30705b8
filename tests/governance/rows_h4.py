"""H4 rows of the access matrix (tests/test_access_matrix.py) and the scenario of the H4 tests.

`scenario(t, manager)`: a late operation of Wassy (committed, one finished phase and one not begun), its financing
plan (own funds 40 000 € HT / 60 000 € TTC, a DETR line of 30 000 € requested, a Region line of 30 000 € granted;
eligible expense 100 000 € HT / 120 000 € TTC, balanced, own share 40 %), its PPI rows (2026, 2027), an AP covering
it, a DETR request notified on 15/01/2025 (start deadline 15/01/2027), and a draft arbitration on it with option A
(shift the schedule by 90 days and withdraw the DETR line) and option B (new cost, Region line lowered).

`h4_rows(t)`: for the matrix, a draft note with one option, a note decided (option approved) and its option.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from budget.models import FinancingLine, FinancingLineStatus, FinancingPlan, FundingCategory, SubsidyStatus
from operations.models import Operation, OperationStatus, Phase
from pvd.accounts.models import User
from pvd.governance.models import (
    Arbitration,
    ArbitrationOption,
    ArbitrationOutcome,
    ArbitrationStatus,
    FinancingChangeAction,
    OptionFinancingChange,
)
from tests.budget.factories import (
    FinancingLineFactory,
    FinancingPlanFactory,
    PlannedInvestmentFactory,
    ProgrammeAuthorisationFactory,
    SubsidyAllocationFactory,
    SubsidyRequestFactory,
    scheme,
)
from tests.conftest import Territory
from tests.factories import OrganisationFactory, UserFactory
from tests.governance.factories import ArbitrationFactory, ArbitrationOptionFactory
from tests.operations.factories import OperationFactory, PhaseFactory

DAY = datetime.date(2026, 11, 30)


@dataclass
class Scenario:
    operation: Operation
    done: Phase
    works: Phase
    plan: FinancingPlan
    own: FinancingLine
    detr: FinancingLine
    region: FinancingLine
    arbitration: Arbitration
    a: ArbitrationOption
    b: ArbitrationOption


@dataclass
class LateOperation:
    operation: Operation
    done: Phase
    works: Phase
    plan: FinancingPlan
    own: FinancingLine
    detr: FinancingLine
    region: FinancingLine


def late_operation(t: Territory) -> LateOperation:
    """The late operation of Wassy with its plan, PPI, AP and DETR request (see the module's docstring)."""
    operation = OperationFactory(
        programme=t.programme,
        code="WAS-HALLE",
        title="Réhabilitation de la halle de Wassy",
        owner=t.wassy,
        communes=[t.wassy],
        status=OperationStatus.COMMITTED,
        estimated_cost_ht=Decimal("100000.00"),
        estimated_cost_ttc=Decimal("120000.00"),
    )
    done = PhaseFactory(
        operation=operation,
        order=1,
        name="Études",
        baseline_start=datetime.date(2025, 9, 1),
        baseline_end=datetime.date(2026, 3, 31),
        actual_start=datetime.date(2025, 9, 1),
        actual_end=datetime.date(2026, 5, 15),
        progress=Decimal(1),
        slip_reason="Études complémentaires.",
    )
    works = PhaseFactory(
        operation=operation,
        order=2,
        name="Travaux",
        baseline_start=datetime.date(2026, 9, 1),
        baseline_end=datetime.date(2027, 6, 30),
        forecast_start=datetime.date(2026, 12, 1),
        forecast_end=datetime.date(2027, 9, 30),
        slip_reason="Retard des études.",
    )
    plan = FinancingPlanFactory(operation=operation)
    state = OrganisationFactory(name="Préfecture de la Haute-Marne", kind="state_service")
    region = OrganisationFactory(name="Région Grand Est", kind="region")
    own = FinancingLineFactory(
        plan=plan,
        position=0,
        amount_ht=Decimal("40000.00"),
        amount_ttc=Decimal("60000.00"),
        status=FinancingLineStatus.GRANTED,
    )
    detr = FinancingLineFactory(
        plan=plan,
        position=1,
        category=FundingCategory.STATE_DOTATION,
        funder=state,
        scheme=scheme("detr"),
        amount_ht=Decimal("30000.00"),
        status=FinancingLineStatus.REQUESTED,
    )
    region_line = FinancingLineFactory(
        plan=plan,
        position=2,
        category=FundingCategory.REGION,
        funder=region,
        label="Région — centralités",
        amount_ht=Decimal("30000.00"),
        status=FinancingLineStatus.GRANTED,
    )
    PlannedInvestmentFactory(operation=operation, year=2026, amount_ttc=Decimal("20000.00"))
    PlannedInvestmentFactory(operation=operation, year=2027, amount_ttc=Decimal("100000.00"))
    ProgrammeAuthorisationFactory(
        programme=t.programme,
        organisation=t.wassy,
        number="AP-2024-01",
        label="Halle",
        initial_amount=Decimal("125000.00"),
        operations=[operation],
    )
    request = SubsidyRequestFactory(
        programme=t.programme,
        beneficiary=t.wassy,
        funder=state,
        scheme=scheme("detr"),
        title="DETR 2025 — halle",
        status=SubsidyStatus.NOTIFIED,
        filed_on=datetime.date(2024, 10, 1),
        decided_on=datetime.date(2025, 1, 10),
        notified_on=datetime.date(2025, 1, 15),
        requested_amount=Decimal("30000.00"),
    )
    SubsidyAllocationFactory(request=request, operation=operation, amount=Decimal("30000.00"))
    return LateOperation(operation, done, works, plan, own, detr, region_line)


def scenario(
    t: Territory, manager: User, *, status: str = ArbitrationStatus.DRAFT, reference: str = ""
) -> Scenario:
    late = late_operation(t)
    operation, done, works, plan, own, detr, region_line = (
        late.operation,
        late.done,
        late.works,
        late.plan,
        late.own,
        late.detr,
        late.region,
    )
    arbitration = ArbitrationFactory(
        programme=t.programme,
        title="Retard de la halle de Wassy",
        requested_by=manager,
        recommendation="Option A : décaler et renoncer à la DETR.",
        **({"reference": reference} if reference else {}),
    )
    arbitration.operations.set([operation])
    a = ArbitrationOptionFactory(
        arbitration=arbitration,
        letter="A",
        title="Décaler de 90 jours sans la DETR",
        operation=operation,
        shift_days=90,
    )
    OptionFinancingChange.objects.create(option=a, action=FinancingChangeAction.WITHDRAW, line=detr)
    b = ArbitrationOptionFactory(
        arbitration=arbitration,
        letter="B",
        title="Réduire le programme",
        operation=operation,
        new_cost_ht=Decimal("80000.00"),
        new_vat_rate=Decimal("0.20"),
        new_cost_ttc=Decimal("96000.00"),
    )
    OptionFinancingChange.objects.create(
        option=b,
        action=FinancingChangeAction.CHANGE,
        line=region_line,
        amount_ht=Decimal("10000.00"),
        amount_ttc=Decimal("10000.00"),
    )
    if status != ArbitrationStatus.DRAFT:
        decide(arbitration, b)
    return Scenario(operation, done, works, plan, own, detr, region_line, arbitration, a, b)


def decide(arbitration: Arbitration, option: ArbitrationOption) -> Arbitration:
    """The note decided, `option` approved (the rows a referent's decision leaves)."""
    Arbitration.objects.filter(pk=arbitration.pk).update(
        status=ArbitrationStatus.DECIDED,
        outcome=ArbitrationOutcome.APPROVED,
        chosen_option=option,
        decided_at=datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.UTC),
        snapshot={"options": {}},
        submitted_at=datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC),
    )
    arbitration.refresh_from_db()
    return arbitration


@dataclass
class H4Rows:
    draft: Arbitration
    option: ArbitrationOption
    decided: Arbitration
    decided_option: ArbitrationOption


def h4_rows(t: Territory) -> H4Rows:
    """The rows, created once per test (the territory object caches them)."""
    rows = getattr(t, "_h4_rows", None)
    if rows is None:
        author = UserFactory(full_name="Auteur H4")
        operation = OperationFactory(programme=t.programme, owner=t.wassy, communes=[t.wassy])
        draft = ArbitrationFactory(programme=t.programme, requested_by=author, reference="ARB-2026-401")
        option = ArbitrationOptionFactory(arbitration=draft, letter="A", operation=operation, shift_days=30)
        decided = ArbitrationFactory(programme=t.programme, requested_by=author, reference="ARB-2026-402")
        decided_option = ArbitrationOptionFactory(arbitration=decided, letter="A", operation=operation)
        decide(decided, decided_option)
        rows = H4Rows(draft, option, decided, decided_option)
        t._h4_rows = rows  # type: ignore[attr-defined]
    return rows


__all__ = ["DAY", "LateOperation", "Scenario", "decide", "h4_rows", "late_operation", "scenario"]
