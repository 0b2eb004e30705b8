"""The participation demo of the Wassy and La Porte du Der programme (issue 11): concertation, communication,
letters, network events and good-practice sheets. Idempotent (upsert on natural keys)."""

from typing import TYPE_CHECKING

from operations.participation import demo_communication, demo_concertation, demo_letters, demo_sheets

if TYPE_CHECKING:
    from partners.models import Organisation
    from programmes.models import Programme
    from pvd.accounts.models import User


def load(programme: "Programme", orgs: dict[str, "Organisation"], users: dict[str, "User"]) -> None:
    demo_concertation.load(programme, orgs, users)
    demo_communication.load(programme, orgs, users)
    demo_letters.load(programme, orgs, users)  # after concertation and communication: the letters report them
    demo_sheets.load(programme, orgs, users)
