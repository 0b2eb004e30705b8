"""Reads of conventions (issue 9): who reads one, the parties' block."""

from typing import TYPE_CHECKING

from django.db.models import Model

from operations.conventions.blocks import Table, table
from operations.conventions.models import BlockKind, Convention
from operations.conventions.snapshot import deliberation_label
from pvd.accounts import policy

if TYPE_CHECKING:
    from pvd.accounts.models import User


def can_read_convention(user: "User", convention: Model) -> bool:
    """In the user's scope (drafts: managers and referents only; then the programme's readers and the mayors of
    the communes that sign)."""
    return policy.visible_to(Convention.objects.filter(pk=convention.pk), user).exists()


def convention_for_user(user: "User", pk: int) -> Convention:
    """One convention in the user's scope with what its page header needs, or 404."""
    return policy.get_for_user(
        Convention.objects.select_related("programme__epci", "housing_programme", "parent", "created_by"),
        user,
        pk=pk,
    )


def signatories_block(convention: Convention) -> Table:
    """Parties and signatories, with the deliberation that authorises each local authority (one query)."""
    rows = [
        (
            f"signataire-{signatory.organisation_id}",
            [
                signatory.organisation.name,
                " — ".join(part for part in (signatory.signer_name, signatory.signer_capacity) if part),
                deliberation_label(signatory.deliberation)
                or ("à délibérer" if signatory.needs_deliberation else "sans objet"),
            ],
        )
        for signatory in convention.signatories.select_related("organisation", "deliberation").order_by(
            "order", "pk"
        )
    ]
    return table(
        BlockKind.SIGNATORIES,
        [
            ("Partie", False),
            ("Signataire et qualité", False),
            ("Délibération autorisant la signature", False),
        ],
        rows,
        empty="Aucun signataire n'est encore désigné.",
    )
