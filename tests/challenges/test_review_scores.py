"""Scoring: one score 1–5 per criterion with a comment; out of range saves nothing; only the
assigned reviewer; anonymised by default; the other reviews as the call says."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from challenges.models import Review, Score
from challenges.review import services
from tests.factories import CompanyFactory

from .factories_review import add_review, make_call, make_challenge, make_proposal, make_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(client):
    call = make_call()
    proposal = make_proposal(
        make_challenge(call), company=CompanyFactory(name="Sichtbar Solutions GmbH")
    )
    reviewer = make_reviewer(call)
    assignment = services.assign_reviewer(proposal=proposal, reviewer=reviewer)
    client.force_login(reviewer)
    return call, proposal, assignment, client


def _form(call, values, notes=("", "")):  # two criteria
    data = {"comment": "Insgesamt überzeugend"}
    for criterion, value, note in zip(
        call.criteria.order_by("position"), values, notes, strict=True
    ):
        data[f"score_{criterion.pk}"] = value
        data[f"note_{criterion.pk}"] = note
    return data


def test_reviewer_scores_each_criterion_with_a_comment(assigned):
    call, proposal, assignment, client = assigned
    url = f"/challenges/{call.slug}/review/{proposal.pk}/"
    response = client.post(url, _form(call, [4, 2], ["Neu", "Aufwendig"]))
    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.submitted_at is not None
    assert review.comment == "Insgesamt überzeugend"
    assert sorted(review.scores.values_list("criterion__name", "score", "comment")) == [
        ("Feasibility", 2, "Aufwendig"),
        ("Innovation", 4, "Neu"),
    ]
    # Changing it during the review phase replaces the scores.
    client.post(url, _form(call, [5, 5]))
    assert sorted(review.scores.values_list("score", flat=True)) == [5, 5]


@pytest.mark.parametrize("bad", [0, 6, -1, "", "drei"])
def test_out_of_range_score_saves_nothing_and_says_why(assigned, bad, english):
    call, proposal, _assignment, client = assigned
    response = client.post(f"/challenges/{call.slug}/review/{proposal.pk}/", _form(call, [bad, 3]))
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing was saved" in content
    assert "between 1 and 5" in content or "score from 1 to 5" in content
    assert not Review.objects.exists()
    assert not Score.objects.exists()


def test_service_refuses_out_of_range_and_missing_scores(assigned, english):
    call, _proposal, assignment, _client = assigned
    innovation, feasibility = call.criteria.order_by("position")
    with pytest.raises(ValidationError) as refused:
        services.submit_review(
            assignment=assignment, scores={innovation.pk: (7, ""), feasibility.pk: (3, "")}
        )
    assert "between 1 and 5" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        services.submit_review(assignment=assignment, scores={innovation.pk: (3, "")})
    assert not Review.objects.exists()


def test_reviews_only_in_the_review_phase(client):
    call = make_call(phase="proposals")
    proposal = make_proposal(make_challenge(call))
    reviewer = make_reviewer(call)
    assignment = services.assign_reviewer(proposal=proposal, reviewer=reviewer)
    client.force_login(reviewer)
    response = client.post(f"/challenges/{call.slug}/review/{proposal.pk}/", _form(call, [3, 3]))
    assert response.status_code == 400
    assert not Review.objects.filter(assignment=assignment).exists()


def test_unassigned_proposal_is_404_for_a_reviewer(assigned):
    call, proposal, _assignment, client = assigned
    other = make_proposal(proposal.challenge)
    assert client.get(f"/challenges/{call.slug}/review/{other.pk}/").status_code == 404
    response = client.post(f"/challenges/{call.slug}/review/{other.pk}/", _form(call, [3, 3]))
    assert response.status_code == 404
    assert not Review.objects.exists()
    # Nor through another call's address.
    elsewhere = make_call()
    make_reviewer(elsewhere, user=_assignment.reviewer)
    assert client.get(f"/challenges/{elsewhere.slug}/review/{proposal.pk}/").status_code == 404


def test_anonymised_by_default(assigned, english):
    call, proposal, _assignment, client = assigned
    assert call.anonymous_review
    for url in (
        f"/challenges/{call.slug}/review/",
        f"/challenges/{call.slug}/review/{proposal.pk}/",
    ):
        content = client.get(url).content.decode()
        assert "Sichtbar Solutions" not in content
        assert proposal.created_by.email not in content
    assert "hidden (anonymised review)" in content


def test_names_shown_when_the_call_says_so(assigned):
    call, proposal, _assignment, client = assigned
    call.anonymous_review = False
    call.save()
    content = client.get(f"/challenges/{call.slug}/review/{proposal.pk}/").content.decode()
    assert "Sichtbar Solutions" in content


def test_other_reviews_hidden_until_own_submitted(assigned, english):
    call, proposal, assignment, client = assigned
    call.reviewers_see_other_reviews = True
    call.save()
    colleague = make_reviewer(call)
    other = services.assign_reviewer(proposal=proposal, reviewer=colleague)
    other_review = add_review(other, {"Innovation": 1, "Feasibility": 1})
    other_review.comment = "Kollegenmeinung XYZ"
    other_review.save()
    url = f"/challenges/{call.slug}/review/{proposal.pk}/"
    before = client.get(url).content.decode()
    assert "Kollegenmeinung XYZ" not in before
    assert "shown once you have submitted your own" in before
    client.post(url, _form(call, [4, 4]))
    assert "Kollegenmeinung XYZ" in client.get(url).content.decode()


def test_other_reviews_never_shown_by_default(assigned):
    call, proposal, assignment, client = assigned
    colleague = make_reviewer(call)
    other = services.assign_reviewer(proposal=proposal, reviewer=colleague)
    review = add_review(other, {"Innovation": 1, "Feasibility": 1})
    review.comment = "Kollegenmeinung XYZ"
    review.save()
    url = f"/challenges/{call.slug}/review/{proposal.pk}/"
    client.post(url, _form(call, [4, 4]))
    assert "Kollegenmeinung XYZ" not in client.get(url).content.decode()


def test_coordinator_is_sent_to_the_overview(coordinator, assigned):
    call, proposal, _assignment, _client = assigned
    coordinator_client = Client()
    coordinator_client.force_login(coordinator)
    response = coordinator_client.get(f"/challenges/{call.slug}/review/{proposal.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/review/{proposal.pk}/manage/")
