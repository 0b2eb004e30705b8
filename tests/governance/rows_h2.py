"""H2 rows of the access matrix (tests/test_access_matrix.py): made on demand for one territory.

A comité de projet of the territory's programme with a held meeting (06/10/2026), a point of its agenda, a decision
recorded on it, and a decision taken online by the élu référent on an arbitration (no meeting).
"""

import datetime
from dataclasses import dataclass

from pvd.governance.models import AgendaItem, Decision, Meeting, MeetingStatus
from tests.conftest import Territory
from tests.governance.factories import (
    PARIS,
    AgendaItemFactory,
    ArbitrationFactory,
    CommitteeFactory,
    DecisionFactory,
    MeetingFactory,
)


@dataclass
class H2Rows:
    meeting: Meeting
    item: AgendaItem
    decision: Decision
    online_decision: Decision


def h2_rows(t: Territory) -> H2Rows:
    """The rows, created once per test (the territory object caches them)."""
    rows = getattr(t, "_h2_rows", None)
    if rows is None:
        committee = CommitteeFactory(programme=t.programme, name="Comité de projet PVD")
        meeting = MeetingFactory(
            committee=committee,
            starts_at=datetime.datetime(2026, 10, 6, 14, 0, tzinfo=PARIS),
            ends_at=datetime.datetime(2026, 10, 6, 16, 0, tzinfo=PARIS),
            status=MeetingStatus.HELD,
        )
        item = AgendaItemFactory(meeting=meeting, order=1, title="Avancement du plan d'actions")
        decision = DecisionFactory(
            programme=t.programme,
            meeting=meeting,
            agenda_item=item,
            decided_by=committee.name,
            text="Le comité valide l'avancement du plan d'actions.",
        )
        arbitration = ArbitrationFactory(
            programme=t.programme,
            status="decided",
            outcome="rejected",
            decided_at=datetime.datetime(2026, 11, 10, 9, 0, tzinfo=PARIS),
            snapshot={"title": "Arbitrage"},
        )
        online = DecisionFactory(
            programme=t.programme,
            arbitration=arbitration,
            decided_on=datetime.date(2026, 11, 10),
            decided_by="Élu référent",
            text="Option A retenue.",
        )
        rows = H2Rows(meeting, item, decision, online)
        t._h2_rows = rows  # type: ignore[attr-defined]
    return rows


def held_meeting(t: Territory, **fields: object) -> Meeting:
    """A held meeting (06/10/2026, 14:00) of a new comité de projet of the territory's programme."""
    committee = fields.pop("committee", None) or CommitteeFactory(programme=t.programme)
    return MeetingFactory(
        committee=committee,
        starts_at=fields.pop("starts_at", datetime.datetime(2026, 10, 6, 14, 0, tzinfo=PARIS)),
        ends_at=fields.pop("ends_at", datetime.datetime(2026, 10, 6, 16, 0, tzinfo=PARIS)),
        status=fields.pop("status", MeetingStatus.HELD),
        **fields,
    )


def planned_meeting(t: Territory, **fields: object) -> Meeting:
    """A meeting still to come (15/12/2026)."""
    return MeetingFactory(committee=CommitteeFactory(programme=t.programme), **fields)
