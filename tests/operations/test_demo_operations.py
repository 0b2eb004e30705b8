"""The demo action plan (operations/demo.py): ~25 operations at every stage, some late, idempotent."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from operations.models import Operation, Phase, ProgressReport, Risk, RiskStatus
from pvd.accounts.models import User

NOV_28 = datetime.date(2026, 11, 28)


@pytest.fixture
def demo(db, settings) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())


def test_the_demo_has_operations_of_both_communes_at_every_stage(demo) -> None:
    codes = set(Operation.objects.values_list("code", flat=True))
    assert len(codes) == 25
    assert {"W-01", "LPD-01", "PVD-01"} <= codes
    assert set(Operation.objects.values_list("status", flat=True)) == {
        "idea", "mature", "committed", "works", "delivered", "closed", "suspended", "abandoned"
    }  # fmt: skip
    shared = Operation.objects.get(code="PVD-01")
    assert sorted(shared.communes.values_list("insee_code", flat=True)) == ["52331", "52550"]


def test_some_operations_are_late_with_a_reason_and_journals_and_risks(demo) -> None:
    late = set(Operation.objects.late(NOV_28).values_list("code", flat=True))
    assert {"W-01", "LPD-01", "PVD-01", "LPD-06"} <= late
    assert "W-03" not in late and "W-06" not in late  # on schedule; delivered
    assert Phase.objects.exclude(slip_reason="").count() >= 5
    assert ProgressReport.objects.filter(author__email="cheffe-de-projet@pvd.example").count() >= 8
    escalated = Risk.objects.get(status=RiskStatus.ESCALATED)
    assert escalated.kind == "difficulty" and escalated.escalated_by == User.objects.get(
        email="cheffe-de-projet@pvd.example"
    )


def test_a_second_load_changes_nothing(demo) -> None:
    def counts() -> tuple[int, ...]:
        return tuple(model.objects.count() for model in (Operation, Phase, ProgressReport, Risk)) + tuple(
            model.history.count() for model in (Operation, Phase, ProgressReport, Risk)
        )

    before = counts()
    call_command("load_demo", stdout=StringIO())
    assert counts() == before
