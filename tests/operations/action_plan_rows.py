"""Action plan rows of the access matrix (tests/test_access_matrix.py): made on demand for one territory.

An operation of Wassy in the programme: the mayor of Wassy reads it, the mayor of La Porte du Der does not
see it (404), the programme's readers read it, its manager edits it.
"""

from operations.models import Operation
from tests.conftest import Territory
from tests.operations.factories import OperationFactory


def wassy_operation(t: Territory) -> Operation:
    """The operation, created once per test (the territory object caches it)."""
    operation = getattr(t, "_wassy_operation", None)
    if operation is None:
        operation = OperationFactory(
            programme=t.programme,
            code="W-03",
            title="Requalification de la place Notre-Dame",
            owner=t.wassy,
            communes=[t.wassy],
        )
        t._wassy_operation = operation  # type: ignore[attr-defined]
    return operation
