"""The ranking per challenge: weighted mean, spread, number of reviews, agreement; its query
count does not grow with challenges, proposals and reviews; the cached ranking follows every
score and is shown to coordinators only."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from challenges.review import selectors, services

from .factories_review import add_review, make_call, make_challenge, make_proposal, make_reviewer

pytestmark = pytest.mark.django_db


def test_weighted_mean_spread_and_agreement():
    call = make_call()  # Innovation weight 3, Feasibility weight 1
    challenge = make_challenge(call, title="Kühlkette")
    strong = make_proposal(challenge)
    weak = make_proposal(challenge)
    single = make_proposal(challenge)
    unreviewed = make_proposal(challenge)
    r1, r2 = make_reviewer(call), make_reviewer(call)
    # strong: review means (3*5+1*1)/4 = 4.0 and (3*4+1*4)/4 = 4.0
    add_review(
        services.assign_reviewer(proposal=strong, reviewer=r1), {"Innovation": 5, "Feasibility": 1}
    )
    add_review(
        services.assign_reviewer(proposal=strong, reviewer=r2), {"Innovation": 4, "Feasibility": 4}
    )
    # weak: (3*1+1*1)/4 = 1.0 and (3*5+1*5)/4 = 5.0 → mean 3, spread 4, agreement 0
    add_review(
        services.assign_reviewer(proposal=weak, reviewer=r1), {"Innovation": 1, "Feasibility": 1}
    )
    add_review(
        services.assign_reviewer(proposal=weak, reviewer=r2), {"Innovation": 5, "Feasibility": 5}
    )
    # single: one submitted review and one draft (not counted)
    add_review(
        services.assign_reviewer(proposal=single, reviewer=r1), {"Innovation": 2, "Feasibility": 3}
    )
    add_review(
        services.assign_reviewer(proposal=single, reviewer=r2),
        {"Innovation": 5, "Feasibility": 5},
        submitted=False,
    )
    services.assign_reviewer(proposal=unreviewed, reviewer=r1)

    [(ranked_challenge, rows)] = selectors.ranking(call)
    assert ranked_challenge == challenge
    assert [row.proposal for row in rows] == [strong, weak, single, unreviewed]
    first, second, third, fourth = rows
    assert first.mean == pytest.approx(4.0)
    assert first.spread == pytest.approx(0)
    assert first.agreement == pytest.approx(1.0)
    assert (first.reviews, first.assigned) == (2, 2)
    assert second.mean == pytest.approx(3.0)
    assert second.spread == pytest.approx(4.0)
    assert second.std_dev == pytest.approx(2.0)
    assert second.agreement == pytest.approx(0.0)
    assert third.mean == pytest.approx((3 * 2 + 3) / 4)
    assert (third.reviews, third.assigned) == (1, 2)
    assert third.agreement is None
    assert fourth.mean is None and fourth.reviews == 0


def test_agreement_of_three_reviews():
    call = make_call(criteria=(("Nutzen", 1),))
    proposal = make_proposal(make_challenge(call))
    for score in (2, 3, 4):
        add_review(
            services.assign_reviewer(proposal=proposal, reviewer=make_reviewer(call)),
            {"Nutzen": score},
        )
    [(_challenge, [row])] = selectors.ranking(call)
    # population std dev of 2, 3, 4 = sqrt(2/3) ≈ 0.816 → agreement 1 − 0.408 = 0.592
    assert row.std_dev == pytest.approx((2 / 3) ** 0.5)
    assert row.agreement == pytest.approx(1 - (2 / 3) ** 0.5 / 2)


def test_ranking_page_shows_the_figures_and_explains_agreement(coordinator_client, english):
    call = make_call()
    challenge = make_challenge(call, title="Kühlkette")
    proposal = make_proposal(challenge)
    r1, r2 = make_reviewer(call), make_reviewer(call)
    add_review(
        services.assign_reviewer(proposal=proposal, reviewer=r1),
        {"Innovation": 5, "Feasibility": 1},
    )
    add_review(
        services.assign_reviewer(proposal=proposal, reviewer=r2),
        {"Innovation": 2, "Feasibility": 2},
    )
    content = coordinator_client.get(f"/challenges/{call.slug}/review/").content.decode()
    assert "Kühlkette" in content
    assert proposal.company.name in content
    assert "3.00" in content  # (4.0 + 2.0) / 2
    assert "2.00" in content  # spread
    assert "50 %" in content  # 1 − 1/2
    assert "Agreement: 1 minus the standard deviation" in content


def _fill(call, challenges, proposals, reviewers):
    people = [make_reviewer(call) for _ in range(reviewers)]
    for _ in range(challenges):
        challenge = make_challenge(call)
        for _ in range(proposals):
            proposal = make_proposal(challenge)
            for person in people:
                add_review(
                    services.assign_reviewer(proposal=proposal, reviewer=person),
                    {"Innovation": 3, "Feasibility": 4},
                )


def _queries(client, url, *, cold: bool) -> tuple[int, str]:
    if cold:
        cache.clear()  # the ranking is built, not read from the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_ranking_queries_do_not_grow(coordinator_client):
    few, many = make_call(), make_call()
    _fill(few, challenges=1, proposals=1, reviewers=1)
    _fill(many, challenges=4, proposals=3, reviewers=3)
    few_url, many_url = f"/challenges/{few.slug}/review/", f"/challenges/{many.slug}/review/"
    coordinator_client.get(few_url)  # warm the session
    cold_few, _html = _queries(coordinator_client, few_url, cold=True)
    warm_few, _html = _queries(coordinator_client, few_url, cold=False)
    cold_many, cold_html = _queries(coordinator_client, many_url, cold=True)
    warm_many, warm_html = _queries(coordinator_client, many_url, cold=False)
    assert cold_many == cold_few
    assert warm_many == warm_few
    assert warm_many <= cold_many - 4  # criteria, weights, proposals, assignments, scores
    assert cold_html.count("<caption>") == warm_html.count("<caption>") == 4


@pytest.mark.usefixtures("english")
def test_the_cached_ranking_follows_a_new_score(coordinator_client):
    call = make_call()
    proposal = make_proposal(make_challenge(call))
    first = services.assign_reviewer(proposal=proposal, reviewer=make_reviewer(call))
    second = services.assign_reviewer(proposal=proposal, reviewer=make_reviewer(call))
    add_review(first, {"Innovation": 4, "Feasibility": 4})
    url = f"/challenges/{call.slug}/review/"
    html = coordinator_client.get(url).content.decode()
    assert "<td>4.00</td>" in html and "<td>1 / 2</td>" in html

    criteria = {c.name: c.pk for c in call.criteria.all()}
    services.submit_review(
        assignment=second,
        scores={criteria["Innovation"]: (2, ""), criteria["Feasibility"]: (2, "")},
    )

    html = coordinator_client.get(url).content.decode()
    assert "<td>3.00</td>" in html and "<td>2 / 2</td>" in html  # (4.0 + 2.0) / 2
    assert "50 %" in html


def test_a_reviewer_never_gets_the_cached_ranking(coordinator_client):
    """After a coordinator's visit has cached the ranking, the call's reviewer still sees only
    their own assignments, and a reviewer of another call nothing at all."""
    call = make_call()
    challenge = make_challenge(call, title="Kühlkette")
    mine, theirs = make_proposal(challenge), make_proposal(challenge)
    reviewer = make_reviewer(call)
    services.assign_reviewer(proposal=mine, reviewer=reviewer)
    add_review(
        services.assign_reviewer(proposal=theirs, reviewer=make_reviewer(call)),
        {"Innovation": 5, "Feasibility": 5},
    )
    url = f"/challenges/{call.slug}/review/"
    assert "review-ranking" in coordinator_client.get(url).content.decode()

    as_reviewer = Client()
    as_reviewer.force_login(reviewer)
    html = as_reviewer.get(url).content.decode()
    assert "review-ranking" not in html
    assert "5.00" not in html
    assert theirs.company.name not in html
    outsider = Client()
    outsider.force_login(make_reviewer(make_call()))
    assert outsider.get(url).status_code == 404


def test_reviewer_list_queries_do_not_grow(client, django_assert_num_queries):
    call = make_call()
    reviewer = make_reviewer(call)
    challenge = make_challenge(call)
    services.assign_reviewer(proposal=make_proposal(challenge), reviewer=reviewer)
    client.force_login(reviewer)
    client.get(f"/challenges/{call.slug}/review/")
    with CaptureQueriesContext(connection) as baseline:
        client.get(f"/challenges/{call.slug}/review/")
    for _ in range(5):
        proposal = make_proposal(make_challenge(call))
        add_review(
            services.assign_reviewer(proposal=proposal, reviewer=reviewer),
            {"Innovation": 3, "Feasibility": 3},
        )
    with django_assert_num_queries(len(baseline)):
        client.get(f"/challenges/{call.slug}/review/")


def test_ranking_page_in_german(coordinator_client):
    call = make_call()
    proposal = make_proposal(make_challenge(call))
    r1, r2 = make_reviewer(call), make_reviewer(call)
    add_review(
        services.assign_reviewer(proposal=proposal, reviewer=r1),
        {"Innovation": 5, "Feasibility": 1},
    )
    add_review(
        services.assign_reviewer(proposal=proposal, reviewer=r2),
        {"Innovation": 2, "Feasibility": 2},
    )
    content = coordinator_client.get(
        f"/challenges/{call.slug}/review/", HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert "Rangliste je Challenge" in content
    assert "Übereinstimmung" in content
    assert "3,00" in content  # the German decimal comma
