"""Demo of the communication part (issue 11)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partners.models import Organisation
    from programmes.models import Programme
    from pvd.accounts.models import User


def load(programme: "Programme", orgs: dict[str, "Organisation"], users: dict[str, "User"]) -> None:
    """Filled by the communication part."""
