import os
import urllib.parse

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group

from regiolab.celery import app as celery_app
from regiolab.permissions import COORDINATORS_GROUP
from tests.support.mfa import enable_totp

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _worker_redis_url(url: str, worker: str) -> str:
    """``redis://host:6379/0`` for worker ``gw1`` → ``redis://host:6379/1``: a database each."""
    parts = urllib.parse.urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{(base + int(worker[2:])) % 16}"))


# Under pytest-xdist (`make test` runs two workers) each worker has its own test database
# (pytest-django adds the suffix) and here its own Redis database: every test flushes the cache,
# and a real Celery worker must not take another worker's tasks. Settings were read before this
# module, so the few that come from REDIS_URL are set again; subprocesses (gunicorn, Celery
# workers) inherit the environment.
if (worker := os.environ.get("PYTEST_XDIST_WORKER")) and os.environ.get("REDIS_URL"):
    shared = os.environ["REDIS_URL"]
    os.environ["REDIS_URL"] = _worker_redis_url(shared, worker)
    django_settings.REDIS_URL = django_settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    if shared == django_settings.CACHE_URL:
        django_settings.CACHE_URL = os.environ["REDIS_URL"]
        django_settings.CACHES["default"]["LOCATION"] = os.environ["REDIS_URL"]


# Summary lines a worker hands back (the axe scan's tally), printed once by the controller.
_worker_summaries: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    _worker_summaries.extend(getattr(node, "workeroutput", {}).get("summary_lines", []))


def pytest_terminal_summary(terminalreporter):
    for line in _worker_summaries:
        terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    """Fast hashing, in-memory e-mail, eager Celery, empty cache for every test."""
    from django.core.cache import caches
    from django.utils import translation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    for cache in caches.all():
        cache.clear()
    # Every test starts in the default language; nothing leaks from the previous test.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def english(settings):
    """For tests written against the English source texts: pages and messages in English."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(db):
    from tests.factories import UserFactory

    user = UserFactory(email="koordination@regiolab.example")
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(user)  # coordinators must sign in with a second factor (regiolab.mfa)
    return user


@pytest.fixture
def admin_user(admin_user):
    """pytest-django's superuser (behind ``admin_client``), with the second factor staff need."""
    enable_totp(admin_user)
    return admin_user


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client
