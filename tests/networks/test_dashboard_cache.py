"""The network dashboard keeps its figures and tables until their data changes.

The figures (members by size class and sector), the open requests and the member table are one
fragment declared as networks.selectors.DASHBOARD (regiolab/caching.py), keyed by the versions of
the tables they show. Every write to those tables shows on the next request; the shared fragments never
carry one coordinator's CSRF token to another.
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from networks.models import NetworkMembership
from regiolab.permissions import COORDINATORS_GROUP
from tests.factories import (
    CompanyFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.support.mfa import enable_totp

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def dashboard_url(network):
    return reverse("networks:dashboard", args=[network.slug])


def get(client, network):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(dashboard_url(network))
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def page(client, network) -> str:
    return get(client, network)[0].content.decode()


def without_tokens(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)


@pytest.fixture
def filled(network):
    """Three members and two open requests, one of them asked by a named person."""
    for sector in ("C", "C", "F"):
        NetworkMembershipFactory(network=network, company=CompanyFactory(sector=sector))
    NetworkMembershipFactory(
        network=network,
        company=CompanyFactory(name="Fragt GmbH"),
        status="requested",
        requested_by=UserFactory(first_name="Frieda", last_name="Frage"),
    )
    NetworkMembershipFactory(network=network, status="requested")
    return network


def test_a_warm_cache_runs_fewer_queries_and_renders_the_same_page(coordinator_client, filled):
    cold, cold_queries = get(coordinator_client, filled)
    warm, warm_queries = get(coordinator_client, filled)

    # The two figures, the open requests and the member rows are not read again.
    assert warm_queries <= cold_queries - 4, (cold_queries, warm_queries)
    assert without_tokens(warm.content.decode()) == without_tokens(cold.content.decode())


def test_warm_query_count_does_not_grow_with_the_rows(coordinator_client, filled):
    get(coordinator_client, filled)
    _response, few = get(coordinator_client, filled)
    for _ in range(20):
        NetworkMembershipFactory(network=filled)
        NetworkMembershipFactory(network=filled, status="requested")
    get(coordinator_client, filled)
    _response, many = get(coordinator_client, filled)
    assert many == few


@pytest.mark.usefixtures("english")
def test_a_new_membership_shows_on_the_next_request(coordinator_client, filled):
    response, _queries = get(coordinator_client, filled)
    assert "3 members" in response.content.decode()

    NetworkMembershipFactory(
        network=filled, company=CompanyFactory(name="Neu Dabei AG", sector="J")
    )

    response, _queries = get(coordinator_client, filled)
    html = response.content.decode()
    assert "4 members" in html
    assert "Neu Dabei AG" in html
    sectors = [(value, count) for value, _label, count in response.context["figures"]["by_sector"]]
    assert sectors == [("C", 2), ("F", 1), ("J", 1)]
    assert sum(count for _v, _l, count in response.context["figures"]["by_size_class"]) == 4


@pytest.mark.usefixtures("english")
def test_an_accepted_request_moves_to_the_members_at_once(coordinator_client, filled):
    assert "Fragt GmbH" in page(coordinator_client, filled).split('id="members"')[0]

    NetworkMembership.objects.filter(company__name="Fragt GmbH").update(status="active")

    before_members, members = page(coordinator_client, filled).split('id="members"')
    assert "Fragt GmbH" not in before_members
    assert "Fragt GmbH" in members
    assert "4 members" in members


def test_a_renamed_company_and_a_changed_sector_show_at_once(coordinator_client, filled):
    page(coordinator_client, filled)
    member = NetworkMembership.objects.filter(network=filled, status="active").first()
    member.company.name = "Umbenannt KG"
    member.company.sector = "J"
    member.company.save()

    response, _queries = get(coordinator_client, filled)
    assert "Umbenannt KG" in response.content.decode()
    assert ("J", 1) in [
        (value, count) for value, _l, count in response.context["figures"]["by_sector"]
    ]


def test_a_company_edit_rebuilds_only_its_own_networks_dashboards(
    coordinator_client, coordinator, filled
):
    """Through the edit form's service: a member's new name shows at once; editing a company
    of another network, or a login, leaves this dashboard's fragment cached."""
    from companies import services as company_services
    from networks.selectors import DASHBOARD

    built = []
    original = DASHBOARD.get

    def counting(compute, **parts):
        return original(lambda: built.append(parts["networks"]) or compute(), **parts)

    outsider = NetworkMembershipFactory(company=CompanyFactory(name="Anderswo GmbH")).company
    member = NetworkMembership.objects.filter(network=filled, status="active").first().company
    DASHBOARD.get = counting
    try:
        page(coordinator_client, filled)
        company_services.update_company(company=outsider, updated_by=coordinator, name="Weg KG")
        Client().force_login(coordinator)  # writes last_login
        page(coordinator_client, filled)
        assert built == [filled.pk]

        company_services.update_company(company=member, updated_by=coordinator, name="Neu KG")
        html = page(coordinator_client, filled)
    finally:
        del DASHBOARD.get
    assert built == [filled.pk, filled.pk]
    assert "Neu KG" in html


