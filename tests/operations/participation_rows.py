"""Participation rows of the access matrix and the participation page tests, made on demand for one territory.

Everything belongs to the PVD programme of Wassy and La Porte du Der: the event, plan item and communication
action concern Wassy only (the mayor of Wassy reads them, the mayor of La Porte du Der gets 404); the letters,
the mailing list and the network event are for the programme's readers (mailing lists: its managers only);
`sheet` is a draft, `published_sheet` is public (every role reads it, and the anonymous public page).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from operations.models import (
    CommunicationAction,
    ConcertationEvent,
    ConcertationPlanItem,
    Contribution,
    InformationLetter,
    MailingList,
    NetworkEvent,
    Operation,
    PracticeSheet,
    Subscription,
)
from operations.participation.models import ContributionOutcome, LetterStatus, SheetStatus
from tests.conftest import Territory
from tests.operations.factories import OperationFactory
from tests.operations.participation_factories import (
    AttendanceProfileFactory,
    CommunicationActionFactory,
    ConcertationEventFactory,
    ConcertationPlanItemFactory,
    ContributionFactory,
    InformationLetterFactory,
    MailingListFactory,
    NetworkEventFactory,
    PracticeSheetFactory,
    SubscriptionFactory,
)
from tests.partners.factories import PersonFactory

D = datetime.date


@dataclass
class ParticipationRows:
    operation: Operation
    plan_item: ConcertationPlanItem
    event: ConcertationEvent
    contribution: Contribution
    action: CommunicationAction
    mailing_list: MailingList
    subscription: Subscription
    letter: InformationLetter
    sent_letter: InformationLetter
    network_event: NetworkEvent
    sheet: PracticeSheet
    published_sheet: PracticeSheet


def participation_rows(t: Territory) -> ParticipationRows:
    rows = getattr(t, "_participation_rows", None)
    if rows is not None:
        return rows
    operation = OperationFactory(
        programme=t.programme, owner=t.wassy, communes=[t.wassy], code="PVD-W-01", title="Place Notre-Dame"
    )
    plan_item = ConcertationPlanItemFactory(
        programme=t.programme,
        title="Concertation sur la place Notre-Dame",
        operations=[operation],
        communes=[t.wassy],
    )
    event = ConcertationEventFactory(
        programme=t.programme,
        plan_item=plan_item,
        title="Balade urbaine du centre de Wassy",
        operations=[operation],
        communes=[t.wassy],
        attendance_count=34,
    )
    AttendanceProfileFactory(event=event, count=30)
    contribution = ContributionFactory(
        event=event,
        subject="Garder des places de stationnement minute",
        count=12,
        outcome=ContributionOutcome.ADOPTED,
        effect_operation=operation,
        effect_description="Six places minute ajoutées au programme de la place",
        effect_on=D(2026, 5, 12),
    )
    action = CommunicationActionFactory(
        programme=t.programme,
        title="Article : la place se transforme",
        operations=[operation],
        communes=[t.wassy],
    )
    mailing_list = MailingListFactory(programme=t.programme, name="Partenaires du programme")
    subscription = SubscriptionFactory(
        mailing_list=mailing_list, person=PersonFactory(organisation=t.anah, email="contact@anah.example")
    )
    letter = InformationLetterFactory(programme=t.programme, title="Lettre n° 3", mailing_list=mailing_list)
    sent_letter = InformationLetterFactory(
        programme=t.programme,
        title="Lettre n° 2",
        mailing_list=mailing_list,
        status=LetterStatus.SENT,
        body_html="<h1>Lettre n° 2</h1>",
        body_text="Lettre n° 2",
        recipients_count=1,
    )
    network_event = NetworkEventFactory(programme=t.programme, title="Club PVD Grand Est")
    sheet = PracticeSheetFactory(programme=t.programme, operation=operation, title="La place en chantier")
    published_sheet = PracticeSheetFactory(
        programme=t.programme,
        operation=operation,
        title="Une balade urbaine qui change un projet",
        slug="balade-urbaine-wassy",
        status=SheetStatus.PUBLISHED,
        published_on=D(2026, 9, 1),
        cost_ht=Decimal("4500.00"),
    )
    rows = ParticipationRows(
        operation,
        plan_item,
        event,
        contribution,
        action,
        mailing_list,
        subscription,
        letter,
        sent_letter,
        network_event,
        sheet,
        published_sheet,
    )
    t._participation_rows = rows  # type: ignore[attr-defined]
    return rows
