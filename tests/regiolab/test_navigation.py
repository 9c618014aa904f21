"""The header's links are cached per role and language; the logout form is never cached."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CompanyMemberFactory, FunderFactory, UserFactory
from tests.support.mfa import enable_totp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NAV = re.compile(r'<nav class="site-nav".*?</nav>', re.S)


def nav_of(client) -> str:
    response = client.get(reverse("workshops:list"))
    assert response.status_code == 200
    return NAV.search(response.content.decode()).group(0)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_role_gets_its_own_links(coordinator):
    funder = UserFactory()
    FunderFactory().users.add(funder)
    enable_totp(funder)
    member = CompanyMemberFactory().user

    navs = {
        "visitor": nav_of(Client()),
        "coordinator": nav_of(signed_in(coordinator)),
        "funder": nav_of(signed_in(funder)),
        "member": nav_of(signed_in(member)),
    }
    # Asked again from the cache: the same links.
    assert nav_of(signed_in(coordinator)).count("<li>") == navs["coordinator"].count("<li>")

    assert "Log in" in navs["visitor"] and "Log out" not in navs["visitor"]
    assert (
        "Data protection requests" in navs["coordinator"] and "My grants" not in navs["coordinator"]
    )
    assert "My grants" in navs["funder"] and "Companies" not in navs["funder"]
    assert "My company" in navs["member"] and "My grants" not in navs["member"]
    for role in ("coordinator", "funder", "member"):
        assert "Log out" in navs[role] and "Log in" not in navs[role]


def test_the_logout_form_carries_each_visitors_own_token(coordinator):
    other = UserFactory()
    other.groups.set(coordinator.groups.all())
    enable_totp(other)
    tokens = {
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', nav_of(signed_in(u))).group(1)
        for u in (coordinator, other)
    }
    assert len(tokens) == 2


def test_the_language_has_its_own_links(coordinator):
    client = signed_in(coordinator)
    assert "Follow-ups" in nav_of(client)
    client.post(reverse("set_language"), {"language": "de"})
    assert "Follow-ups" not in nav_of(client)
