"""docker-compose.yml cannot run here (no engine), so its structure is checked by parsing it."""

import shlex
from pathlib import Path

import yaml
from django.conf import settings

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


def _worker_queues(service) -> set[str]:
    """The queues a ``celery worker`` command consumes: its -Q list, without one every queue."""
    args = shlex.split(service["command"])
    for flag in ("-Q", "--queues"):
        if flag in args:
            return set(args[args.index(flag) + 1].split(","))
    return set(settings.CELERY_TASK_QUEUES)


def test_every_task_queue_has_a_worker_and_reports_have_their_own():
    services = _compose()["services"]
    workers = {
        name: _worker_queues(service)
        for name, service in services.items()
        if "worker" in shlex.split(service.get("command", "") or "")
    }
    assert set().union(*workers.values()) == set(settings.CELERY_TASK_QUEUES)
    # A report build (seconds, much memory) never holds up e-mail: own service, own queue.
    assert workers["worker-reports"] == {"reports"}
    assert "mail" in workers["worker"] and "reports" not in workers["worker"]
    for name in workers:
        assert services[name]["image"] == services["web"]["image"]
        # The same settings as the web, but the proxy hop count, which only requests have.
        web_env = {
            k: v for k, v in services["web"]["environment"].items() if k != "TRUSTED_PROXY_COUNT"
        }
        assert services[name]["environment"] == web_env
        assert "container_name" not in services[name]  # `--scale worker=3` needs none


def test_services_that_can_die_are_restarted():
    """A worker that exits (a crash, an out-of-memory kill) comes back without anybody's help."""
    services = _compose()["services"]
    for name in ("web", "worker", "worker-reports", "beat", "db", "redis", "cache"):
        assert services[name].get("restart") in {"unless-stopped", "always"}, name


def _redis_options(service) -> dict[str, str]:
    args = shlex.split(service["command"])
    assert args[0] == "redis-server"
    return {flag[2:]: value for flag, value in zip(args[1::2], args[2::2], strict=True)}


def test_the_cache_has_its_own_bounded_redis_and_the_broker_keeps_its_queue():
    """Anonymous visitors fill the cache, never the broker: the cache evicts any key at its
    memory limit, the broker evicts nothing and keeps its queue across a restart."""
    services = _compose()["services"]
    cache = _redis_options(services["cache"])
    assert cache["maxmemory-policy"] == "allkeys-lru"
    assert cache["maxmemory"]
    broker = _redis_options(services["redis"])
    assert broker["maxmemory-policy"] == "noeviction"
    assert broker["appendonly"] == "yes"
    assert "volumes" in services["redis"]
    for name in ("web", "worker", "worker-reports", "beat"):
        env = services[name]["environment"]
        assert env["CACHE_URL"].startswith("redis://cache:6379"), name
        assert env["REDIS_URL"].startswith("redis://redis:6379"), name
        assert "cache" in services[name]["depends_on"], name
