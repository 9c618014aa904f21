"""The settings follow the environment: embedded default without it, real services with it."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings;"
    "from regiolab.celery import app;"
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'],"
    "'name': str(settings.DATABASES['default']['NAME']),"
    "'eager': app.conf.task_always_eager, 'broker': app.conf.broker_url,"
    "'cache': settings.CACHES['default']['BACKEND'], 'email': settings.EMAIL_BACKEND,"
    "'cache_location': settings.CACHES['default'].get('LOCATION'),"
    "'tz': settings.TIME_ZONE, 'lang': settings.LANGUAGE_CODE}))"
)


def _settings_with(env: dict) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE", "REDIS", "EMAIL", "CELERY", "CACHE_"))
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="regiolab.settings")
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_no_environment_gives_embedded_default():
    probe = _settings_with({})
    assert probe["engine"] == "django.db.backends.sqlite3"
    assert probe["eager"] is True
    assert probe["broker"].startswith("memory://")
    assert probe["cache"].endswith("LocMemCache")
    assert probe["email"] == "django.core.mail.backends.console.EmailBackend"
    assert probe["tz"] == "Europe/Berlin"
    assert probe["lang"] == "de"


def test_database_and_redis_urls_switch_to_real_services():
    probe = _settings_with(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/regiolab_probe",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "EMAIL_URL": "smtp://127.0.0.1:1025",
        }
    )
    assert probe["engine"] == "django.db.backends.postgresql"
    assert probe["name"] == "regiolab_probe"
    assert probe["eager"] is False
    assert probe["broker"] == "redis://127.0.0.1:6379/3"
    assert probe["cache"].endswith("RedisCache")
    assert probe["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_the_cache_can_have_its_own_redis():
    """CACHE_URL defaults to REDIS_URL (one server in development); set, it takes the cache
    elsewhere (compose: a Redis with allkeys-lru) and the broker stays where it was."""
    same = _settings_with({"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert same["cache_location"] == same["broker"] == "redis://127.0.0.1:6379/3"

    apart = _settings_with(
        {"REDIS_URL": "redis://127.0.0.1:6379/3", "CACHE_URL": "redis://127.0.0.1:6380/0"}
    )
    assert apart["cache_location"] == "redis://127.0.0.1:6380/0"
    assert apart["broker"] == "redis://127.0.0.1:6379/3"
    assert apart["cache"].endswith("RedisCache")


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_PRODUCTION="true", DJANGO_SETTINGS_MODULE="regiolab.settings")
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0
    assert "DJANGO_SECRET_KEY" in out.stderr


def test_check_deploy_is_clean_with_production_variables():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_PRODUCTION="true",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-value-1234567890",
        DJANGO_ALLOWED_HOSTS="portal.regiolab.example",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/regiolab",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DJANGO_SETTINGS_MODULE="regiolab.settings",
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout
