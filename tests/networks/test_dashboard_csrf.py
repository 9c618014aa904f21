"""No user text on the network dashboard is ever replaced by a server-side value (issue 14).

The dashboard used to render its cached forms with a placeholder and replace that string in the
whole page with the coordinator's CSRF token, so a company named after the placeholder (or a
search for it) showed the token. The old placeholder string must now show as typed.
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from networks.models import NetworkMembership
from regiolab.permissions import COORDINATORS_GROUP
from tests.factories import CompanyFactory, NetworkMembershipFactory, UserFactory
from tests.support.mfa import enable_totp

pytestmark = pytest.mark.django_db

OLD_PLACEHOLDER = "csrf-placeholder-5c0e9b1d7a"
TOKEN_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">')


def strict_coordinator(email="zweite@regiolab.example"):
    user = UserFactory(email=email)
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(user)
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def tokens_outside_their_inputs(html: str) -> list[str]:
    """CSRF token values found anywhere but in the hidden token inputs."""
    tokens = set(TOKEN_INPUT.findall(html))
    assert tokens, "the page has no CSRF token at all"
    rest = TOKEN_INPUT.sub("", html)
    return [token for token in tokens if token in rest]


@pytest.fixture
def hostile(network):
    name = f"Firma {OLD_PLACEHOLDER} GmbH"
    NetworkMembershipFactory(network=network, company=CompanyFactory(name=name))
    NetworkMembershipFactory(
        network=network,
        company=CompanyFactory(name=f"Anfrage {OLD_PLACEHOLDER} AG"),
        status="requested",
    )
    CompanyFactory(name=f"Außen {OLD_PLACEHOLDER} KG")  # not in the network: a search finds it
    return network


def test_company_names_with_the_old_placeholder_show_literally(hostile):
    client = strict_coordinator()
    url = reverse("networks:dashboard", args=[hostile.slug])
    for _ in range(2):  # cold and warm fragments
        html = client.get(url).content.decode()
        assert f"Firma {OLD_PLACEHOLDER} GmbH" in html
        assert f"Anfrage {OLD_PLACEHOLDER} AG" in html
        assert tokens_outside_their_inputs(html) == []


def test_a_search_for_the_old_placeholder_shows_literally(hostile):
    client = strict_coordinator()
    url = reverse("networks:dashboard", args=[hostile.slug])
    html = client.get(url, {"q": OLD_PLACEHOLDER}).content.decode()
    assert f'value="{OLD_PLACEHOLDER}"' in html  # the search field
    assert f"Außen {OLD_PLACEHOLDER} KG" in html  # the company found
    assert tokens_outside_their_inputs(html) == []
    html = client.get(url, {"q": f"{OLD_PLACEHOLDER}x"}).content.decode()
    assert f"{OLD_PLACEHOLDER}x" in html  # "No company found for …"
    assert tokens_outside_their_inputs(html) == []


def test_the_cached_forms_post_for_another_coordinator_with_strict_csrf_checks(hostile):
    """Fragments built for the first coordinator work for the second: decide, role, remove."""
    url = reverse("networks:dashboard", args=[hostile.slug])
    strict_coordinator("erste@regiolab.example").get(url)  # builds the fragments
    client = strict_coordinator()
    html = client.get(url).content.decode()
    token = TOKEN_INPUT.findall(html)[0]
    member = NetworkMembership.objects.get(network=hostile, status="active")
    request = NetworkMembership.objects.get(network=hostile, status="requested")

    def post(action_url, **data):
        assert action_url in html, action_url  # the page offers it
        fields = dict(re.findall(r'<select[^>]*name="([^"]+)"[^>]*>\s*<option value="(\w+)"', html))
        return client.post(action_url, {**fields, **data, "csrfmiddlewaretoken": token})

    role_url = reverse("networks:change_role", args=[hostile.slug, member.pk])
    select = re.search(
        rf'<select[^>]*name="([^"]+)"[^>]*id="role-{member.pk}"|'
        rf'<select[^>]*id="role-{member.pk}"[^>]*name="([^"]+)"',
        html,
    )
    name = select.group(1) or select.group(2)
    assert post(role_url, **{name: "anchor"}).status_code == 302
    member.refresh_from_db()
    assert member.role == "anchor"

    decide_url = reverse("networks:decide", args=[hostile.slug, request.pk])
    assert post(decide_url, decision="accept").status_code == 302
    request.refresh_from_db()
    assert request.status == "active"

    remove_url = reverse("networks:remove_member", args=[hostile.slug, member.pk])
    assert post(remove_url).status_code == 302
    member.refresh_from_db()
    assert member.status == "left"
