"""Reads of the review: the ranking per challenge, a reviewer's assignments, the reviews of one
proposal. Each runs a fixed number of queries whatever the numbers of challenges, proposals
and reviews."""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import formats

from companies.models import Company
from regiolab import caching

from ..models import (
    Call,
    CallReviewer,
    Challenge,
    Criterion,
    Proposal,
    Review,
    ReviewAssignment,
    Score,
)
from . import conflicts as coi
from .services import REVIEWED_STATUSES

# The largest population standard deviation of scores in 1..5 (half at 1, half at 5).
MAX_STD_DEV = 2.0


@dataclass
class ProposalRank:
    """A proposal's line in the ranking; the figures are computed once by ``finish()``."""

    proposal: Proposal
    means: list[float] = field(default_factory=list)  # one weighted mean per submitted review
    assigned: int = 0
    conflicts: int = 0
    reviews: int = 0
    mean: float | None = None
    spread: float | None = None
    std_dev: float | None = None
    # 1 − (standard deviation of the reviewers' weighted means ÷ 2), 2 being the largest
    # standard deviation scores from 1 to 5 can have: 1 = all agree, 0 = split between 1 and
    # 5. None with fewer than two reviews.
    agreement: float | None = None
    status_label: str = ""
    mean_text: str = "–"
    spread_text: str = "–"

    def finish(self) -> "ProposalRank":
        means = self.means
        self.reviews = len(means)
        if means:
            self.mean = sum(means) / len(means)
            self.spread = max(means) - min(means)
            self.std_dev = math.sqrt(sum((m - self.mean) ** 2 for m in means) / len(means))
        if len(means) >= 2:
            self.agreement = max(0.0, 1 - self.std_dev / MAX_STD_DEV)
        return self

    @property
    def agreement_percent(self) -> int | None:
        return None if self.agreement is None else round(self.agreement * 100)


# The ranking section of the review page (criteria and weights, the table per challenge):
# rendering 300 proposals cost some 50 ms a request, the figures 17 ms more (make bench, row 1:
# 0.012 of the bare view). Only coordinators see it (views.review), the same for all of them,
# so one rendering per call serves every coordinator until a score, review, assignment,
# proposal, criterion, challenge or the call (its slug is in the links) changes, or a proposing
# company is renamed.
RANKING = caching.declare(
    "review_ranking",
    reads=[
        Call,
        Criterion,
        Challenge,
        Proposal,
        ReviewAssignment,
        Review,
        Score,
        caching.columns(Company, "name"),
    ],
    varies_by=["call"],
)


def weighted_mean(scores: dict[int, int], weights: dict[int, int]) -> float | None:
    """Σ weight × score ÷ Σ weight over the criteria scored."""
    total = sum(weights.get(criterion, 1) for criterion in scores)
    if not total:
        return None
    return sum(weights.get(c, 1) * s for c, s in scores.items()) / total


def criteria_of(call: Call) -> list[Criterion]:
    return list(Criterion.objects.filter(call=call).order_by("position", "pk"))


def ranking(call: Call) -> list[tuple[Challenge, list[ProposalRank]]]:
    """Per challenge (in title order) its reviewed proposals, best weighted mean first.
    Four queries."""
    weights = dict(Criterion.objects.filter(call=call).values_list("pk", "weight"))
    proposals = list(
        Proposal.objects.filter(challenge__call=call, status__in=REVIEWED_STATUSES)
        .select_related("challenge", "company")
        .only(
            "pk",
            "status",
            "decision_sent_at",
            "challenge__title",
            "company__name",
        )
        .order_by("challenge__title", "challenge_id", "pk")
    )
    ranks = {proposal.pk: ProposalRank(proposal) for proposal in proposals}
    for proposal_id, assigned, flagged in (
        ReviewAssignment.objects.filter(proposal__challenge__call=call)
        .values("proposal_id")
        .annotate(n=Count("pk"), flagged=Count("pk", filter=~Q(conflicts=[])))
        .values_list("proposal_id", "n", "flagged")
    ):
        if proposal_id in ranks:
            ranks[proposal_id].assigned = assigned
            ranks[proposal_id].conflicts = flagged
    per_review = defaultdict(dict)
    proposal_of = {}
    for review_id, proposal_id, criterion_id, score in Score.objects.filter(
        review__assignment__proposal__challenge__call=call, review__submitted_at__isnull=False
    ).values_list("review_id", "review__assignment__proposal_id", "criterion_id", "score"):
        per_review[review_id][criterion_id] = score
        proposal_of[review_id] = proposal_id
    for review_id, scores in per_review.items():
        rank = ranks.get(proposal_of[review_id])
        mean = weighted_mean(scores, weights)
        if rank is not None and mean is not None:
            rank.means.append(mean)
    labels = {value: str(label) for value, label in Proposal.Status.choices}
    # Formatted once here: the template's floatformat per cell costs more than the whole query.
    separator = formats.get_format("DECIMAL_SEPARATOR")
    grouped: dict[int, tuple[Challenge, list]] = {}
    for rank in ranks.values():
        rank.finish()
        rank.status_label = labels.get(rank.proposal.status, rank.proposal.status)
        if rank.mean is not None:
            rank.mean_text = f"{rank.mean:.2f}".replace(".", separator)
            rank.spread_text = f"{rank.spread:.2f}".replace(".", separator)
        challenge = rank.proposal.challenge
        grouped.setdefault(challenge.pk, (challenge, []))[1].append(rank)
    for _challenge, rows in grouped.values():
        rows.sort(key=lambda r: (r.mean is None, -(r.mean or 0), r.proposal.pk))
    return list(grouped.values())


def reviewer_assignments(call: Call, user) -> list[ReviewAssignment]:
    return list(
        ReviewAssignment.objects.filter(proposal__challenge__call=call, reviewer=user)
        .select_related("proposal__challenge", "proposal__company", "review")
        .order_by("proposal__challenge__title", "proposal_id")
    )


def call_reviewers(call: Call) -> list[CallReviewer]:
    return list(
        CallReviewer.objects.filter(call=call)
        .select_related("user")
        .annotate(
            load=Count(
                "user__review_assignments",
                filter=Q(user__review_assignments__proposal__challenge__call=call),
            )
        )
        .order_by("added_at", "pk")
    )


def proposal_reviews(proposal: Proposal) -> list[ReviewAssignment]:
    """The proposal's assignments with their review and scores (criteria in order)."""
    return list(
        ReviewAssignment.objects.filter(proposal=proposal)
        .select_related("reviewer", "review")
        .prefetch_related(
            Prefetch(
                "review__scores",
                queryset=Score.objects.select_related("criterion").order_by(
                    "criterion__position", "criterion_id"
                ),
            )
        )
        .order_by("pk")
    )


def reviewer_choices(proposal: Proposal) -> list[tuple[CallReviewer, list[str]]]:
    """The call's reviewers not yet assigned to the proposal, each with their conflicts."""
    reviewers = list(
        CallReviewer.objects.filter(call_id=proposal.challenge.call_id)
        .select_related("user")
        .exclude(user__review_assignments__proposal=proposal)
        .order_by("added_at", "pk")
    )
    found = coi.conflicts_for([r.user_id for r in reviewers], [proposal])
    return [(r, found.get((r.user_id, proposal.pk), [])) for r in reviewers]
