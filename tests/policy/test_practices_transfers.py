"""Transfers: a coordinator records that a practice is being adopted in another region; it is
shown on the practice's page and in the coordinators' transfer overview; a status change moves
its date; bad input gets a clear message and saves nothing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from policy.models import Transfer
from policy.practices import services
from tests.policy.practices_support import make_practice

pytestmark = pytest.mark.django_db


def _post(**overrides):
    data = {
        "from_region": "Lazio",
        "to_region": "Nordhessen",
        "partner": "Regionalmanagement Nordhessen",
        "status": "adapting",
        "started_on": "2024-03-01",
        "status_changed_on": "2024-03-01",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_record_a_transfer_and_see_it_on_the_practice_and_the_overview(
    coordinator_client, client, english
):
    practice = make_practice(1, title="Open Innovation Challenge", slug="oic", region="Lazio")
    form_page = coordinator_client.get(reverse("policy:transfer_create", args=["oic"]))
    assert form_page.context["form"].initial["from_region"] == "Lazio"

    response = coordinator_client.post(reverse("policy:transfer_create", args=["oic"]), _post())

    assert response.status_code == 302 and response.url == practice.get_absolute_url()
    transfer = Transfer.objects.get()
    assert (transfer.practice, transfer.to_region, transfer.status) == (
        practice,
        "Nordhessen",
        "adapting",
    )
    public_page = client.get(practice.get_absolute_url()).content.decode()
    assert "Regionalmanagement Nordhessen" in public_page and "adapting" in public_page
    overview = coordinator_client.get(reverse("policy:transfers")).content.decode()
    assert "Open Innovation Challenge" in overview and "Nordhessen" in overview


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"to_region": "lazio"}, "to_region", "another region"),
        ({"status": "finished"}, "status", "Select a valid choice"),
        ({"partner": ""}, "partner", "This field is required"),
        ({"status_changed_on": "2024-01-01"}, "status_changed_on", "before the transfer started"),
    ],
)
def test_bad_transfers_are_refused(coordinator_client, english, overrides, field, message):
    make_practice(1, slug="oic", region="Lazio")
    response = coordinator_client.post(
        reverse("policy:transfer_create", args=["oic"]), _post(**overrides)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert not Transfer.objects.exists()


def test_a_status_change_moves_its_date_to_today(coordinator, coordinator_client):
    from django.utils import timezone

    practice = make_practice(1, slug="oic", region="Lazio")
    transfer = Transfer.objects.create(
        practice=practice,
        from_region="Lazio",
        to_region="Nordhessen",
        partner="RM Nordhessen",
        status="adapting",
        started_on=date(2024, 3, 1),
        status_changed_on=date(2024, 3, 1),
    )
    response = coordinator_client.post(
        reverse("policy:transfer_edit", args=["oic", transfer.pk]), _post(status="adopted")
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "adopted"
    assert transfer.status_changed_on == timezone.localdate()


def test_a_transfer_of_another_practice_is_not_found(coordinator_client):
    first = make_practice(1, slug="eins")
    make_practice(2, slug="zwei")
    transfer = Transfer.objects.create(practice=first, from_region="A", to_region="B", partner="P")
    url = reverse("policy:transfer_edit", args=["zwei", transfer.pk])
    assert coordinator_client.get(url).status_code == 404


def test_only_coordinators_record_transfers(english):
    from tests.factories import UserFactory

    practice = make_practice(1)
    transfer = Transfer(practice=practice, from_region="A", to_region="B", partner="P")
    with pytest.raises(ValidationError, match="Only coordinators"):
        services.save_transfer(transfer=transfer, by=UserFactory())
    assert not Transfer.objects.exists()


def test_overview_queries_do_not_grow(coordinator_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(start, count):
        for n in range(start, start + count):
            Transfer.objects.create(
                practice=make_practice(n), from_region="A", to_region=f"R{n}", partner="P"
            )

    add(0, 2)
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(reverse("policy:transfers"))
    add(2, 15)
    with django_assert_num_queries(len(few)):
        page = coordinator_client.get(reverse("policy:transfers")).content.decode()
    assert "R16" in page
