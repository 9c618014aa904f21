"""Public pages, join request, coordinator dashboard and its actions."""

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse

from networks.models import NetworkMembership
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    NetworkMembershipFactory,
    TopicFactory,
    TrainingNetworkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("networks:list")


def url(name, network, *args):
    return reverse(f"networks:{name}", args=[network.slug, *args])


# --- Public list ---------------------------------------------------------------------------


def test_list_shows_active_networks_only_with_topics_and_member_count(client):
    topic = TopicFactory(name_en="Robotics")
    active = TrainingNetworkFactory(
        name="Verbund Aktiv", sector_focus="C", description="Wir lernen gemeinsam Robotik."
    )
    active.topics.add(topic)
    NetworkMembershipFactory.create_batch(2, network=active)
    NetworkMembershipFactory(network=active, status="requested")
    NetworkMembershipFactory(network=active, status="left")
    TrainingNetworkFactory(name="Verbund Geplant", status="planned")
    TrainingNetworkFactory(name="Verbund Beendet", status="closed")

    response = client.get(LIST_URL)
    content = response.content.decode()
    assert "Verbund Aktiv" in content
    assert "Verbund Geplant" not in content
    assert "Verbund Beendet" not in content
    assert "Robotics" in content
    assert "C – Manufacturing" in content
    assert "Wir lernen gemeinsam Robotik." in content
    assert [n.member_count for n in response.context["networks"]] == [2]
    assert content.count("<h1>") == 1


def test_list_shows_coordinators_every_network_with_status(coordinator_client):
    TrainingNetworkFactory(name="Verbund Geplant", status="planned")
    content = coordinator_client.get(LIST_URL).content.decode()
    assert "Verbund Geplant" in content
    assert reverse("networks:create") in content


def test_list_empty_state(client):
    content = client.get(LIST_URL).content.decode()
    assert "There are no open training networks at the moment" in content
    assert reverse("networks:create") not in content


def test_list_paginates(client):
    TrainingNetworkFactory.create_batch(25)
    first = client.get(LIST_URL)
    assert len(first.context["networks"]) == 20
    assert "Page 1 of 2" in first.content.decode()
    assert len(client.get(LIST_URL, {"page": 2}).context["networks"]) == 5


# --- Public detail -------------------------------------------------------------------------


def test_detail_shows_only_consenting_active_members(client, coordinator):
    network = TrainingNetworkFactory(name="Verbund Robotik", description="Zeile eins")
    network.coordinators.add(coordinator)
    shown = CompanyFactory(name="Sichtbar GmbH", municipality="Laatzen", show_in_networks=True)
    hidden = CompanyFactory(name="Verborgen GmbH", show_in_networks=False)
    left = CompanyFactory(name="Ausgetreten GmbH", show_in_networks=True)
    asking = CompanyFactory(name="Fragt GmbH", show_in_networks=True)
    NetworkMembershipFactory(network=network, company=shown, role="anchor")
    NetworkMembershipFactory(network=network, company=hidden)
    NetworkMembershipFactory(network=network, company=left, status="left")
    NetworkMembershipFactory(network=network, company=asking, status="requested")

    content = client.get(url("detail", network)).content.decode()
    assert "Sichtbar GmbH" in content
    assert "Laatzen" in content
    assert "anchor company" in content
    for absent in ("Verborgen GmbH", "Ausgetreten GmbH", "Fragt GmbH"):
        assert absent not in content
    assert "Erika Muster" in content  # coordinator's name, never the e-mail
    assert coordinator.email not in content
    assert "Zeile eins" in content


@pytest.mark.parametrize("status", ["planned", "closed"])
def test_detail_of_planned_or_closed_network_is_404_for_public(client, rep_client, status):
    network = TrainingNetworkFactory(status=status)
    assert client.get(url("detail", network)).status_code == 404
    assert rep_client.get(url("detail", network)).status_code == 404


@pytest.mark.parametrize("status", ["planned", "closed"])
def test_detail_of_planned_or_closed_network_is_visible_to_coordinators(coordinator_client, status):
    network = TrainingNetworkFactory(name="Noch nicht", status=status)
    response = coordinator_client.get(url("detail", network))
    assert response.status_code == 200
    assert "Noch nicht" in response.content.decode()
    assert url("dashboard", network) in response.content.decode()


def test_detail_offers_the_join_button_to_a_company_rep(rep_client, network):
    content = rep_client.get(url("detail", network)).content.decode()
    assert f'action="{url("join", network)}"' in content
    assert "Ask to join for my company" in content


def test_detail_tells_a_person_without_company_to_register_it(client, network):
    client.force_login(UserFactory())
    content = client.get(url("detail", network)).content.decode()
    assert reverse("companies:mine") in content
    assert "register your company first" in content
    assert url("join", network) not in content


