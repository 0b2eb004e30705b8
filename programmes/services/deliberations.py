"""Writes of deliberations (issue 9, DOMAIN.md §6.2): the acts by which a local authority approves a convention and
authorises its signature.

Only a local authority deliberates (commune, EPCI, department, region); publication and transmission to the préfet
cannot precede adoption (database constraints, whose French messages `full_clean` surfaces on the form). Keyword-only,
atomic, audited (the history user on every row); updates refuse a stale version (StaleObjectError).
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from partners.models import Organisation, OrganisationKind
from programmes.models import Deliberation, Programme
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned

LOCAL_AUTHORITY_KINDS = frozenset(
    {OrganisationKind.COMMUNE, OrganisationKind.EPCI, OrganisationKind.DEPARTMENT, OrganisationKind.REGION}
)


def _check_organisation(organisation: Organisation) -> None:
    if organisation.kind not in LOCAL_AUTHORITY_KINDS:
        raise ValidationError({"organisation": "Seule une collectivité délibère."})


@transaction.atomic
def deliberation_create(
    *,
    programme: Programme,
    by: User,
    organisation: Organisation,
    body: str,
    number: str,
    adopted_on: datetime.date,
    subject: str,
    published_on: datetime.date | None = None,
    transmitted_on: datetime.date | None = None,
    file: UploadedFile | None = None,
) -> Deliberation:
    """Record a deliberation for the programme. The file must have passed the form's checks (PDF, size)."""
    _check_organisation(organisation)
    deliberation = Deliberation(
        programme=programme,
        organisation=organisation,
        body=body,
        number=number,
        adopted_on=adopted_on,
        subject=subject,
        published_on=published_on,
        transmitted_on=transmitted_on,
    )
    if file is not None:
        deliberation.file = file
    save_audited(deliberation, by)
    return deliberation


@transaction.atomic
def deliberation_update(
    *,
    deliberation: Deliberation,
    expected_version: int,
    by: User,
    organisation: Organisation,
    body: str,
    number: str,
    adopted_on: datetime.date,
    subject: str,
    published_on: datetime.date | None,
    transmitted_on: datetime.date | None,
    file: UploadedFile | None = None,
    remove_file: bool = False,
) -> Deliberation:
    """Change a deliberation — typically to record its publication and transmission, which make it enforceable.
    `file` replaces the stored PDF, `remove_file` drops it."""
    _check_organisation(organisation)
    changes: dict[str, object] = {
        "organisation": organisation,
        "body": body,
        "number": number,
        "adopted_on": adopted_on,
        "subject": subject,
        "published_on": published_on,
        "transmitted_on": transmitted_on,
    }
    if file is not None:
        changes["file"] = file
    elif remove_file:
        changes["file"] = ""
    return save_versioned(deliberation, expected_version=expected_version, by=by, changes=changes)
