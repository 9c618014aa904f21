"""The review's writes under real concurrency (threads, each on its own PostgreSQL connection):
decisions sent by several clicks at once still e-mail each proposer once; balanced assignment
run at once still gives each proposal N reviewers; one reviewer assigned twice at once is one
assignment."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from challenges.models import Proposal, ReviewAssignment
from challenges.review import services
from regiolab.mail.models import OutboundEmail
from tests.factories import UserFactory
from tests.workshops.test_concurrency import run_at_once

from .factories_review import make_call, make_challenge, make_proposal, make_reviewer

pytestmark = pytest.mark.django_db(transaction=True)


def test_decisions_sent_at_once_go_once():
    call = make_call()
    challenge = make_challenge(call)
    proposals = [make_proposal(challenge) for _ in range(6)]
    for index, proposal in enumerate(proposals):
        services.decide(proposal=proposal, status="shortlisted" if index < 2 else "not_selected")

    results = []
    errors, _ = run_at_once([lambda: results.append(services.send_decisions(call=call))] * 5)

    assert not errors, errors
    assert sorted(results) == [0, 0, 0, 0, 6]
    addresses = [p.created_by.email for p in proposals]
    sent = Counter(OutboundEmail.objects.filter(to__in=addresses).values_list("to", flat=True))
    assert sent == dict.fromkeys(addresses, 1)
    assert not Proposal.objects.filter(decision_sent_at__isnull=True).exists()


def test_balanced_assignment_at_once_gives_each_proposal_n_reviewers():
    call = make_call()
    challenge = make_challenge(call)
    for _ in range(8):
        make_proposal(challenge)
    for _ in range(4):
        make_reviewer(call)

    errors, _ = run_at_once([lambda: services.assign_balanced(call=call, per_proposal=2)] * 4)

    assert not errors, errors
    per_proposal = Counter(ReviewAssignment.objects.values_list("proposal_id", flat=True))
    assert sorted(per_proposal.values()) == [2] * 8
    load = Counter(ReviewAssignment.objects.values_list("reviewer_id", flat=True))
    assert sorted(load.values()) == [4, 4, 4, 4]


def test_one_reviewer_assigned_twice_at_once_is_one_assignment():
    call = make_call()
    proposal = make_proposal(make_challenge(call))
    reviewer = UserFactory()

    errors, _ = run_at_once(
        [lambda: services.assign_reviewer(proposal=proposal, reviewer=reviewer)] * 4
    )

    # The others are told it is assigned already.
    assert [type(e) for e in errors] == [ValidationError] * 3
    assert ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer).count() == 1
