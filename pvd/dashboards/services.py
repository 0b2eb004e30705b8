"""Writes of annual reports (issue 10, H5): create the report of a year, edit its assessment.

Keyword-only, atomic, audited (the history user on every row). One report per programme and year: a duplicate is
refused with the constraint's French message (checked by `full_clean`, and again if two managers create it at the
same moment). The assessment is edited against the version the form was displayed with (StaleObjectError).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programmes.indicators.models import AnnualReport
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned

DUPLICATE = "Ce programme a déjà un rapport annuel pour cette année."


def annual_report_create(*, programme: Programme, year: int, by: User, assessment: str = "") -> AnnualReport:
    """The report of `year` for the programme, written by `by`; its figures are read when it is rendered."""
    report = AnnualReport(programme=programme, year=year, assessment=assessment.strip(), created_by=by)
    try:
        with transaction.atomic():
            save_audited(report, by)
    except IntegrityError as error:  # a report of that year created meanwhile
        raise ValidationError({"year": DUPLICATE}) from error
    return report


@transaction.atomic
def annual_report_update(
    *, report: AnnualReport, expected_version: int, by: User, assessment: str
) -> AnnualReport:
    """Change the qualitative assessment (« bilan qualitatif ») of the report."""
    return save_versioned(
        report, expected_version=expected_version, by=by, changes={"assessment": assessment.strip()}
    )
