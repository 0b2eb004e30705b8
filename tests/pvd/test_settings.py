"""Settings fail loudly on bad values instead of running on a silent default."""

import os
import subprocess
import sys

from django.conf import settings

BASE = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "pvd.settings"}


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('ok')"],
        env={**BASE, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


def test_a_boolean_that_is_not_one_is_refused() -> None:
    result = load_settings(DEBUG="peut-être")
    assert result.returncode != 0
    assert "DEBUG='peut-être'" in result.stderr


def test_production_without_secret_key_refuses_to_start() -> None:
    result = load_settings(DEBUG="false", ALLOWED_HOSTS="pvd.example")
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


def test_production_with_its_variables_starts() -> None:
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="pvd.example")
    assert result.returncode == 0, result.stderr


CHECK_CELERY = "from django.conf import settings as s; import django; django.setup(); print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"


def test_without_redis_tasks_run_eagerly_and_with_it_they_go_to_the_broker() -> None:
    eager = subprocess.run(
        [
            sys.executable,
            "-c",
            CHECK_CELERY,
        ],
        env={**BASE, "DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/3"},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=True,
    )
    assert eager.stdout.strip() == "False redis://127.0.0.1:6379/3"


def test_french_locale_and_paris_time() -> None:
    assert settings.LANGUAGE_CODE == "fr-fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.USE_TZ is True


def test_production_settings_pass_the_deployment_checklist() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **BASE,
            "DEBUG": "false",
            "SECRET_KEY": "x7Qp-2vLm9Rt4Kw8Zs1Nb6Hy3Jd5Fc0Ge7Ua2Wo9Pi4Lk8Mn3Bv6Cx1Tz5Ry0Sq",
            "ALLOWED_HOSTS": "pvd.example",
            "EMAIL_URL": "smtp+tls://pvd:secret@smtp.example.fr:587",
        },
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stderr
