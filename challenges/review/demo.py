"""Reviews for the demo call (``seed_demo``): three reviewers, two per proposal, balanced; a
submitted review with scores for each assignment; the best two proposals of each challenge
shortlisted, the others not selected (decision e-mails left for the coordinator to send).
Running it again adds nothing."""

import random

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from regiolab.demo_data import DEMO_PASSWORD

from ..models import Call, CallReviewer, Criterion, Proposal, Review, ReviewAssignment, Score
from . import selectors, services

REVIEWERS = (
    ("anna.weber@uni-kassel.example", "Anna", "Weber"),
    ("jan.becker@ihk-kassel.example", "Jan", "Becker"),
    ("lea.hoffmann@iee.fraunhofer.example", "Lea", "Hoffmann"),
)
CRITERIA = (
    ("Innovationsgrad", "Degree of innovation", 3),
    ("Umsetzbarkeit im Unternehmen", "Feasibility in the company", 2),
    ("Kosten und Nutzen", "Cost and benefit", 2),
    ("Erfahrung des Teams", "Team experience", 1),
)
COMMENTS = (
    "Überzeugender Ansatz, gut auf die Herausforderung zugeschnitten.",
    "Solide, aber der Zeitplan wirkt knapp.",
    "Interessante Idee; die Kosten sind für einen Piloten hoch.",
    "Das Team hat passende Referenzen aus der Region.",
)


def _reviewer(email: str, first_name: str, last_name: str):
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email, email=email, first_name=first_name, last_name=last_name)
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@transaction.atomic
def seed(call: Call, stdout=None) -> int:
    """Add reviewers, assignments, reviews and shortlist decisions to ``call`` (working on
    whatever submitted proposals it has). Returns the number of reviews written."""
    if not call.criteria.exists():
        Criterion.objects.bulk_create(
            Criterion(call=call, name=name, name_en=name_en, weight=weight, position=position)
            for position, (name, name_en, weight) in enumerate(CRITERIA)
        )
    for email, first_name, last_name in REVIEWERS:
        CallReviewer.objects.get_or_create(
            call=call, user=_reviewer(email, first_name, last_name), defaults={"external": True}
        )
    if Proposal.objects.filter(challenge__call=call, status=Proposal.Status.SUBMITTED).exists():
        services.assign_balanced(call=call, per_proposal=2)
    criteria = list(call.criteria.all())
    written = 0
    now = timezone.now()
    for assignment in ReviewAssignment.objects.filter(
        proposal__challenge__call=call, review__isnull=True
    ).order_by("pk"):
        rng = random.Random(assignment.proposal_id * 31 + assignment.reviewer_id)
        quality = rng.choice((2, 3, 3, 4, 4, 5))
        review = Review.objects.create(
            assignment=assignment, comment=rng.choice(COMMENTS), submitted_at=now
        )
        Score.objects.bulk_create(
            Score(
                review=review,
                criterion=criterion,
                score=min(5, max(1, quality + rng.choice((-1, 0, 0, 1)))),
            )
            for criterion in criteria
        )
        written += 1
    undecided = not Proposal.objects.filter(
        challenge__call=call, status__in=services.DECISIONS
    ).exists()
    if undecided:
        for _challenge, rows in selectors.ranking(call):
            for position, row in enumerate(rows):
                proposal = row.proposal
                proposal.status = (
                    Proposal.Status.SHORTLISTED if position < 2 else Proposal.Status.NOT_SELECTED
                )
                proposal.decision_feedback = (
                    "Wir freuen uns auf Ihren Pitch."
                    if position < 2
                    else "Vielen Dank; andere Vorschläge passten besser zur Aufgabe."
                )
                proposal.save(update_fields=["status", "decision_feedback"])
    if stdout is not None:
        stdout.write(
            f"Challenge review: {len(REVIEWERS)} reviewers, {written} reviews for {call.title}"
        )
    return written


def seed_latest(stdout=None) -> int:
    """For seed_demo until the demo call is handed in: the newest non-scale call."""
    call = Call.objects.exclude(slug__startswith="scale-").order_by("-created_at", "-pk").first()
    return seed(call, stdout) if call is not None else 0
