"""Factories of participation: concertation plan and events, attendance, contributions, communication actions,
mailing lists and subscriptions, information letters, network events, good-practice sheets. Shared by every
participation test module; add new factories at the end, never change these. `communes=[...]`,
`operations=[...]`, `themes=[...]`, `funders_credited=[...]` set the many-to-many relations."""

import datetime

import factory
from factory.django import DjangoModelFactory

from operations.models import (
    AttendanceProfile,
    CommunicationAction,
    ConcertationEvent,
    ConcertationPlanItem,
    Contribution,
    InformationLetter,
    MailingList,
    NetworkEvent,
    PracticeSheet,
    Subscription,
)
from operations.participation.models import (
    AttendeeProfile,
    CommunicationStatus,
    EventFormat,
    EventStatus,
    NetworkEventKind,
)
from partners.models import CommunicationKind, PublicityRequirement
from tests.factories import ProgrammeFactory
from tests.partners.factories import PersonFactory

D = datetime.date


def _m2m(*names: str) -> dict[str, object]:
    """Post-generation hooks setting the many-to-many `names` from `Factory(name=[...])`."""

    def hook(name: str) -> object:
        def setter(obj: object, create: bool, extracted: list | None, **kwargs: object) -> None:
            if create and extracted:
                getattr(obj, name).set(extracted)

        setter.__name__ = name
        return factory.PostGeneration(setter)

    return {name: hook(name) for name in names}


class ConcertationPlanItemFactory(DjangoModelFactory):
    class Meta:
        model = ConcertationPlanItem
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Démarche n° {n}")
    format = EventFormat.PUBLIC_MEETING
    planned_from = D(2026, 3, 1)
    planned_until = D(2026, 12, 31)
    locals().update(_m2m("operations", "communes"))


class ConcertationEventFactory(DjangoModelFactory):
    class Meta:
        model = ConcertationEvent
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Réunion publique n° {n}")
    format = EventFormat.PUBLIC_MEETING
    status = EventStatus.HELD
    starts_on = D(2026, 4, 14)
    locals().update(_m2m("operations", "communes", "themes"))


class AttendanceProfileFactory(DjangoModelFactory):
    class Meta:
        model = AttendanceProfile

    event = factory.SubFactory(ConcertationEventFactory)
    profile = AttendeeProfile.RESIDENTS
    count = 10


class ContributionFactory(DjangoModelFactory):
    class Meta:
        model = Contribution

    event = factory.SubFactory(ConcertationEventFactory)
    subject = factory.Sequence(lambda n: f"Contribution n° {n}")
    count = 1


class CommunicationActionFactory(DjangoModelFactory):
    class Meta:
        model = CommunicationAction
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    kind = CommunicationKind.PRESS
    title = factory.Sequence(lambda n: f"Communiqué n° {n}")
    status = CommunicationStatus.DONE
    date = D(2026, 5, 2)
    locals().update(_m2m("operations", "communes", "funders_credited"))


class MailingListFactory(DjangoModelFactory):
    class Meta:
        model = MailingList

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Partenaires et acteurs n° {n}")


class SubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = Subscription

    mailing_list = factory.SubFactory(MailingListFactory)
    person = factory.SubFactory(PersonFactory)
    consent_on = D(2026, 1, 15)
    consent_source = "Formulaire signé en réunion publique"


class InformationLetterFactory(DjangoModelFactory):
    class Meta:
        model = InformationLetter

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Lettre d'information n° {n}")
    period_start = D(2026, 1, 1)
    period_end = D(2026, 6, 30)


class NetworkEventFactory(DjangoModelFactory):
    class Meta:
        model = NetworkEvent
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    kind = NetworkEventKind.CLUB_PVD
    title = factory.Sequence(lambda n: f"Club PVD n° {n}")
    date = D(2026, 6, 5)
    locals().update(_m2m("themes"))


class PracticeSheetFactory(DjangoModelFactory):
    class Meta:
        model = PracticeSheet
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Retour d'expérience n° {n}")
    slug = factory.Sequence(lambda n: f"retour-experience-{n}")
    summary = "Ce qui a marché, ce qu'il faut éviter."
    locals().update(_m2m("themes", "communes"))


class PublicityRequirementFactory(DjangoModelFactory):
    class Meta:
        model = PublicityRequirement

    label = factory.Sequence(lambda n: f"Obligation n° {n}")
    valid_from = D(2020, 1, 1)
