"""The letters demo: a mailing list with consent (one contact withdrawn), two letters sent through the service and
the task, a draft for the next period; a second load sends nothing again."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from operations.models import CommunicationAction, InformationLetter, LetterDelivery, MailingList
from operations.participation.demo_letters import LIST_NAME
from operations.participation.models import LetterStatus
from partners.models import CommunicationKind


@pytest.fixture
def demo(db, settings) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())


def test_the_demo_list_has_contacts_with_consent_and_one_withdrawn(demo) -> None:
    subscriptions = MailingList.objects.get(name=LIST_NAME).subscriptions.all()
    assert subscriptions.count() >= 4
    assert subscriptions.filter(withdrawn_on__isnull=False).count() == 1
    assert all(s.consent_source and s.person.email for s in subscriptions)


def test_two_letters_are_sent_and_one_draft_waits_for_the_next_period(demo) -> None:
    letters = InformationLetter.objects.order_by("period_start")
    assert list(letters.values_list("status", flat=True)) == [
        LetterStatus.SENT,
        LetterStatus.SENT,
        LetterStatus.DRAFT,
    ]
    first, second, _draft = letters
    active = MailingList.objects.get(name=LIST_NAME).subscriptions.filter(withdrawn_on__isnull=True).count()
    assert first.recipients_count == second.recipients_count == active
    assert "Tiers-lieu numérique de l'ancienne poste" in first.body_text  # delivered in March 2026
    assert "Tiers-lieu et espace France Services" in second.body_text  # delivered in September 2026
    assert (
        CommunicationAction.objects.filter(letter__isnull=False, kind=CommunicationKind.NEWSLETTER).count()
        == 2
    )


def test_loading_the_demo_again_sends_nothing_again(demo) -> None:
    sent = len(mail.outbox)
    deliveries = LetterDelivery.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert len(mail.outbox) == sent
    assert LetterDelivery.objects.count() == deliveries
    assert InformationLetter.objects.count() == 3
