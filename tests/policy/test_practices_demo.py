"""Demo and scale data of the good-practice library: the Open Innovation Challenge (Lazio) and
the MoWiN innovation lab, validated, with the transfer Lazio → Nordhessen, a draft for a second
coordinator, idempotent; 500 scale practices bulk-inserted and flushed again."""

import io
import random

import pytest
from django.urls import reverse

from policy.models import GoodPractice, Transfer
from policy.practices.demo import seed_practices_demo
from policy.practices.scale import flush_scale_practices, seed_scale_practices
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def test_demo_practices_with_a_transfer_twice(client):
    seed_practices_demo(io.StringIO())
    seed_practices_demo(io.StringIO())

    lazio = GoodPractice.objects.get(slug="open-innovation-challenge-lazio")
    mowin = GoodPractice.objects.get(slug="innovationslabor-mowin")
    assert lazio.status == mowin.status == "validated"
    assert GoodPractice.objects.filter(status="draft").count() == 1
    transfer = Transfer.objects.get(practice=lazio)
    assert (transfer.from_region, transfer.to_region, transfer.status) == (
        "Lazio",
        "Nordhessen",
        "adopted",
    )
    assert Transfer.objects.count() == 3
    page = client.get(reverse("policy:practices")).content.decode()
    assert "Open Innovation Challenge" in page and "Innovationslabor MoWiN" in page
    detail = client.get(lazio.get_absolute_url()).content.decode()
    assert "Regionalmanagement Nordhessen GmbH" in detail


class _Seeder:
    def __init__(self, topic_ids):
        self.rng = random.Random(7)
        self.topic_ids = topic_ids
        self.coordinator = None


def test_scale_practices_bulk_inserted_and_flushed():
    topics = [TopicFactory().pk for _ in range(4)]
    rows = seed_scale_practices(_Seeder(topics))

    assert GoodPractice.objects.count() == 500
    assert GoodPractice.objects.filter(status="validated").count() == 480
    assert rows > 500
    assert GoodPractice.topics.through.objects.count() == 1000
    GoodPractice.objects.create(
        slug="echte-praxis", title="Echt", summary="s", region="R", country="DE",
        organisation="O",
    )  # fmt: skip
    flush_scale_practices()
    assert list(GoodPractice.objects.values_list("slug", flat=True)) == ["echte-praxis"]
