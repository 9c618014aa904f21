"""Calls, challenges and proposals for the review tests, made directly with the models (the
calls and proposals parts have their own services)."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from challenges.models import (
    Call,
    CallReviewer,
    Challenge,
    Criterion,
    Proposal,
    Review,
    ReviewAssignment,
    Score,
)
from tests.factories import CompanyFactory, CompanyMemberFactory, UserFactory

_numbers = count(1)


def make_call(*, phase: str = "review", criteria=(("Innovation", 3), ("Feasibility", 1)), **fields):
    """A call whose dates put today in ``phase`` (review by default) with weighted criteria."""
    today = timezone.localdate()
    n = next(_numbers)
    if phase == "review":
        proposals_until = timezone.now() - timedelta(days=2)
        review_until = today + timedelta(days=10)
    elif phase == "proposals":
        proposals_until = timezone.now() + timedelta(days=5)
        review_until = today + timedelta(days=20)
    else:  # pitch day: review over
        proposals_until = timezone.now() - timedelta(days=20)
        review_until = today - timedelta(days=2)
    values = {
        "title": f"Innovationsaufruf {n}",
        "slug": f"aufruf-{n}",
        "collecting_from": today - timedelta(days=90),
        "published_from": today - timedelta(days=60),
        "proposals_from": today - timedelta(days=40),
        "proposals_until": proposals_until,
        "review_until": review_until,
        "follow_up_from": review_until + timedelta(days=30),
        **fields,
    }
    call = Call.objects.create(**values)
    for position, (name, weight) in enumerate(criteria):
        Criterion.objects.create(call=call, name=name, weight=weight, position=position)
    return call


def make_challenge(call, *, company=None, **fields):
    n = next(_numbers)
    return Challenge.objects.create(
        call=call,
        company=company or CompanyFactory(name=f"Eigentümer {n} GmbH"),
        title=fields.pop("title", f"Herausforderung {n}"),
        problem="Ein Problem",
        desired_outcome="Eine Lösung",
        public_summary="Kurzfassung",
        status=Challenge.Status.PUBLISHED,
        **fields,
    )


def make_proposal(challenge, *, company=None, status=Proposal.Status.SUBMITTED, **fields):
    n = next(_numbers)
    company = company or CompanyFactory(name=f"Anbieter {n} GmbH")
    created_by = fields.pop("created_by", None)
    if created_by is None:
        created_by = CompanyMemberFactory(
            company=company, user__email=f"anbieter{n}@example.org"
        ).user
    return Proposal.objects.create(
        challenge=challenge,
        company=company,
        approach=fields.pop("approach", "Unser Ansatz"),
        status=status,
        created_by=created_by,
        submitted_at=timezone.now(),
        **fields,
    )


def make_reviewer(call, *, user=None, **user_fields):
    user = user or UserFactory(**user_fields)
    CallReviewer.objects.create(call=call, user=user)
    return user


def add_review(assignment: ReviewAssignment, scores: dict, *, submitted=True) -> Review:
    """``scores``: criterion name → score."""
    review = Review.objects.create(
        assignment=assignment, submitted_at=timezone.now() if submitted else None
    )
    criteria = {c.name: c for c in assignment.proposal.challenge.call.criteria.all()}
    Score.objects.bulk_create(
        Score(review=review, criterion=criteria[name], score=value)
        for name, value in scores.items()
    )
    return review
