import pytest

from companies.filters import CompanyFilter
from networks.models import NetworkMembership
from tests.factories import CompanyFactory, NetworkMembershipFactory, TopicFactory

pytestmark = pytest.mark.django_db


def names(data):
    f = CompanyFilter(data)
    assert f.is_valid(), f.errors
    return [c.name for c in f.qs]


def test_search_matches_name_or_city():
    CompanyFactory(name="Alpha Fräserei", city="Laatzen")
    CompanyFactory(name="Beta Druck", city="Garbsen")
    assert names({"q": "fräs"}) == ["Alpha Fräserei"]
    assert names({"q": "garb"}) == ["Beta Druck"]


def test_size_sector_municipality_kind():
    CompanyFactory(
        name="Micro", headcount=3, annual_turnover=900_000, municipality="Sehnde", sector="F"
    )
    CompanyFactory(name="Medium", headcount=120, kind="chamber")
    assert names({"size_class": "micro"}) == ["Micro"]
    assert names({"sector": "F"}) == ["Micro"]
    assert names({"municipality": "Sehnde"}) == ["Micro"]
    assert names({"kind": "chamber"}) == ["Medium"]
    assert not CompanyFilter({"municipality": "Berlin"}).is_valid()


def test_network_filter_counts_only_active_memberships():
    active = NetworkMembershipFactory(company__name="In")
    NetworkMembershipFactory(
        network=active.network, company__name="Left", status=NetworkMembership.Status.LEFT
    )
    NetworkMembershipFactory(company__name="Other network")
    f = CompanyFilter({"network": active.network.pk})
    assert f.is_valid()
    rows = list(f.qs)
    assert [c.name for c in rows] == ["In"]
    assert rows[0].network_count == 1


def test_topic_filter_and_ordering():
    topic = TopicFactory()
    a = CompanyFactory(name="A", headcount=200)
    CompanyFactory(name="B", headcount=5)
    a.training_needs.add(topic)
    assert names({"topic": topic.pk}) == ["A"]
    assert names({"ordering": "headcount"}) == ["B", "A"]
    assert names({"ordering": "-name"}) == ["B", "A"]
    assert names({"ordering": "size_class"}) == ["A", "B"]  # "medium" < "micro"
