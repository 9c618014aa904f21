"""The change history of a practice (audit log): its validation, with who validated it, and
its transfers, shown to coordinators from the practice's page."""

import re

import pytest
from django.urls import reverse

from policy.models import Transfer
from policy.services import validate_practice
from tests.policy.practices_support import make_coordinator, make_practice

pytestmark = pytest.mark.django_db


def test_history_shows_the_validation_and_transfers(coordinator_client, coordinator, english):
    author = make_coordinator("autorin@regiolab.example", "Alma", "Autorin")
    practice = make_practice(1, slug="oic", status="draft", author=author)
    validate_practice(practice=practice, by=coordinator)
    response = coordinator_client.post(
        reverse("policy:transfer_create", args=["oic"]),
        {
            "from_region": "Lazio",
            "to_region": "Nordhessen",
            "partner": "RM Nordhessen",
            "status": "adopted",
            "started_on": "2024-01-01",
            "status_changed_on": "2024-02-01",
        },
    )
    assert response.status_code == 302 and Transfer.objects.count() == 1

    page = coordinator_client.get(practice.get_absolute_url()).content.decode()
    [history_url] = re.findall(r'class="history-link" href="([^"]+)"', page)
    history = coordinator_client.get(history_url.replace("&amp;", "&"))
    assert history.status_code == 200
    text = history.content.decode()
    assert "validated" in text
    assert coordinator.get_full_name() in text
    assert "Nordhessen" in text
