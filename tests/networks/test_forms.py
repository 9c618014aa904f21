"""Create and edit a network through the form: valid input saves, bad input shows field errors
and saves nothing."""

import pytest
from django.urls import reverse

from networks.models import TrainingNetwork
from tests.factories import TopicFactory, TrainingNetworkFactory, UserFactory

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("networks:create")


def valid_data(**overrides):
    return {
        "name": "Verbund Additive Fertigung",
        "slug": "additive-fertigung",
        "status": "active",
        "sector_focus": "C",
        "description": "Drei Betriebe lernen 3D-Druck.",
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        **overrides,
    }


def test_create_network(coordinator_client, coordinator):
    topic = TopicFactory()
    response = coordinator_client.post(CREATE_URL, valid_data(topics=[topic.pk]))
    network = TrainingNetwork.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("networks:dashboard", args=["additive-fertigung"])
    assert network.name == "Verbund Additive Fertigung"
    assert list(network.topics.all()) == [topic]
    assert list(network.coordinators.all()) == [coordinator]


def test_create_without_slug_makes_one_from_the_name(coordinator_client):
    coordinator_client.post(CREATE_URL, valid_data(slug=""))
    assert TrainingNetwork.objects.get().slug == "verbund-additive-fertigung"


def test_create_form_page(coordinator_client):
    content = coordinator_client.get(CREATE_URL).content.decode()
    assert content.count("<h1>") == 1
    assert '<label for="id_name"' in content
    assert 'name="csrfmiddlewaretoken"' in content


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"slug": "s" * 81}, "slug", "at most 80 characters"),
        ({"description": "d" * 10001}, "description", "at most 10000 characters"),
        ({"end_date": "2025-12-31"}, "end_date", "The end cannot be before the start."),
        ({"start_date": "31.02.2026"}, "start_date", "Enter a valid date."),
        ({"slug": "new"}, "slug", "is reserved"),
        ({"slug": "NEW"}, "slug", "is reserved"),
        ({"slug": "mit leerzeichen"}, "slug", "valid “slug”"),
        ({"slug": "besetzt"}, "slug", "already exists"),
        ({"description": "<script>alert(1)</script>"}, "description", "without HTML tags"),
        ({"name": "<b>Verbund</b>"}, "name", "without HTML tags"),
        ({"description": "javascript:alert(1)"}, "description", "without HTML tags"),
        ({"status": "secret"}, "status", "Select a valid choice"),
        ({"sector_focus": "Z"}, "sector_focus", "Select a valid choice"),
        ({"topics": ["999999"]}, "topics", "Select a valid choice"),
    ],
)
def test_create_bad_input_shows_field_error_and_saves_nothing(
    coordinator_client, overrides, field, message
):
    TrainingNetworkFactory(slug="besetzt")
    response = coordinator_client.post(CREATE_URL, valid_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert any(message in error for error in form.errors[field])
    content = response.content.decode()
    assert "field-error" in content
    assert "<script>alert" not in content
    assert TrainingNetwork.objects.count() == 1  # only "besetzt"


def test_coordinator_choice_offers_only_coordinators(coordinator_client, coordinator):
    outsider = UserFactory(first_name="Nicht", last_name="Koordinator")
    response = coordinator_client.post(CREATE_URL, valid_data(coordinators=[outsider.pk]))
    assert "coordinators" in response.context["form"].errors
    assert not TrainingNetwork.objects.exists()


def test_edit_network(coordinator_client, network):
    response = coordinator_client.post(
        reverse("networks:edit", args=[network.slug]),
        valid_data(name="Verbund Robotik Nord", slug="robotik-nord", status="closed"),
    )
    assert response.status_code == 302
    network.refresh_from_db()
    assert (network.name, network.slug, network.status) == (
        "Verbund Robotik Nord",
        "robotik-nord",
        "closed",
    )


def test_edit_keeps_own_slug_and_rejects_another_networks(coordinator_client, network):
    TrainingNetworkFactory(slug="besetzt")
    edit_url = reverse("networks:edit", args=[network.slug])
    same = coordinator_client.post(edit_url, valid_data(slug=network.slug))
    assert same.status_code == 302

    response = coordinator_client.post(edit_url, valid_data(slug="besetzt", name="Geändert"))
    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    network.refresh_from_db()
    assert (network.slug, network.name) == ("verbund-robotik", "Verbund Additive Fertigung")
    # The page's links still use the saved slug.
    assert reverse("networks:dashboard", args=["verbund-robotik"]) in response.content.decode()


def test_edit_bad_input_saves_nothing(coordinator_client, network):
    response = coordinator_client.post(
        reverse("networks:edit", args=[network.slug]),
        valid_data(name="", description="<script>x</script>"),
    )
    assert set(response.context["form"].errors) == {"name", "description"}
    network.refresh_from_db()
    assert network.name == "Verbund Robotik"
