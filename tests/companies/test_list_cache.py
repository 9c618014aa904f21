"""The company list's filter bar and results are cached per query string until their data change.

Each test starts with an empty cache (tests/conftest.py); every change below goes through a
different path (save, bulk update, membership, topic, network rename) and must show at once.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from companies.models import Company
from tests.factories import (
    CompanyFactory,
    NetworkMembershipFactory,
    TopicFactory,
    TrainingNetworkFactory,
)

URL = reverse("companies:list")


def queries_of(client, *args, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(*args, **kwargs)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.django_db
def test_a_repeated_request_reads_neither_rows_nor_count(coordinator_client, company_a):
    cold, first = queries_of(coordinator_client, URL, {"q": "alpha"})
    warm, second = queries_of(coordinator_client, URL, {"q": "alpha"})

    assert warm < cold
    assert not any("companies_company" in q["sql"] for q in _last_queries(coordinator_client))
    assert first.replace(_csrf(first), "") == second.replace(_csrf(second), "")


def _last_queries(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, {"q": "alpha"})
    return queries.captured_queries


def _csrf(html):
    start = html.index('name="csrfmiddlewaretoken" value="') + len(
        'name="csrfmiddlewaretoken" value="'
    )
    return html[start : html.index('"', start)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(lambda c: CompanyFactory(name="Gamma Guss GmbH"), "Gamma Guss GmbH", id="new"),
        pytest.param(
            lambda c: Company.objects.filter(pk=c.pk).update(name="Alpha Neu GmbH"),
            "Alpha Neu GmbH",
            id="bulk-rename",
        ),
        pytest.param(
            lambda c: TrainingNetworkFactory(name="Verbund Robotik Nord"),
            "Verbund Robotik Nord",  # a new choice in the filter bar
            id="network-choice",
        ),
        pytest.param(
            lambda c: TopicFactory(name_de="Additive Fertigung", name_en="Additive manufacturing"),
            "Additive Fertigung",
            id="topic-choice",
        ),
    ],
)
def test_a_change_shows_on_the_next_request(coordinator_client, company_a, change, expected):
    before = coordinator_client.get(URL).content.decode()
    assert expected not in before

    change(company_a)

    assert expected in coordinator_client.get(URL).content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_a_new_membership_changes_the_network_count(coordinator_client, company_a):
    row = _row_of(coordinator_client.get(URL).content.decode(), company_a.name)
    assert row.rstrip().endswith("<td>0</td>")

    NetworkMembershipFactory(company=company_a)

    row = _row_of(coordinator_client.get(URL).content.decode(), company_a.name)
    assert row.rstrip().endswith("<td>1</td>")


def _row_of(html, name):
    start = html.index(name)
    return html[start : html.index("</tr>", start)]


@pytest.mark.django_db
def test_htmx_gets_the_results_and_the_live_region_from_the_cache(coordinator_client, company_a):
    coordinator_client.get(URL, {"q": "alpha"})  # fills the cache
    response = coordinator_client.get(URL, {"q": "alpha"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="company-results"' in html and 'id="filter-status"' in html
    assert company_a.name in html and "<h1>" not in html
