"""seed_scale's calls: 20 calls × 20 challenges × 15 proposals written with bulk inserts, never a
proposal by the challenge's own company; the largest call's page and the bench rows work on it."""

import random
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F

from challenges.calls.scale import flush_scale_calls, largest_call_slug, seed_scale_calls
from challenges.models import Call, Challenge, Proposal
from tests.factories import CompanyFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_scale_calls_and_bench_rows(client):
    seeder = SimpleNamespace(
        rng=random.Random(1),
        company_ids=[CompanyFactory().pk for _ in range(20)],
        topic_ids=[TopicFactory().pk for _ in range(4)],
        base=datetime(2026, 1, 5, tzinfo=ZoneInfo("Europe/Berlin")),
    )
    written = seed_scale_calls(seeder)
    scale = Call.objects.filter(slug__startswith="scale-call-")
    assert scale.count() == 20
    assert Challenge.objects.filter(call__in=scale).count() == 400
    assert Proposal.objects.filter(challenge__call__in=scale).count() == 6000
    assert written == 20 + 80 + 400 + 800 + 6000
    assert not Proposal.objects.filter(company_id=F("challenge__company_id")).exists()
    largest = Call.objects.get(slug=largest_call_slug())
    assert largest.challenges.filter(status="published").count() == 20

    from tests.perf import bench

    assert bench.challenge_call_path() == f"/challenges/{largest.slug}/"
    response = client.get(bench.challenge_call_path())
    assert response.status_code == 200 and b"published-heading" in response.content
    measured = bench.measure_suggested_providers(repeat=2)
    assert measured["found"] > 0
    rows = bench.challenges_rows({"pages": {}, "suggested_providers": measured})
    assert "suggested providers" in rows[0][0]

    flush_scale_calls()
    assert not Call.objects.filter(slug__startswith="scale-call-").exists()
