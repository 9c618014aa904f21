"""The Open Innovation Challenge's figures for the grants' indicators (funding reads them;
challenges never imports funding).

A grant counts the calls of its networks (``Call.network``); a call without a network counts
for no grant. Every figure is for a period [start, end] of Berlin days and is computed in the
database, two queries whatever the numbers.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Value

from .models import Call, Challenge, Match, MatchNote, Proposal

BERLIN = ZoneInfo("Europe/Berlin")

CHALLENGES_PUBLISHED = "challenges_published"
PROPOSALS_RECEIVED = "challenge_proposals"
COMPANIES_TOOK_PART = "challenge_companies"
MATCHES = "challenge_matches"
COOPERATIONS_AGREED = "challenge_cooperations"
FIGURES = (
    CHALLENGES_PUBLISHED,
    PROPOSALS_RECEIVED,
    COMPANIES_TOOK_PART,
    MATCHES,
    COOPERATIONS_AGREED,
)

# A match's notes with these statuses mean a cooperation was agreed.
AGREED = (Match.Status.PILOT, Match.Status.CONTRACT)
# Proposals that were handed in (a draft was not; a withdrawn one was received before).
RECEIVED = (
    Proposal.Status.SUBMITTED,
    Proposal.Status.SHORTLISTED,
    Proposal.Status.NOT_SELECTED,
    Proposal.Status.WITHDRAWN,
)

# The tables grant_challenge_figures() reads (for the grant page's cache declaration).
FIGURE_SOURCES = (Call, Challenge, Proposal, Match, MatchNote)


def _bounds(period_start: date, period_end: date) -> tuple[datetime, datetime]:
    """The period as [start, end) in Berlin time: both days belong to the period."""
    return (
        datetime.combine(period_start, time.min, tzinfo=BERLIN),
        datetime.combine(period_end + timedelta(days=1), time.min, tzinfo=BERLIN),
    )


def grant_challenge_figures(network_ids, period_start: date, period_end: date) -> dict[str, int]:
    """The challenge figures of the calls of ``network_ids`` for the period:

    - challenges_published: challenges published (status published) in the period;
    - challenge_proposals: proposals handed in (submitted in the period, not drafts);
    - challenge_companies: distinct companies that took part: owners of those challenges and
      proposers of those proposals;
    - challenge_matches: matches (challenge × provider) recorded in the period;
    - challenge_cooperations: distinct matches with a note "pilot agreed" or "contract signed"
      dated in the period.
    """
    network_ids = list(network_ids)
    start, end = _bounds(period_start, period_end)
    published = Challenge.objects.filter(
        call__network_id__in=network_ids,
        status=Challenge.Status.PUBLISHED,
        published_at__gte=start,
        published_at__lt=end,
    )
    received = Proposal.objects.filter(
        challenge__call__network_id__in=network_ids,
        status__in=RECEIVED,
        submitted_at__gte=start,
        submitted_at__lt=end,
    )
    # One query: the owners and the proposers, each row tagged with what it is.
    rows = list(
        published.annotate(kind=Value("c"))
        .values_list("company_id", "kind")
        .order_by()
        .union(
            received.annotate(kind=Value("p")).values_list("company_id", "kind").order_by(),
            all=True,
        )
    )
    matches = Match.objects.filter(challenge__call__network_id__in=network_ids).aggregate(
        recorded=Count("pk", distinct=True, filter=Q(created_at__gte=start, created_at__lt=end)),
        agreed=Count(
            "pk",
            distinct=True,
            filter=Q(
                notes__status__in=AGREED,
                notes__date__gte=period_start,
                notes__date__lte=period_end,
            ),
        ),
    )
    return {
        CHALLENGES_PUBLISHED: sum(kind == "c" for _company, kind in rows),
        PROPOSALS_RECEIVED: sum(kind == "p" for _company, kind in rows),
        COMPANIES_TOOK_PART: len({company for company, _kind in rows}),
        MATCHES: matches["recorded"],
        COOPERATIONS_AGREED: matches["agreed"],
    }
