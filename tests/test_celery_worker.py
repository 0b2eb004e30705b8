"""Background work through a real Celery worker on Redis (CI's second run sets REDIS_URL).

Without REDIS_URL, tasks are eager and this module is skipped; `.ci/run` sets PVD_REQUIRE_WORKER=1
so that a missing broker fails there instead of skipping.
"""

import time

import pytest
from django.core import mail
from django.test import Client

from pvd.accounts.tasks import purge_expired_sessions
from tests.factories import UserFactory
from tests.worker import skip_without_worker

skip_without_worker()

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def test_password_reset_mail_is_sent_by_the_worker_after_commit(real_worker) -> None:
    user = UserFactory(email="camille.martin@agglo-saint-dizier.fr")
    response = Client().post("/comptes/mot-de-passe/oubli/", {"email": user.email})
    assert response.status_code == 302
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_a_task_result_comes_back_from_the_worker(real_worker) -> None:
    assert purge_expired_sessions.delay().get(timeout=20) == 0
