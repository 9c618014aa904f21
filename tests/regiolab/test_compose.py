"""docker-compose.yml cannot run here (no engine), so its structure is checked by parsing it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_full_stack():
    services = _compose()["services"]
    assert set(services) >= {"db", "redis", "web", "worker", "beat", "mailpit"}
    assert services["db"]["image"].startswith("postgres:16")
    assert "gunicorn" in services["web"]["command"]
    assert "celery" in services["worker"]["command"] and "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]


def test_web_worker_and_beat_share_image_and_service_urls():
    services = _compose()["services"]
    app = [services[name] for name in ("web", "worker", "beat")]
    assert {s["build"] for s in app} == {"."}
    assert len({s["image"] for s in app}) == 1
    for key in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL"):
        values = {s["environment"][key] for s in app}
        assert len(values) == 1, key
    assert "@db:5432/" in app[0]["environment"]["DATABASE_URL"]
    assert app[0]["environment"]["REDIS_URL"].startswith("redis://redis:6379")


def test_dockerfile_builds_what_compose_runs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "python:3.11" in dockerfile
    assert "pip install" in dockerfile
    assert "gunicorn" in dockerfile
