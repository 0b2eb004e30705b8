"""H1 rows of the access matrix (tests/test_access_matrix.py): made on demand for one territory.

A comité de projet of the territory's programme with a member, a planned meeting (15/12/2026, 14:00) with a point of
its agenda, an invitee and a PDF document.
"""

from dataclasses import dataclass

from django.core.files.base import ContentFile

from pvd.governance.models import AgendaItem, Committee, CommitteeMember, Meeting, MeetingDocument
from tests.conftest import Territory
from tests.governance.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    MeetingFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class H1Rows:
    committee: Committee
    member: CommitteeMember
    meeting: Meeting
    item: AgendaItem
    document: MeetingDocument


def h1_rows(t: Territory) -> H1Rows:
    """The rows, created once per test (the territory object caches them)."""
    rows = getattr(t, "_h1_rows", None)
    if rows is None:
        committee = CommitteeFactory(programme=t.programme, name="Comité de projet (H1)")
        member = CommitteeMemberFactory(committee=committee, organisation=t.wassy)
        meeting = MeetingFactory(committee=committee)
        item = AgendaItemFactory(meeting=meeting, order=1, title="Avancement des opérations")
        AttendanceFactory(meeting=meeting, name="Mairie de Wassy", organisation=t.wassy)
        document = MeetingDocument.objects.create(
            meeting=meeting, title="Présentation", file=ContentFile(PDF, name="presentation.pdf")
        )
        rows = H1Rows(committee, member, meeting, item, document)
        t._h1_rows = rows  # type: ignore[attr-defined]
    return rows
