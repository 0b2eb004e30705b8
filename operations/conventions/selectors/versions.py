"""Reads of issued versions and avenants (issue 9, H3): a version in the user's scope, the public lookup by token,
the two snapshots an avenant's comparison puts side by side, the hash check of an uploaded file."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Max
from django.http import Http404

from operations.conventions.models import SIGNED_STATUSES, Convention, ConventionVersion
from operations.conventions.services.conventions import version_in_force
from operations.conventions.snapshot import take_snapshot
from pvd.accounts import policy

if TYPE_CHECKING:
    from pvd.accounts.models import User


def version_for_user(user: "User", pk: int) -> ConventionVersion:
    """One issued version with what its page needs, or 404 when its convention is out of the user's scope."""
    return policy.get_for_user(
        ConventionVersion.objects.select_related(
            "convention__programme",
            "convention__housing_programme",
            "convention__parent",
            "document",
            "issued_by",
            "signed_scan_uploaded_by",
        ),
        user,
        pk=pk,
    )


def version_by_token(token: str) -> ConventionVersion:
    """The version a QR code points to (public), or 404."""
    version = (
        ConventionVersion.objects.select_related(
            "convention__programme", "convention__housing_programme", "document"
        )
        .filter(token=token)
        .first()
    )
    if version is None:
        raise Http404("Aucune version émise ne correspond à ce code de vérification.")
    return version


def next_amendment_number(parent: Convention) -> int:
    return (parent.amendments.aggregate(top=Max("amendment_number"))["top"] or 0) + 1


def sha256_of(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


# --- Comparison of an avenant ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparedSides:
    """The two snapshots of an avenant's comparison and where each comes from."""

    base: ConventionVersion | None  # the version in force the avenant amends
    old: dict[str, Any] | None
    new: dict[str, Any]
    new_version: ConventionVersion | None  # the avenant's signed version, once signed; None: its live draft


def _base_version(avenant: Convention) -> ConventionVersion | None:
    """What the avenant amends. Before its signature: the version in force (services.version_in_force). Once it
    is signed, the version in force has become its own: compare with the one in force before it — the signed
    version of the latest earlier signed avenant, else the convention's own signed version."""
    if avenant.status not in SIGNED_STATUSES:
        return version_in_force(avenant.parent)
    return version_in_force(avenant.parent, before=avenant)


def compared_sides(avenant: Convention) -> ComparedSides:
    base = _base_version(avenant)
    signed = avenant.versions.filter(signed=True).first() if avenant.status in SIGNED_STATUSES else None
    new = signed.snapshot if signed is not None else take_snapshot(avenant)
    return ComparedSides(base=base, old=base.snapshot if base else None, new=new, new_version=signed)
