"""An information letter sent through a real Celery worker on Redis (skipped without REDIS_URL, like
tests/test_celery_worker.py): queued on commit by the send service, delivered by the worker, never twice."""

import time

import pytest
from django.core import mail

from operations.models import CommunicationAction, InformationLetter, LetterDelivery
from operations.participation.models import DeliveryStatus, LetterStatus
from operations.participation.services import letters as services
from operations.participation.tasks import send_information_letter
from tests.operations.participation_factories import (
    InformationLetterFactory,
    MailingListFactory,
    SubscriptionFactory,
)
from tests.partners.factories import PersonFactory
from tests.worker import skip_without_worker

skip_without_worker()

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_sends_the_letter_queued_on_commit_and_a_retry_sends_nothing_twice(
    real_worker, territory, manager
) -> None:
    mailing_list = MailingListFactory(programme=territory.programme)
    for email in ["claire@etat.example", "julien@cerema.example"]:
        SubscriptionFactory(
            mailing_list=mailing_list, person=PersonFactory(organisation=territory.anah, email=email)
        )
    letter = InformationLetterFactory(programme=territory.programme, mailing_list=mailing_list)
    services.letter_send(
        letter=letter, by=manager, expected_version=letter.version, site_url="https://pvd.example.fr"
    )

    deadline = time.monotonic() + 30
    while (
        InformationLetter.objects.get(pk=letter.pk).status != LetterStatus.SENT
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    letter.refresh_from_db()
    assert (letter.status, letter.recipients_count) == (LetterStatus.SENT, 2)
    assert sorted(m.to[0] for m in mail.outbox) == ["claire@etat.example", "julien@cerema.example"]
    assert LetterDelivery.objects.filter(letter=letter, status=DeliveryStatus.SENT).count() == 2
    assert CommunicationAction.objects.get(letter=letter).reach == 2

    # The same task delivered again (a retry, a duplicate message): every address is already served.
    assert send_information_letter.delay(letter.pk, "https://pvd.example.fr").get(timeout=30) == {
        "sent": 0,
        "failed": 0,
        "skipped": 2,
    }
    assert len(mail.outbox) == 2
