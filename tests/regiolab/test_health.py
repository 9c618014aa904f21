import pytest

from regiolab.celery import app as celery_app


@pytest.mark.django_db
def test_health_reports_database_and_broker(client, settings):
    celery_app.conf.task_always_eager = False
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": True, "cache": True, "broker": True},
    }


@pytest.mark.django_db
def test_health_answers_503_when_broker_is_down(client, monkeypatch):
    celery_app.conf.task_always_eager = False
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "cache": True, "broker": False}
