"""Read paths of calls and challenges, with what their pages need loaded."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from companies.models import Company
from companies.selectors import membership_of
from regiolab import caching
from regiolab.models import Topic
from regiolab.permissions import is_coordinator

from ..models import Call, Challenge, ChallengeComment


def call_list(user) -> QuerySet[Call]:
    """Every call, newest first, with its published challenges counted."""
    return Call.objects.annotate(
        published_count=Count("challenges", filter=Q(challenges__status="published"))
    ).order_by("-collecting_from", "title")


def call_by_slug(slug: str) -> Call:
    return get_object_or_404(Call.objects.select_related("pitch_event", "network"), slug=slug)


# The call page's published challenges: the same for every visitor, and most of the page's
# cost (make bench, row 1). Rebuilt when a challenge, its topics, the call (its slug is in the
# links) or a topic changes, or an owner company is renamed.
PUBLISHED_CHALLENGES = caching.declare(
    "call_published_challenges",
    reads=[
        Call,
        Challenge,
        Challenge.topics.through,
        Topic,
        caching.columns(Company, "name"),
    ],
    varies_by=["call"],
)


def published_challenges(call: Call) -> QuerySet[Challenge]:
    """What the public call page shows of each published challenge (company: its name only)."""
    return (
        call.challenges.filter(status=Challenge.Status.PUBLISHED)
        .select_related("company")
        .only("call_id", "company__name", "title", "public_summary")
        .prefetch_related("topics")
        .order_by("title", "pk")
    )


def challenges_of_call_for(user, call: Call) -> QuerySet[Challenge] | None:
    """What the call page lists beyond the published challenges: every challenge for the
    coordinators, the company's own for its people; None for everybody else."""
    base = call.challenges.select_related("company").order_by("status", "title", "pk")
    if is_coordinator(user):
        return base.annotate(
            proposal_count=Count("proposals", filter=~Q(proposals__status="draft"))
        )
    membership = membership_of(user)
    if membership is None:
        return None
    return base.filter(company_id=membership.company_id)


def challenge_for(user, slug: str, pk: int) -> Challenge:
    """The challenge if the user may see it (published, own company's, or a coordinator);
    404 otherwise, so that a draft's existence stays hidden."""
    challenge = get_object_or_404(
        Challenge.objects.select_related(
            "call", "call__pitch_event", "company", "created_by"
        ).prefetch_related(
            "topics",
            Prefetch(
                "comments",
                queryset=ChallengeComment.objects.select_related("author").order_by(
                    "created_at", "pk"
                ),
            ),
        ),
        call__slug=slug,
        pk=pk,
    )
    if not user.has_perm("challenges.view_challenge", challenge):
        raise Http404
    return challenge


def challenges_awaiting_decision() -> QuerySet[Challenge]:
    return Challenge.objects.filter(status=Challenge.Status.SUBMITTED).select_related(
        "call", "company"
    )
