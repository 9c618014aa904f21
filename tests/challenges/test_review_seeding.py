"""The review's demo and scale data: written on whatever proposals the call has, idempotent
for the demo, in bulk for scale."""

import pytest

from challenges.models import CallReviewer, Proposal, Review, ReviewAssignment, Score
from challenges.review import demo, scale, selectors

from .factories_review import make_call, make_challenge, make_proposal

pytestmark = pytest.mark.django_db


def test_demo_reviews_every_proposal_twice_and_shortlists_two_per_challenge():
    call = make_call(criteria=())
    challenges = [make_challenge(call) for _ in range(3)]
    for challenge in challenges:
        for _ in range(3):
            make_proposal(challenge)
    written = demo.seed(call)
    assert written == 18
    assert CallReviewer.objects.filter(call=call).count() == 3
    assert call.criteria.count() == 4
    assert ReviewAssignment.objects.count() == 18
    assert Score.objects.count() == 18 * 4
    for challenge in challenges:
        statuses = sorted(challenge.proposals.values_list("status", flat=True))
        assert statuses == ["not_selected", "shortlisted", "shortlisted"]
    ranked = selectors.ranking(call)
    assert all(row.reviews == 2 for _c, rows in ranked for row in rows)
    # Again: nothing new.
    assert demo.seed(call) == 0
    assert Review.objects.count() == 18


def test_demo_wire_up_takes_the_newest_call(capsys):
    call = make_call()
    make_proposal(make_challenge(call))
    from challenges.demo import seed_challenges_demo

    class Out:
        lines = []

        def write(self, text):
            self.lines.append(text)

    out = Out()
    seed_challenges_demo(out)
    assert Review.objects.filter(assignment__proposal__challenge__call=call).count() == 2
    assert any("2 reviews" in line for line in out.lines)


def test_scale_reviews_in_bulk():
    calls = [make_call(slug=f"scale-aufruf-{i}", criteria=()) for i in range(2)]
    for call in calls:
        challenge = make_challenge(call)
        for _ in range(4):
            make_proposal(challenge)
    make_proposal(challenge, status=Proposal.Status.DRAFT)
    rows = scale.seed_scale_reviews(calls=calls)
    assert ReviewAssignment.objects.count() == 2 * 4 * 2
    assert Review.objects.filter(submitted_at__isnull=False).count() == 16
    assert Score.objects.count() == 16 * 4
    assert rows == 8 + 2 * 12 + 16 + 16 + 64
    for call in calls:
        [(_challenge, ranked)] = selectors.ranking(call)
        assert all(row.reviews == 2 for row in ranked)
    scale.flush_scale_reviews()
    assert not CallReviewer.objects.exists()