def test_detail_invites_anonymous_visitors_to_log_in(client, network):
    content = client.get(url("detail", network)).content.decode()
    assert reverse("account_login") in content
    assert url("join", network) not in content


# --- Join request --------------------------------------------------------------------------


def test_join_request_creates_row_and_confirms(rep_client, rep, network, company):
    response = rep_client.post(url("join", network), follow=True)
    membership = NetworkMembership.objects.get(network=network, company=company)
    assert (membership.status, membership.requested_by) == ("requested", rep)
    content = response.content.decode()
    assert "your request has been sent" in content
    assert "Your company asked to join on" in content
    assert url("join", network) not in content  # no second button


def test_second_join_request_is_refused_with_a_message(rep_client, network, company):
    rep_client.post(url("join", network))
    response = rep_client.post(url("join", network), follow=True)
    assert "already asked to join this network" in response.content.decode()
    assert NetworkMembership.objects.filter(network=network, company=company).count() == 1


def test_join_request_without_company_points_to_registration(client, network):
    client.force_login(UserFactory())
    response = client.post(url("join", network), follow=True)
    assert "Please register your company first" in response.content.decode()
    assert reverse("companies:mine") in response.content.decode()
    assert not NetworkMembership.objects.exists()


def test_join_request_by_anonymous_redirects_to_login(client, network):
    response = client.post(url("join", network))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert response.url.endswith("?next=" + url("detail", network))
    assert not NetworkMembership.objects.exists()


def test_join_request_to_planned_network_is_404(rep_client):
    network = TrainingNetworkFactory(status="planned")
    assert rep_client.post(url("join", network)).status_code == 404
    assert not NetworkMembership.objects.exists()


# --- Dashboard -----------------------------------------------------------------------------


def test_dashboard_counts_by_size_class_and_sector(coordinator_client, network):
    micro = {"headcount": 5, "annual_turnover": 500_000, "balance_sheet_total": 400_000}
    for sector in ("C", "C", "F"):
        NetworkMembershipFactory(network=network, company=CompanyFactory(sector=sector))
    NetworkMembershipFactory(network=network, company=CompanyFactory(sector="J", **micro))
    NetworkMembershipFactory(network=network, company=CompanyFactory(sector="C"), status="left")
    NetworkMembershipFactory(network=TrainingNetworkFactory(), company=CompanyFactory())

    response = coordinator_client.get(url("dashboard", network))
    sizes = {value: count for value, _label, count in response.context["figures"]["by_size_class"]}
    assert sizes == {"micro": 1, "small": 3, "medium": 0, "large": 0}
    sectors = [(value, count) for value, _label, count in response.context["figures"]["by_sector"]]
    assert sectors == [("C", 2), ("F", 1), ("J", 1)]
    assert "4 members" in response.content.decode()


def test_dashboard_lists_open_requests_with_buttons(coordinator_client, network):
    asking = NetworkMembershipFactory(
        network=network, company=CompanyFactory(name="Fragt GmbH"), status="requested"
    )
    content = coordinator_client.get(url("dashboard", network)).content.decode()
    assert "Fragt GmbH" in content
    assert url("decide", network, asking.pk) in content
    assert 'value="accept"' in content and 'value="decline"' in content


def test_accept_from_dashboard_emails_the_company(
    coordinator_client, network, company, rep, django_capture_on_commit_callbacks
):
    asking = NetworkMembershipFactory(network=network, company=company, status="requested")
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            url("decide", network, asking.pk), {"decision": "accept"}, follow=True
        )
    asking.refresh_from_db()
    assert asking.status == "active"
    assert "is now a member" in response.content.decode()
    assert [m.to for m in mail.outbox] == [[rep.email]]


def test_decline_from_dashboard(
    coordinator_client, network, company, rep, django_capture_on_commit_callbacks
):
    asking = NetworkMembershipFactory(network=network, company=company, status="requested")
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url("decide", network, asking.pk), {"decision": "decline"})
    asking.refresh_from_db()
    assert asking.status == "declined"
    assert len(mail.outbox) == 1


def test_decide_with_bad_value_changes_nothing(coordinator_client, network):
    asking = NetworkMembershipFactory(network=network, status="requested")
    response = coordinator_client.post(
        url("decide", network, asking.pk), {"decision": "<script>"}, follow=True
    )
    asking.refresh_from_db()
    assert asking.status == "requested"
    assert "Please choose to accept or decline" in response.content.decode()


