"""Factories of governance (issue 8): bodies, meetings, decisions, arbitrations and options, alerts,
notifications. Shared by every governance test module and the access matrix rows."""

import datetime
import zoneinfo

import factory
from factory.django import DjangoModelFactory

from pvd.governance.models import (
    AgendaItem,
    Alert,
    AlertLevel,
    Arbitration,
    ArbitrationOption,
    Attendance,
    Committee,
    CommitteeKind,
    CommitteeMember,
    Decision,
    DecisionLevel,
    Meeting,
    Notification,
    NotificationKind,
)
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


class CommitteeFactory(DjangoModelFactory):
    class Meta:
        model = Committee

    programme = factory.SubFactory(ProgrammeFactory)
    kind = CommitteeKind.PROJECT_COMMITTEE
    name = factory.Sequence(lambda n: f"Comité de projet n° {n}")


class CommitteeMemberFactory(DjangoModelFactory):
    class Meta:
        model = CommitteeMember

    committee = factory.SubFactory(CommitteeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "Membre"
    valid_from = datetime.date(2024, 1, 1)


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    committee = factory.SubFactory(CommitteeFactory)
    starts_at = datetime.datetime(2026, 12, 15, 14, 0, tzinfo=PARIS)
    ends_at = datetime.datetime(2026, 12, 15, 16, 0, tzinfo=PARIS)
    place = "Hôtel de ville de Wassy, salle du conseil"


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Point n° {n}")


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    name = factory.Sequence(lambda n: f"Participant n° {n}")
    email = factory.Sequence(lambda n: f"participant{n}@exemple.fr")


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = Decision

    programme = factory.SubFactory(ProgrammeFactory)
    decided_on = datetime.date(2026, 10, 6)
    decided_by = "Comité de projet"
    text = factory.Sequence(lambda n: f"Décision n° {n}")


class ArbitrationFactory(DjangoModelFactory):
    class Meta:
        model = Arbitration
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    reference = factory.Sequence(lambda n: f"ARB-2026-{n + 1:03d}")
    title = factory.Sequence(lambda n: f"Arbitrage n° {n}")
    context = "Le contexte de l'arbitrage."
    question = "Quelle option retenir ?"
    decision_level = DecisionLevel.REFERENT
    requested_by = factory.SubFactory(UserFactory)
    requested_on = datetime.date(2026, 11, 2)

    @factory.post_generation
    def operations(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.operations.set(extracted)


class ArbitrationOptionFactory(DjangoModelFactory):
    class Meta:
        model = ArbitrationOption

    arbitration = factory.SubFactory(ArbitrationFactory)
    letter = factory.Sequence(lambda n: "ABCDEFGHIJ"[n % 10])
    title = factory.Sequence(lambda n: f"Option n° {n}")


class AlertFactory(DjangoModelFactory):
    class Meta:
        model = Alert

    programme = factory.SubFactory(ProgrammeFactory)
    kind = "operations.late"
    key = factory.Sequence(lambda n: f"operations.late:{n}")
    level = AlertLevel.WARNING
    title = factory.Sequence(lambda n: f"Alerte n° {n}")
    due_on = datetime.date(2026, 12, 31)
    raised_at = datetime.datetime(2026, 11, 20, 6, 30, tzinfo=PARIS)
    last_seen_at = datetime.datetime(2026, 11, 28, 6, 30, tzinfo=PARIS)


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = NotificationKind.ALERT
    title = factory.Sequence(lambda n: f"Notification n° {n}")
