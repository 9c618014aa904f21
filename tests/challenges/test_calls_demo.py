"""seed_demo adds the Nordhessen-style call: 6 published challenges of demo companies, 15
submitted proposals, a draft pitch event; running it again changes no counts."""

from io import StringIO

import pytest
from django.core.management import call_command

from challenges.calls.demo import demo_call
from challenges.models import Challenge, Proposal

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_call_once():
    call_command("seed_demo", stdout=StringIO())
    call = demo_call()
    assert call is not None and call.phase() == "review"
    assert call.challenges.filter(status=Challenge.Status.PUBLISHED).count() == 6
    proposals = Proposal.objects.filter(challenge__call=call)
    assert proposals.exclude(status="draft").count() == 15
    statuses = sorted(proposals.values_list("status", flat=True))
    assert call.pitch_event.status == "draft"
    assert call.criteria.count() == 4
    # Nobody proposes for their own challenge.
    for proposal in Proposal.objects.filter(challenge__call=call).select_related("challenge"):
        assert proposal.company_id != proposal.challenge.company_id
    call_command("seed_demo", stdout=StringIO())
    assert Challenge.objects.filter(call=call).count() == 6
    assert Proposal.objects.filter(challenge__call=call).count() == 15
    # The review demo's decisions (shortlisted …) survive a second run.
    assert sorted(proposals.values_list("status", flat=True)) == statuses
