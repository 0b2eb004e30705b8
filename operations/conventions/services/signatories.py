"""Writes of a convention's parties (issue 9): add, edit, remove a signatory.

The parties change only while the text does (draft, review: `EDITABLE_STATUSES`); once approved by the
deliberations they are frozen, and once signed they change through an avenant. A local authority's signature is
authorised by a deliberation of that same authority (DOMAIN.md §6.2). One row per organisation.

Keyword-only, atomic, audited (the history user on every row); refusals as ConventionError (French).
"""

from django.db import transaction

from operations.conventions.models import (
    SIGNED_STATUSES,
    Convention,
    ConventionStatus,
    Signatory,
)
from operations.conventions.services.conventions import ConventionError
from partners.models import Organisation
from programmes.models import Deliberation
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned

SIGNATORY_FIELDS = ("organisation", "signer_name", "signer_capacity", "deliberation", "order")


def parties_frozen_reason(convention: Convention) -> str:
    """Why the parties of `convention` may not change now, in French — or "" while they may."""
    if convention.is_editable:
        return ""
    if convention.status in SIGNED_STATUSES:
        return "La convention est signée : ses parties se modifient par avenant."
    if convention.status == ConventionStatus.APPROVED:
        return "La convention est approuvée par délibérations : repassez-la « en relecture » pour modifier ses parties."
    return "Les parties de cette convention ne se modifient plus."


def _locked_editable(convention: Convention) -> Convention:
    current = Convention.objects.select_for_update(of=("self",)).get(pk=convention.pk)
    reason = parties_frozen_reason(current)
    if reason:
        raise ConventionError(reason)
    return current


def _check_party(
    convention: Convention,
    organisation: Organisation,
    deliberation: Deliberation | None,
    exclude_pk: int | None = None,
) -> None:
    if deliberation is not None and deliberation.organisation_id != organisation.pk:
        raise ConventionError(
            f"La délibération n° {deliberation.number} a été adoptée par {deliberation.organisation.name} : "
            f"elle ne peut pas autoriser la signature de {organisation.name}."
        )
    others = Signatory.objects.filter(convention=convention, organisation=organisation)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ConventionError(f"{organisation.name} signe déjà la convention.")


@transaction.atomic
def signatory_create(
    *,
    convention: Convention,
    by: User,
    organisation: Organisation,
    signer_name: str = "",
    signer_capacity: str = "",
    deliberation: Deliberation | None = None,
    order: int = 1,
) -> Signatory:
    """Add a party to a convention in draft or in review."""
    current = _locked_editable(convention)
    _check_party(current, organisation, deliberation)
    signatory = Signatory(
        convention=current,
        organisation=organisation,
        signer_name=signer_name.strip(),
        signer_capacity=signer_capacity.strip(),
        deliberation=deliberation,
        order=order,
    )
    save_audited(signatory, by)
    return signatory


@transaction.atomic
def signatory_update(
    *, signatory: Signatory, by: User, changes: dict[str, object], expected_version: int
) -> Signatory:
    """Change a party (organisation, signer, capacity, deliberation, order) if nobody did since the form."""
    unknown = set(changes) - set(SIGNATORY_FIELDS)
    if unknown:
        raise ConventionError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    changes = dict(changes)
    current = _locked_editable(signatory.convention)
    organisation = changes.get("organisation", signatory.organisation)
    deliberation = changes.get("deliberation", signatory.deliberation)
    _check_party(current, organisation, deliberation, exclude_pk=signatory.pk)
    for name in ("signer_name", "signer_capacity"):
        if isinstance(changes.get(name), str):
            changes[name] = changes[name].strip()
    return save_versioned(signatory, expected_version=expected_version, changes=changes, by=by)


@transaction.atomic
def signatory_delete(*, signatory: Signatory, by: User) -> None:
    """Remove a party from a convention in draft or in review (its history keeps who removed it)."""
    _locked_editable(signatory.convention)
    signatory._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
    signatory.delete()
