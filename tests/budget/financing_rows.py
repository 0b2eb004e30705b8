"""Financing rows of the access matrix (tests/test_access_matrix.py): made on demand for one territory.

An operation of Wassy in the programme with its financing plan and one line (the owner's own funds): the
programme's readers and the mayor of Wassy read the money tab and its export; the mayor of La Porte du Der
does not see it (404); only the programme's managers (and staff) open the edit pages (403 for other readers).
"""

from dataclasses import dataclass
from decimal import Decimal

from budget.models import FinancingLine, FinancingPlan, FundingCategory
from operations.models import Operation
from tests.budget.factories import FinancingLineFactory, FinancingPlanFactory
from tests.conftest import Territory
from tests.operations.factories import OperationFactory


@dataclass
class FinancingRows:
    operation: Operation
    plan: FinancingPlan
    line: FinancingLine


def financing_rows(t: Territory) -> FinancingRows:
    """The rows, created once per test (the territory object caches them)."""
    rows = getattr(t, "_financing_rows", None)
    if rows is None:
        operation = OperationFactory(
            programme=t.programme,
            code="W-F1",
            title="Réhabilitation de la halle",
            owner=t.wassy,
            communes=[t.wassy],
        )
        plan = FinancingPlanFactory(operation=operation, expense_year=2026)
        line = FinancingLineFactory(
            plan=plan, category=FundingCategory.OWN_FUNDS, funder=t.wassy, amount_ht=Decimal("100000.00")
        )
        rows = FinancingRows(operation, plan, line)
        t._financing_rows = rows  # type: ignore[attr-defined]
    return rows
