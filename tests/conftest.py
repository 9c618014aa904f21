import os

import pytest
from django.contrib.auth.models import Group

from regiolab.celery import app as celery_app
from regiolab.permissions import COORDINATORS_GROUP
from tests.support.mfa import enable_totp

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
