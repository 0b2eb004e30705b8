"""Tests through a real Celery worker on Redis (CI's second run sets REDIS_URL): the skip rule they share.

Without REDIS_URL, tasks are eager and such a module is skipped — unless PVD_REQUIRE_WORKER=1 (`.ci/run`), where a
missing Redis is an error rather than a silent skip. The `real_worker` fixture is in tests/conftest.py.
"""

import os

import pytest
from django.conf import settings


def skip_without_worker() -> None:
    """Call at module level, before `pytestmark`."""
    if settings.REDIS_URL:
        return
    if os.environ.get("PVD_REQUIRE_WORKER") == "1":
        raise RuntimeError(
            "PVD_REQUIRE_WORKER=1 mais REDIS_URL n'est pas défini : le worker Celery réel ne peut pas tourner."
        )
    pytest.skip("REDIS_URL non défini : les tâches s'exécutent en mode eager", allow_module_level=True)