def test_a_renamed_requester_shows_at_once(coordinator_client, filled):
    assert "Frieda Frage" in page(coordinator_client, filled)
    UserFactory._meta.model.objects.filter(last_name="Frage").update(last_name="Fragmann")
    html = page(coordinator_client, filled)
    assert "Frieda Fragmann" in html
    assert "Frieda Frage<" not in html


def test_a_new_slug_changes_the_forms_addresses(coordinator_client, filled):
    page(coordinator_client, filled)
    filled.slug = "verbund-neu"
    filled.save()

    html = page(coordinator_client, filled)
    assert "/networks/verbund-neu/" in html
    assert "/networks/verbund-robotik/" not in html


def test_workshops_and_registrations_keep_the_cached_tables(coordinator_client, filled):
    """The dashboard shows neither; writing them must not rebuild its figures or tables."""
    get(coordinator_client, filled)
    _response, warm = get(coordinator_client, filled)
    workshop = WorkshopFactory()
    RegistrationFactory(workshop=workshop)
    workshop.title = "Anders"
    workshop.save()
    _response, after = get(coordinator_client, filled)
    assert after == warm


def test_each_language_has_its_own_fragments(coordinator_client, filled):
    english = coordinator_client.get(dashboard_url(filled)).content.decode()
    coordinator_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    german = coordinator_client.get(dashboard_url(filled)).content.decode()
    assert "Open requests" in english
    assert "Open requests" not in german


def test_cached_forms_carry_each_visitors_own_csrf_token(coordinator_client, filled):
    """A fragment built for one coordinator posts for another (strict CSRF checks)."""
    page(coordinator_client, filled)  # builds the fragments with the first coordinator
    other = UserFactory(email="zweite@regiolab.example")
    other.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(other)
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    strict.force_login(other)

    html = page(strict, filled)
    tokens = set(TOKEN.findall(html))
    assert len(tokens) == 1
    member = NetworkMembership.objects.filter(network=filled, status="active").first()
    response = strict.post(
        reverse("networks:change_role", args=[filled.slug, member.pk]),
        {f"role-{member.pk}": "anchor", "csrfmiddlewaretoken": tokens.pop()},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == "anchor"


def test_the_search_field_is_cached_only_while_nobody_searched(coordinator_client, filled):
    url = dashboard_url(filled)
    blank = coordinator_client.get(url).content.decode()

    # The dashboard's own field, in <main> (the header's site search is also named q).
    def own_field(html):
        return html.split("<main")[1].split('name="q"')[1].split(">")[0]

    assert 'value="' not in own_field(blank)

    searched = coordinator_client.get(url, {"q": "Metall<b>"}).content.decode()
    field = own_field(searched)
    assert 'value="Metall&lt;b&gt;"' in field  # the visitor's query, escaped, not the cache
    too_long = coordinator_client.get(url, {"q": "x" * 101}).content.decode()
    assert "at most 100 characters" in too_long

    again = coordinator_client.get(url).content.decode()
    assert without_tokens(again) == without_tokens(blank)  # no query or error left behind
    coordinator_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    german = coordinator_client.get(url).content.decode()
    assert "Find a company by name" in blank and "Find a company by name" not in german
