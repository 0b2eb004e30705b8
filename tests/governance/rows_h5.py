"""H5 rows of the access matrix (tests/test_access_matrix.py): made on demand for one territory.

An alert of the territory's programme about Wassy (its managers and referents read it, staff too; everyone else
404), an alert of another EPCI's programme (its manager — the outsider — reads it), and a notification of a user
who is none of the personas (everyone gets 404 when opening it: a notification is its user's only).
"""

import datetime
from dataclasses import dataclass

from pvd.governance.models import Alert, Notification
from tests.conftest import Territory
from tests.factories import UserFactory
from tests.governance.factories import AlertFactory, NotificationFactory


@dataclass
class H5Rows:
    alert: Alert
    other_alert: Alert
    notification: Notification


def h5_rows(t: Territory) -> H5Rows:
    """The rows, created once per test (the territory object caches them)."""
    rows = getattr(t, "_h5_rows", None)
    if rows is None:
        alert = AlertFactory(
            programme=t.programme,
            commune=t.wassy,
            kind="operations.late",
            title="Opération en retard — W-01 Place de la mairie",
            due_on=datetime.date(2026, 11, 30),
        )
        other_alert = AlertFactory(programme=t.other_programme, title="Délibération non exécutoire")
        notification = NotificationFactory(
            user=UserFactory(full_name="Destinataire d'une notification"),
            url=f"/gouvernance/alertes/{alert.pk}/",
        )
        rows = H5Rows(alert, other_alert, notification)
        t._h5_rows = rows  # type: ignore[attr-defined]
    return rows
