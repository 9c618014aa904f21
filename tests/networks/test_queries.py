"""Query counts do not grow with the rows: each page rendered with 3 and with 30 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    CompanyFactory,
    NetworkMembershipFactory,
    TopicFactory,
    TrainingNetworkFactory,
)

pytestmark = pytest.mark.django_db


def count_queries(client, path, **params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(context.captured_queries), response


def make_networks(count):
    topics = [TopicFactory(), TopicFactory()]
    for _ in range(count):
        network = TrainingNetworkFactory()
        network.topics.set(topics)
        NetworkMembershipFactory.create_batch(2, network=network)


def fill_network(network, count):
    for index in range(count):
        company = CompanyFactory(sector="CFJ"[index % 3], show_in_networks=True)
        NetworkMembershipFactory(network=network, company=company)
        NetworkMembershipFactory(network=network, company=CompanyFactory(), status="requested")


@pytest.mark.parametrize("who", ["anonymous", "coordinator"])
def test_list_query_count_does_not_grow(client, coordinator, who):
    if who == "coordinator":
        client.force_login(coordinator)
    make_networks(3)
    few, response = count_queries(client, reverse("networks:list"))
    assert len(response.context["networks"]) == 3
    make_networks(27)
    many, response = count_queries(client, reverse("networks:list"))
    assert len(response.context["networks"]) == 20  # first page of 30
    assert many == few


def test_detail_query_count_does_not_grow(client, network, rep):
    client.force_login(rep)
    fill_network(network, 3)
    few, _response = count_queries(client, network.get_absolute_url())
    fill_network(network, 27)
    many, response = count_queries(client, network.get_absolute_url())
    assert len(response.context["members"]) == 30
    assert many == few


def test_dashboard_query_count_does_not_grow(coordinator_client, network):
    dashboard = reverse("networks:dashboard", args=[network.slug])
    fill_network(network, 3)
    few, _response = count_queries(coordinator_client, dashboard, q="Muster")
    fill_network(network, 27)
    many, response = count_queries(coordinator_client, dashboard, q="Muster")
    assert len(response.context["members"]) == 30
    assert len(response.context["requests"]) == 30
    assert many == few
    assert few <= 12, few
