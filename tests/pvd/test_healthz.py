import pytest
from django.test import Client

from pvd.celery import app as celery_app


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_without_login() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    expected_broker = "eager" if celery_app.conf.task_always_eager else "ok"
    assert response.json() == {"status": "ok", "database": "ok", "broker": expected_broker}


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable() -> None:
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = Client().get("/healthz")
    finally:
        conf.task_always_eager, conf.broker_url = saved
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert "redis://" not in response.content.decode()  # no connection string leaks


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from pvd import views

    monkeypatch.setattr(views, "_database_status", lambda: "error")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
