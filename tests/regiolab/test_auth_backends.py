"""The signed-in user comes with their roles in one query, and sessions are read from the cache."""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from regiolab.auth_backends import AuthenticationBackend, ModelBackend
from regiolab.mfa import has_totp
from regiolab.permissions import COORDINATORS_GROUP, is_coordinator, is_funder, requires_mfa
from regiolab.privacy.anonymisation import anonymise_person
from tests.factories import FunderFactory, UserFactory
from tests.support.mfa import enable_totp

pytestmark = pytest.mark.django_db


def roles(user) -> tuple[bool, bool, bool]:
    return is_coordinator(user), is_funder(user), has_totp(user)


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_the_roles_come_with_the_user_in_one_query(backend, coordinator):
    funder_user = UserFactory()
    FunderFactory().users.add(funder_user)
    plain = UserFactory()

    for user, expected in [
        (coordinator, (True, False, True)),
        (funder_user, (False, True, False)),
        (plain, (False, False, False)),
    ]:
        with CaptureQueriesContext(connection) as queries:
            loaded = backend().get_user(user.pk)
            found = roles(loaded)
            needs = requires_mfa(loaded)
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert found == expected
        assert needs == (expected[0] or expected[1])


def test_a_user_loaded_otherwise_asks_the_database_once_per_role(coordinator):
    fresh = type(coordinator).objects.get(pk=coordinator.pk)
    with CaptureQueriesContext(connection) as queries:
        assert roles(fresh) == (True, False, True)
        assert roles(fresh) == (True, False, True)  # cached on the user now
    assert len(queries) == 3


def test_inactive_and_unknown_users_are_not_loaded():
    inactive = UserFactory(is_active=False)
    assert ModelBackend().get_user(inactive.pk) is None
    assert ModelBackend().get_user(inactive.pk + 1000) is None


def test_a_role_taken_away_counts_on_the_next_request(coordinator_client, coordinator):
    url = reverse("companies:list")
    assert coordinator_client.get(url).status_code == 200

    coordinator.groups.remove(Group.objects.get(name=COORDINATORS_GROUP))

    assert coordinator_client.get(url).status_code == 403


def test_a_signed_in_page_costs_one_query_before_the_view(coordinator_client):
    """Session from the cache, user and roles in one query: a cached list runs one query."""
    url = reverse("companies:list")
    coordinator_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert coordinator_client.get(url).status_code == 200
    assert len(queries) == 1
    assert 'FROM "auth_user" u WHERE u.id' in queries[0]["sql"]


def test_the_session_is_read_from_the_cache_and_kept_in_the_database(client):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    user = UserFactory()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()  # survives a cache flush
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with CaptureQueriesContext(connection) as queries:
        assert store(key).load()["_auth_user_id"] == str(user.pk)
    assert len(queries) == 0


def test_anonymising_ends_the_cached_session_too(client, coordinator):
    person = UserFactory(email="hebel@example.org")
    enable_totp(person)
    client.force_login(person)
    assert client.get(reverse("account_email")).status_code == 200

    anonymise_person(email="hebel@example.org", performed_by=coordinator)

    response = client.get(reverse("account_email"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
