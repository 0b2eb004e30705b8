"""Gantt and import rows of the access matrix (tests/test_access_matrix.py): made on demand.

An operation of Wassy with one phase, and an import job of the programme (its file is not needed to show
the status page).
"""

from dataclasses import dataclass

from operations.models import Operation, OperationImport
from pvd.accounts.models import User
from tests.conftest import Territory
from tests.factories import UserFactory
from tests.operations.factories import OperationFactory, PhaseFactory


@dataclass
class GanttRows:
    operation: Operation
    job: OperationImport


def gantt_rows(t: Territory) -> GanttRows:
    rows = getattr(t, "_gantt_rows", None)
    if rows is None:
        operation = OperationFactory(programme=t.programme, code="W-01", owner=t.wassy, communes=[t.wassy])
        PhaseFactory(operation=operation, name="Études préalables")
        author: User = UserFactory(full_name="Auteur de l'import")
        job = OperationImport.objects.create(
            programme=t.programme,
            created_by=author,
            original_name="plan.xlsx",
            file="operations/imports/plan.xlsx",
        )
        rows = GanttRows(operation, job)
        t._gantt_rows = rows  # type: ignore[attr-defined]
    return rows
