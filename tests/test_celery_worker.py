"""Background work through a real Celery worker on Redis (CI's second run sets REDIS_URL).

Without REDIS_URL, tasks are eager and this module is skipped; `.ci/run` sets PVD_REQUIRE_WORKER=1
so that a missing broker fails there instead of skipping.
"""

import os
import time

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from pvd.accounts.tasks import purge_expired_sessions
from tests.factories import UserFactory

if not settings.REDIS_URL:
    if os.environ.get("PVD_REQUIRE_WORKER") == "1":
        raise RuntimeError(
            "PVD_REQUIRE_WORKER=1 mais REDIS_URL n'est pas défini : le worker Celery réel ne peut pas tourner."
        )
    pytest.skip("REDIS_URL non défini : les tâches s'exécutent en mode eager", allow_module_level=True)

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def real_worker(django_db_blocker):
    from celery.contrib.testing.worker import start_worker

    from pvd.celery import app

    app.conf.task_always_eager = False
    with (
        django_db_blocker.unblock(),
        start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
        ) as worker,
    ):
        yield worker


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
