"""The public workshop list is cached per query string and minute until its data change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import TopicFactory, TrainingNetworkFactory, WorkshopFactory
from workshops.models import Workshop
from workshops.registration import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
URL = reverse("workshops:list")


def page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_repeated_request_runs_no_query(client):
    WorkshopFactory(title="Cobots im Mittelstand")
    with CaptureQueriesContext(connection) as cold:
        first = page(client)
    with CaptureQueriesContext(connection) as warm:
        second = page(client)

    assert len(cold) >= 3 and len(warm) == 0  # anonymous: no session, no user
    assert "Cobots im Mittelstand" in first
    assert main_of(first) == main_of(second)


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_a_registration_that_fills_the_workshop_shows_at_once(client):
    workshop = WorkshopFactory(title="Nur ein Platz", capacity=1)
    assert "Fully booked" not in page(client)

    services.register_participant(
        workshop=workshop, first_name="Ada", last_name="Lovelace", email="ada@example.org"
    )

    assert "Fully booked" in page(client)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda w: WorkshopFactory(title="3D-Druck kompakt"), "3D-Druck kompakt", id="new"
        ),
        pytest.param(
            lambda w: Workshop.objects.filter(pk=w.pk).update(title="Umbenannt"),
            "Umbenannt",
            id="bulk-update",
        ),
        pytest.param(
            lambda w: w.topics.add(TopicFactory(name_de="Robotik", name_en="Robotics")),
            "Robotics",
            id="topic-added",
        ),
        pytest.param(
            lambda w: type(w.network).objects.filter(pk=w.network_id).update(name="Verbund Nord"),
            "Verbund Nord",
            id="network-renamed",
        ),
    ],
)
def test_a_change_shows_on_the_next_request(client, change, expected):
    workshop = WorkshopFactory(title="Personalentwicklung", network=TrainingNetworkFactory())
    assert expected not in page(client)

    change(workshop)

    assert expected in page(client)


def test_each_filter_has_its_own_entry(client):
    WorkshopFactory(title="Vor Ort", format="on_site")
    WorkshopFactory(title="Im Netz", format="online", venue="")
    page(client)  # the unfiltered list is cached now

    online = page(client, format="online")

    assert "Im Netz" in online and "Vor Ort" not in online


def test_a_registration_on_the_waitlist_leaves_the_list_cached(client):
    """The list shows places left: a registration that takes no seat changes nothing on it."""
    full = WorkshopFactory(title="Ausgebucht", capacity=1)
    services.register_participant(
        workshop=full, first_name="Ada", last_name="Lovelace", email="ada@example.org"
    )
    page(client)

    waitlisted = services.register_participant(
        workshop=full, first_name="Grace", last_name="Hopper", email="grace@example.org"
    )
    with CaptureQueriesContext(connection) as after:
        page(client)

    assert waitlisted.status == waitlisted.Status.WAITLISTED
    assert len(after) == 0


def test_a_seat_taken_in_one_workshop_rebuilds_the_list_that_shows_its_places(client):
    """The counterpart: the list shows every workshop's places, so a seat taken shows at once."""
    WorkshopFactory(title="Andere Veranstaltung", capacity=5)
    taken = WorkshopFactory(title="Drei Plätze", capacity=3)
    assert "3 places left" in page(client)

    services.register_participant(
        workshop=taken, first_name="Ada", last_name="Lovelace", email="ada@example.org"
    )

    assert "2 places left" in page(client)
