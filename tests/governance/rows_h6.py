"""H6 rows of the access matrix (tests/test_access_matrix.py): made on demand for one territory.

The calendar feed needs no login — its secret token is the credential — so every persona, anonymous included,
reads the feed of a known token (a manager of the territory's programme made for the row) and gets 404 for an
unknown one.
"""

from dataclasses import dataclass

from pvd.accounts.models import Role
from pvd.governance.services.notify import preferences_for
from tests.conftest import Territory
from tests.factories import MembershipFactory, UserFactory


@dataclass
class H6Rows:
    token: str


def h6_rows(t: Territory) -> H6Rows:
    """The rows, created once per test (the territory object caches them)."""
    rows = getattr(t, "_h6_rows", None)
    if rows is None:
        owner = UserFactory(full_name="Abonnée du calendrier")
        MembershipFactory(user=owner, role=Role.MANAGER, programme=t.programme)
        rows = H6Rows(token=preferences_for(owner).calendar_token)
        t._h6_rows = rows  # type: ignore[attr-defined]
    return rows
