"""Programme budget rows of the access matrix (tests/test_access_matrix.py), made once per territory.

Wassy's budget carries an AP (financing the Wassy operation W-03), an AP line of 2026 and an expense on it:
the mayor of Wassy reads them, the mayor of La Porte du Der does not see them (404), the programme's readers
read them, its manager edits them.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from budget.models import BudgetLine, Expense, ProgrammeAuthorisation
from operations.models import Operation
from tests.budget.factories import (
    BudgetLineFactory,
    ExpenseFactory,
    PaymentCreditFactory,
    ProgrammeAuthorisationFactory,
)
from tests.conftest import Territory
from tests.operations.action_plan_rows import wassy_operation


@dataclass
class BudgetRows:
    operation: Operation
    authorisation: ProgrammeAuthorisation
    line: BudgetLine
    expense: Expense


def budget_rows(t: Territory) -> BudgetRows:
    rows = getattr(t, "_budget_rows", None)
    if rows is None:
        operation = wassy_operation(t)
        ap = ProgrammeAuthorisationFactory(
            programme=t.programme, organisation=t.wassy, number="AP-2024-01", operations=[operation]
        )
        PaymentCreditFactory(authorisation=ap, year=2026, amount=Decimal("200000.00"))
        line = BudgetLineFactory(
            programme=t.programme, organisation=t.wassy, operation=operation, authorisation=ap, year=2026
        )
        expense = ExpenseFactory(
            budget_line=line, operation=operation, committed_on=datetime.date(2026, 2, 2)
        )
        rows = BudgetRows(operation, ap, line, expense)
        t._budget_rows = rows  # type: ignore[attr-defined]
    return rows
