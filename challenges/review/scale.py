"""Reviews for the scale calls (``seed_scale``), bulk-inserted: six reviewers per call, two
assignments with a submitted review per reviewed proposal, a score for every criterion."""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from ..models import Call, CallReviewer, Criterion, Proposal, Review, ReviewAssignment, Score
from .services import REVIEWED_STATUSES

SLUG_MARK = "scale-"  # seed_scale's mark on the slugs of its rows
USER_MARK = "scale-gutachter-"
REVIEWERS_PER_CALL = 6
PER_PROPOSAL = 2
CRITERIA = (("Innovationsgrad", 3), ("Umsetzbarkeit", 2), ("Kosten und Nutzen", 2), ("Team", 1))


def flush_scale_reviews() -> None:
    """The scale reviewers' accounts (their calls' rows go with the calls)."""
    get_user_model().objects.filter(username__startswith=USER_MARK).delete()


def seed_scale_reviews(seeder=None, calls=None) -> int:
    """Reviewers, assignments, reviews and scores for ``calls`` (default: the scale calls).
    Returns the number of rows written."""
    calls = list(calls if calls is not None else Call.objects.filter(slug__startswith=SLUG_MARK))
    if not calls:
        return 0
    rng = getattr(seeder, "rng", None) or random.Random(7)
    User = get_user_model()
    unusable = make_password(None)
    written = 0
    now = timezone.now()
    have_criteria = set(Criterion.objects.filter(call__in=calls).values_list("call_id", flat=True))
    new_criteria = [
        Criterion(call=call, name=name, weight=weight, position=position)
        for call in calls
        if call.pk not in have_criteria
        for position, (name, weight) in enumerate(CRITERIA)
    ]
    Criterion.objects.bulk_create(new_criteria)
    written += len(new_criteria)
    criteria = {}
    for criterion in Criterion.objects.filter(call__in=calls).order_by("position", "pk"):
        criteria.setdefault(criterion.call_id, []).append(criterion.pk)
    users = User.objects.bulk_create(
        User(
            username=f"{USER_MARK}{call.pk}-{i}",
            email=f"{USER_MARK}{call.pk}-{i}@scale.example",
            first_name="Gutachter",
            last_name=f"{call.pk}-{i}",
            password=unusable,
        )
        for call in calls
        for i in range(REVIEWERS_PER_CALL)
    )
    by_call = {call.pk: users[n * REVIEWERS_PER_CALL : (n + 1) * REVIEWERS_PER_CALL]
               for n, call in enumerate(calls)}  # fmt: skip
    CallReviewer.objects.bulk_create(
        CallReviewer(call_id=call_id, user=user)
        for call_id, people in by_call.items()
        for user in people
    )
    written += 2 * len(users)
    proposals = list(
        Proposal.objects.filter(challenge__call__in=calls, status__in=REVIEWED_STATUSES)
        .order_by("pk")
        .values_list("pk", "challenge__call_id")
    )
    assignments = []
    for n, (proposal_id, call_id) in enumerate(proposals):
        people = by_call[call_id]
        for k in range(PER_PROPOSAL):
            reviewer = people[(n * PER_PROPOSAL + k) % len(people)]
            assignments.append(ReviewAssignment(proposal_id=proposal_id, reviewer=reviewer))
    assignments = ReviewAssignment.objects.bulk_create(assignments, batch_size=2000)
    reviews = Review.objects.bulk_create(
        (
            Review(assignment=a, comment="Skalierungsgutachten", submitted_at=now)
            for a in assignments
        ),
        batch_size=2000,
    )
    call_of = dict(proposals)
    scores = [
        Score(review=review, criterion_id=criterion_id, score=rng.randint(1, 5))
        for review, assignment in zip(reviews, assignments, strict=True)
        for criterion_id in criteria.get(call_of[assignment.proposal_id], ())
    ]
    Score.objects.bulk_create(scores, batch_size=5000)
    return written + len(assignments) + len(reviews) + len(scores)
