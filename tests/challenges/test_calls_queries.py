"""Query counts of the calls list (/challenges/), a call's page as a coordinator and as the
owning company, and a challenge's page (coordinator, owning company, proposing company): none
grows with the calls, challenges, proposals, reviews, comments or topics behind them (issue 19).
Each test compares a page with few rows against one with many, cold cache both times and warm
both times."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.models import Challenge, ChallengeComment
from challenges.review import services as review_services
from tests.factories import TopicFactory

from .factories_review import add_review, make_call, make_challenge, make_proposal, make_reviewer
from .support import owner_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _queries(client, url, *, cold: bool) -> tuple[int, str]:
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _cold_and_warm(client, url) -> tuple[int, int, str]:
    cold, _html = _queries(client, url, cold=True)
    warm, html = _queries(client, url, cold=False)
    return cold, warm, html


def _fill(challenge, *, proposals, reviewers, comments, topics, author=None):
    """Proposals with submitted reviews, coordinator comments and topics on ``challenge``."""
    people = [make_reviewer(challenge.call) for _ in range(reviewers)]
    for _ in range(proposals):
        proposal = make_proposal(challenge)
        for person in people:
            add_review(
                review_services.assign_reviewer(proposal=proposal, reviewer=person),
                {"Innovation": 4, "Feasibility": 3},
            )
    for n in range(comments):
        ChallengeComment.objects.create(challenge=challenge, author=author, text=f"Anmerkung {n}")
    challenge.topics.add(*(TopicFactory() for _ in range(topics)))


# The calls list ------------------------------------------------------------------------------


def _add_calls(n):
    for _ in range(n):
        call = make_call(phase="proposals")
        for _ in range(2):
            _fill(make_challenge(call), proposals=1, reviewers=1, comments=0, topics=1)


@pytest.mark.parametrize("viewer", ["anonymous", "coordinator", "company"])
def test_call_list_queries_do_not_grow_with_calls(client, coordinator, viewer):
    if viewer == "coordinator":
        client.force_login(coordinator)
    elif viewer == "company":
        client.force_login(owner_of()[0])
    url = reverse("challenges:calls")
    _add_calls(2)
    client.get(url)  # the session and the first-request lookups
    cold_few, warm_few, _html = _cold_and_warm(client, url)
    _add_calls(10)
    cold_many, warm_many, html = _cold_and_warm(client, url)
    assert (cold_many, warm_many) == (cold_few, warm_few)
    assert html.count('<li class="card">') == 12
    assert html.count("2 published challenges") == 12


# A call's page beyond the public part: every challenge for coordinators, the own for a company


@pytest.mark.parametrize("viewer", ["coordinator", "owner"])
def test_call_page_queries_do_not_grow_for_coordinator_and_owner(client, coordinator, viewer):
    user, company = owner_of()
    client.force_login(coordinator if viewer == "coordinator" else user)
    few, many = make_call(phase="proposals"), make_call(phase="proposals")
    _fill(make_challenge(few, company=company), proposals=1, reviewers=1, comments=1, topics=1)
    for status in ("draft", "submitted", "published", "published", "revision", "approved"):
        challenge = make_challenge(many, company=company)
        _fill(challenge, proposals=3, reviewers=2, comments=2, topics=2)
        Challenge.objects.filter(pk=challenge.pk).update(status=status)
    few_url, many_url = few.get_absolute_url(), many.get_absolute_url()
    client.get(few_url)
    cold_few, warm_few, _html = _cold_and_warm(client, few_url)
    cold_many, warm_many, html = _cold_and_warm(client, many_url)
    assert (cold_many, warm_many) == (cold_few, warm_few)
    # All six of the company's challenges are listed, not only the two published ones.
    assert html.count("<tr><td><a href=") == 6
    if viewer == "coordinator":
        assert html.count("<td>3</td></tr>") == 6  # submitted proposals per challenge


# A challenge's page -----------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["coordinator", "owner", "proposer"])
def test_challenge_page_queries_do_not_grow_with_proposals_reviews_comments(
    client, coordinator, viewer
):
    user, company = owner_of()
    call = make_call(phase="proposals")
    few = make_challenge(call, company=company, title="Wenig")
    many = make_challenge(call, company=company, title="Viel")
    _fill(few, proposals=1, reviewers=1, comments=1, topics=1, author=coordinator)
    _fill(many, proposals=12, reviewers=3, comments=8, topics=5, author=coordinator)
    if viewer == "coordinator":
        client.force_login(coordinator)
    elif viewer == "owner":
        client.force_login(user)
    else:  # a company that proposed for both challenges sees its own proposal on each
        proposer, proposing_company = owner_of()
        make_proposal(few, company=proposing_company, created_by=proposer)
        make_proposal(many, company=proposing_company, created_by=proposer)
        client.force_login(proposer)
    few_url, many_url = few.get_absolute_url(), many.get_absolute_url()
    client.get(few_url)
    cold_few, warm_few, _html = _cold_and_warm(client, few_url)
    cold_many, warm_many, html = _cold_and_warm(client, many_url)
    assert (cold_many, warm_many) == (cold_few, warm_few)
    assert "Viel" in html
    assert html.count("Topic ") == 5
    if viewer == "proposer":
        assert "Open the proposal" in html
    else:  # the comments are shown to the owner and the coordinators
        assert html.count("Anmerkung") == 8
