"""Limits that hold behind the reverse proxy (issue 14).

In production every connection comes from the proxy (REMOTE_ADDR is the proxy's address); the
client is the entry the proxy appended to X-Forwarded-For. The rate limits must count per client
there, and must ignore that header when no proxy is trusted (anyone can send it).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import Client

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.2"
PASSWORD = "correct-horse-battery"  # UserFactory's


def login(client, email, password, **headers):
    return client.post("/accounts/login/", {"login": email, "password": password}, **headers)


def fail_logins(client, count, **headers):
    """``count`` failed logins with random addresses; their status codes."""
    return [
        login(client, f"nobody{i}@example.org", "falsch", **headers).status_code
        for i in range(count)
    ]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_one_clients_failures_do_not_lock_out_another_client_behind_the_same_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="petra@example.org")
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    statuses = fail_logins(attacker, 40)
    assert 429 in statuses  # the limit still holds for the one who fails

    # Another visitor through the same proxy signs in with the right password.
    visitor = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = login(visitor, user.email, PASSWORD)
    assert response.status_code == 302, response.status_code
    assert signed_in(visitor)


@pytest.mark.django_db
def test_the_client_is_the_entry_the_proxy_appended_not_what_the_client_sent(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="petra@example.org")
    # The attacker writes its own X-Forwarded-For each time; the proxy appends the real address.
    attacker = Client(REMOTE_ADDR=PROXY)
    statuses = [
        login(
            attacker,
            f"nobody{i}@example.org",
            "falsch",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.9",
        ).status_code
        for i in range(40)
    ]
    assert 429 in statuses
    response = login(attacker, user.email, PASSWORD, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9")
    assert response.status_code == 429 and not signed_in(attacker)


@pytest.mark.django_db
def test_a_forged_forwarded_for_without_a_trusted_proxy_is_ignored(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0  # the default
    user = UserFactory(email="petra@example.org")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        login(
            attacker, f"nobody{i}@example.org", "falsch", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}"
        ).status_code
        for i in range(40)
    ]
    assert 429 in statuses  # a fresh forged address each time does not escape the limit
    response = login(attacker, user.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429 and not signed_in(attacker)


@pytest.mark.django_db
def test_accessibility_feedback_limit_counts_per_client_behind_the_proxy(settings):
    """The portal's own limit reads the same client address as allauth's."""
    from regiolab import site_pages

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for _ in range(site_pages.FEEDBACK_LIMIT):
        assert site_pages.feedback_allowed("203.0.113.9")
    assert not site_pages.feedback_allowed("203.0.113.9")
    from allauth.account.adapter import get_adapter
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert get_adapter(request).get_client_ip(request) == "198.51.100.7"
    assert site_pages.feedback_allowed(get_adapter(request).get_client_ip(request))


def test_compose_trusts_one_proxy_in_front_of_web_and_the_default_trusts_none():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    # The rest of the shared environment is still there (a YAML merge, not a replacement).
    assert (
        services["web"]["environment"]["DATABASE_URL"]
        == services["worker"]["environment"]["DATABASE_URL"]
    )

    def setting(**env):
        code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
        environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "regiolab.settings", **env}
        environ.pop("TRUSTED_PROXY_COUNT", None) if not env else None
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=environ,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout.strip()

    assert setting() == "0"
    assert setting(TRUSTED_PROXY_COUNT="1") == "1"