def test_decide_on_another_networks_request_is_404(coordinator_client, network):
    other = NetworkMembershipFactory(status="requested")
    response = coordinator_client.post(url("decide", network, other.pk), {"decision": "accept"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "requested"


def test_search_and_add_company(coordinator_client, network):
    found = CompanyFactory(name="Zahnrad Werke KG")
    member = CompanyFactory(name="Zahnrad Mitglied KG")
    NetworkMembershipFactory(network=network, company=member)
    response = coordinator_client.get(url("dashboard", network), {"q": "zahnrad"})
    assert response.context["candidates"] == [found]

    coordinator_client.post(
        url("add_member", network), {"company": found.pk, "role": "education_provider"}
    )
    membership = NetworkMembership.objects.get(network=network, company=found)
    assert (membership.status, membership.role) == ("active", "education_provider")


@pytest.mark.parametrize(
    "data",
    [{}, {"company": "999999", "role": "member"}, {"company": "abc", "role": "<script>"}],
)
def test_add_member_bad_input_adds_nothing(coordinator_client, network, data):
    response = coordinator_client.post(url("add_member", network), data, follow=True)
    assert "Please choose a company and a role" in response.content.decode()
    assert not NetworkMembership.objects.exists()


def test_change_role_and_remove_member(coordinator_client, network):
    membership = NetworkMembershipFactory(network=network)
    coordinator_client.post(
        url("change_role", network, membership.pk), {f"role-{membership.pk}": "chamber"}
    )
    membership.refresh_from_db()
    assert membership.role == "chamber"

    response = coordinator_client.post(
        url("change_role", network, membership.pk), {f"role-{membership.pk}": "x"}
    )
    membership.refresh_from_db()
    assert response.status_code == 302
    assert membership.role == "chamber"

    coordinator_client.post(url("remove_member", network, membership.pk))
    membership.refresh_from_db()
    assert membership.status == "left"
    assert membership.left_on is not None
    # Removing again finds no active membership.
    assert coordinator_client.post(url("remove_member", network, membership.pk)).status_code == 404


# --- Start page tag ------------------------------------------------------------------------


def test_active_networks_tag_renders_links_in_one_query(django_assert_num_queries):
    TrainingNetworkFactory(name="A Verbund", slug="a-verbund")
    TrainingNetworkFactory(name="B Verbund", slug="b-verbund")
    TrainingNetworkFactory(name="C Verbund", slug="c-verbund")
    TrainingNetworkFactory(name="D Verbund", slug="d-verbund")
    TrainingNetworkFactory(name="0 Geplant", status="planned")
    template = Template("{% load network_tags %}{% active_networks 3 %}")
    with django_assert_num_queries(1):
        html = template.render(Context({}))
    assert 'href="/networks/a-verbund/"' in html
    assert "C Verbund" in html
    assert "D Verbund" not in html
    assert "Geplant" not in html


def test_company_member_of_another_company_cannot_use_dashboard(client, network):
    client.force_login(CompanyMemberFactory().user)
    assert client.get(url("dashboard", network)).status_code == 403


def test_start_page_lists_active_networks(client):
    TrainingNetworkFactory(name="Verbund Start", slug="verbund-start")
    TrainingNetworkFactory(name="Verbund Geplant", status="planned")
    content = client.get(reverse("home")).content.decode()
    assert 'href="/networks/verbund-start/"' in content
    assert "Verbund Geplant" not in content


# --- List filter ---------------------------------------------------------------------------


def test_list_filters_by_topic_without_multiplying_counts(client):
    robotics, printing = TopicFactory(), TopicFactory()
    both = TrainingNetworkFactory(name="Verbund Beides")
    both.topics.set([robotics, printing])
    NetworkMembershipFactory.create_batch(3, network=both)
    other = TrainingNetworkFactory(name="Verbund Druck")
    other.topics.set([printing])

    response = client.get(LIST_URL, {"topic": robotics.pk})
    assert [(n.name, n.member_count) for n in response.context["networks"]] == [
        ("Verbund Beides", 3)
    ]
    names = [n.name for n in client.get(LIST_URL, {"topic": printing.pk}).context["networks"]]
    assert names == ["Verbund Beides", "Verbund Druck"]


def test_list_filters_by_sector_and_shows_empty_state(client):
    TrainingNetworkFactory(name="Verbund Bau", sector_focus="F")
    TrainingNetworkFactory(name="Verbund Metall", sector_focus="C")
    response = client.get(LIST_URL, {"sector_focus": "F"})
    assert [n.name for n in response.context["networks"]] == ["Verbund Bau"]
    content = client.get(LIST_URL, {"sector_focus": "J"}).content.decode()
    assert "No network matches your selection." in content
    assert 'id="network-results"' in content


def test_list_filter_bad_input_is_ignored_safely(client):
    TrainingNetworkFactory(name="Verbund Bau")
    response = client.get(LIST_URL, {"topic": "<script>", "sector_focus": "ZZ"})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
