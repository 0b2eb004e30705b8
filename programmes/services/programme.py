"""Writes of the programmes app: keyword-only, validated, atomic, recorded in the history."""

import datetime

from programmes.models import Programme
from pvd.accounts.models import User
from pvd.concurrency import save_versioned

KEY_DATE_FIELDS = ("selected_on", "adhesion_signed_on", "framework_signed_on", "ends_on", "description")


def programme_update_key_dates(
    *,
    programme: Programme,
    expected_version: int,
    by: User,
    selected_on: datetime.date | None,
    adhesion_signed_on: datetime.date | None,
    framework_signed_on: datetime.date | None,
    ends_on: datetime.date | None,
    description: str,
) -> Programme:
    """Change a programme's key dates. Refused with StaleObjectError if someone saved it meanwhile,
    with ValidationError if the dates contradict each other. The history records `by`."""
    return save_versioned(
        programme,
        expected_version=expected_version,
        by=by,
        changes={
            "selected_on": selected_on,
            "adhesion_signed_on": adhesion_signed_on,
            "framework_signed_on": framework_signed_on,
            "ends_on": ends_on,
            "description": description,
        },
    )
