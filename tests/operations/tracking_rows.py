"""Tracking rows of the access matrix (tests/test_access_matrix.py): made on demand for one territory.

An operation of Wassy in the programme, with a phase, a journal entry with an attachment and a difficulty:
the programme's readers and the mayor of Wassy read them; the mayor of La Porte du Der does not see them (404);
only the programme's managers (and staff) open the edit pages (403 for the other readers).
"""

import datetime
from dataclasses import dataclass

from operations.models import Operation, Phase, ProgressReport, Risk, RiskKind
from tests.conftest import Territory
from tests.factories import UserFactory
from tests.operations.factories import OperationFactory, PhaseFactory
from tests.programmes.factories import pdf_file


@dataclass
class TrackingRows:
    operation: Operation
    phase: Phase
    report: ProgressReport
    risk: Risk


def tracking_rows(t: Territory) -> TrackingRows:
    """The rows, created once per test (the territory object caches them)."""
    rows = getattr(t, "_tracking_rows", None)
    if rows is None:
        operation = OperationFactory(
            programme=t.programme,
            code="W-01",
            title="Requalification de la place",
            owner=t.wassy,
            communes=[t.wassy],
        )
        phase = PhaseFactory(operation=operation, name="Études préalables")
        report = ProgressReport.objects.create(
            operation=operation,
            reported_on=datetime.date(2026, 11, 2),
            author=UserFactory(),
            weather=ProgressReport.Weather.ON_TRACK,
            text="Réunion de lancement tenue.",
            attachment=pdf_file("compte-rendu.pdf"),
        )
        risk = Risk.objects.create(operation=operation, kind=RiskKind.DIFFICULTY, description="Fouilles")
        rows = TrackingRows(operation, phase, report, risk)
        t._tracking_rows = rows  # type: ignore[attr-defined]
    return rows
