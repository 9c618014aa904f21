"""Assignment by hand (the page shows conflicts and asks for a reason) and balanced
automatically (even load, conflicts skipped, existing assignments kept)."""

from collections import Counter

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from challenges.models import ReviewAssignment
from challenges.review import services
from tests.factories import CompanyMemberFactory

from .factories_review import make_call, make_challenge, make_proposal, make_reviewer

pytestmark = pytest.mark.django_db


def _proposals(call, challenges=3, each=5):
    return [
        make_proposal(challenge)
        for challenge in [make_challenge(call) for _ in range(challenges)]
        for _ in range(each)
    ]


def test_balanced_assignment_spreads_the_load_evenly():
    call = make_call()
    proposals = _proposals(call)  # 15 proposals
    reviewers = [make_reviewer(call) for _ in range(4)]
    made, short = services.assign_balanced(call=call, per_proposal=2)
    assert made == 30 and short == []
    per_proposal = Counter(ReviewAssignment.objects.values_list("proposal_id", flat=True))
    assert set(per_proposal.values()) == {2}
    assert set(per_proposal) == {p.pk for p in proposals}
    load = Counter(ReviewAssignment.objects.values_list("reviewer_id", flat=True))
    assert set(load) == {r.pk for r in reviewers}
    assert max(load.values()) - min(load.values()) <= 1  # 30 over 4: 8, 8, 7, 7


def test_balanced_assignment_skips_conflicts_and_reports_the_short():
    call = make_call()
    challenge = make_challenge(call)
    proposal = make_proposal(challenge)
    other = make_proposal(challenge)
    insider = CompanyMemberFactory(company=proposal.company).user
    make_reviewer(call, user=insider)
    outsider = make_reviewer(call)
    made, short = services.assign_balanced(call=call, per_proposal=2)
    assert not ReviewAssignment.objects.filter(proposal=proposal, reviewer=insider).exists()
    assert short == [proposal]
    assert made == 3
    assert ReviewAssignment.objects.filter(proposal=other).count() == 2
    assert ReviewAssignment.objects.filter(reviewer=outsider).count() == 2


def test_balanced_assignment_counts_existing_ones_and_skips_drafts():
    call = make_call()
    challenge = make_challenge(call)
    first, second = make_proposal(challenge), make_proposal(challenge)
    make_proposal(challenge, status="draft")
    a, b, c = (make_reviewer(call) for _ in range(3))
    services.assign_reviewer(proposal=first, reviewer=a)
    services.assign_reviewer(proposal=second, reviewer=a)
    made, _short = services.assign_balanced(call=call, per_proposal=2)
    assert made == 2  # one more for each submitted proposal
    assert Counter(ReviewAssignment.objects.values_list("reviewer_id", flat=True)) == {
        a.pk: 2,
        b.pk: 1,
        c.pk: 1,
    }
    # A second run has nothing to do.
    assert services.assign_balanced(call=call, per_proposal=2) == (0, [])


def test_balanced_assignment_needs_reviewers_and_a_sensible_number():
    call = make_call()
    make_proposal(make_challenge(call))
    with pytest.raises(ValidationError):
        services.assign_balanced(call=call)
    make_reviewer(call)
    with pytest.raises(ValidationError):
        services.assign_balanced(call=call, per_proposal=0)
    assert not ReviewAssignment.objects.exists()


def test_balanced_assignment_through_the_page(coordinator_client, english):
    call = make_call()
    _proposals(call, challenges=2, each=2)
    make_reviewer(call), make_reviewer(call)
    response = coordinator_client.post(
        f"/challenges/{call.slug}/review/assign/", {"per_proposal": 2}, follow=True
    )
    assert "8 assignments made." in response.content.decode()
    assert ReviewAssignment.objects.count() == 8
    # Back on the reviewers page, where each reviewer's load now shows.
    assert response.redirect_chain[-1][0] == f"/challenges/{call.slug}/review/reviewers/"


def test_the_balanced_form_is_on_the_reviewers_page_not_on_the_ranking(coordinator_client, english):
    """The ranking, which coordinators open most, is the cached table alone; the automatic
    assignment sits beside the reviewers and their load, linked from the ranking."""
    call = make_call()
    ranking = coordinator_client.get(f"/challenges/{call.slug}/review/").content.decode()
    reviewers = coordinator_client.get(
        f"/challenges/{call.slug}/review/reviewers/"
    ).content.decode()
    action = f'action="/challenges/{call.slug}/review/assign/"'
    assert action not in ranking
    assert 'name="per_proposal"' not in ranking
    assert f'href="/challenges/{call.slug}/review/reviewers/"' in ranking
    assert "Reviewers and automatic assignment" in ranking
    assert action in reviewers
    assert 'name="per_proposal"' in reviewers


def test_manual_assignment_shows_the_conflict_and_requires_a_reason(
    coordinator_client, coordinator, english
):
    call = make_call()
    proposal = make_proposal(make_challenge(call))
    insider = CompanyMemberFactory(company=proposal.company, user__first_name="Ina").user
    make_reviewer(call, user=insider)
    page = coordinator_client.get(f"/challenges/{call.slug}/review/{proposal.pk}/manage/")
    assert "belongs to the proposing company" in page.content.decode()

    url = f"/challenges/{call.slug}/review/{proposal.pk}/assign/"
    refused = coordinator_client.post(url, {"reviewer": insider.pk, "override_reason": ""})
    assert refused.status_code == 400
    assert "Give a reason to assign them anyway" in refused.content.decode()
    assert not ReviewAssignment.objects.exists()

    done = coordinator_client.post(
        url, {"reviewer": insider.pk, "override_reason": "Nur sie kennt die Anlage"}
    )
    assert done.status_code == 302
    assignment = ReviewAssignment.objects.get()
    assert assignment.conflicts == ["proposer"]
    assert assignment.override_reason == "Nur sie kennt die Anlage"
    assert assignment.assigned_by == coordinator
    page = coordinator_client.get(f"/challenges/{call.slug}/review/{proposal.pk}/manage/")
    assert "Nur sie kennt die Anlage" in page.content.decode()
    entry = LogEntry.objects.get_for_object(assignment).get()
    assert entry.actor == coordinator


def test_unassign_before_the_review_only(coordinator_client):
    call = make_call()
    proposal = make_proposal(make_challenge(call))
    reviewer = make_reviewer(call)
    assignment = services.assign_reviewer(proposal=proposal, reviewer=reviewer)
    url = f"/challenges/{call.slug}/review/{proposal.pk}/unassign/{assignment.pk}/"
    assert coordinator_client.post(url).status_code == 302
    assert not ReviewAssignment.objects.exists()


def test_balanced_assignment_with_a_bad_number_says_why(coordinator_client, english):
    call = make_call()
    make_proposal(make_challenge(call))
    make_reviewer(call)
    response = coordinator_client.post(
        f"/challenges/{call.slug}/review/assign/", {"per_proposal": 0}
    )
    assert response.status_code == 400
    assert "greater than or equal to 1" in response.content.decode()
    assert not ReviewAssignment.objects.exists()
