"""Rows of the access matrix for the annual reports (issue 10, H5): the 2025 report of the territory's programme.

A helper module (no test here): tests/test_access_matrix.py imports `annual_report_row`."""

from programmes.indicators.models import AnnualReport
from tests.conftest import Territory
from tests.factories import UserFactory


def annual_report_row(t: Territory) -> AnnualReport:
    """The programme's report of 2025 (created once per test)."""
    report = AnnualReport.objects.filter(programme=t.programme, year=2025).first()
    if report is None:
        report = AnnualReport.objects.create(programme=t.programme, year=2025, created_by=UserFactory())
    return report
