"""Who may do what with calls and challenges: one named predicate per rule, used by the views,
templates and selectors alike."""

import rules

from companies.selectors import membership_of
from regiolab.permissions import is_coordinator

from ..models import Challenge, Phase, TermsAcceptance

# A challenge may be drafted and changed by its company until proposals close.
DRAFTING_PHASES = (Phase.COLLECTING, Phase.PUBLISHED, Phase.PROPOSALS)
EDITABLE_STATUSES = (Challenge.Status.DRAFT, Challenge.Status.REVISION)


@rules.predicate
def is_company_rep(user) -> bool:
    """Signed in and an active member (owner or member) of a company."""
    return membership_of(user) is not None


@rules.predicate
def is_challenge_owner(user, challenge) -> bool:
    """An active member of the company that owns the challenge."""
    membership = membership_of(user)
    return (
        challenge is not None
        and membership is not None
        and membership.company_id == challenge.company_id
    )


@rules.predicate
def call_open_for_challenges(user, call) -> bool:
    return call is not None and call.phase() in DRAFTING_PHASES


@rules.predicate
def challenge_is_editable(user, challenge) -> bool:
    return (
        challenge is not None
        and challenge.status in EDITABLE_STATUSES
        and challenge.call.phase() in DRAFTING_PHASES
    )


@rules.predicate
def challenge_is_published(user, challenge) -> bool:
    return challenge is not None and challenge.status == Challenge.Status.PUBLISHED


@rules.predicate
def has_accepted_terms(user, challenge) -> bool:
    """The user accepted the current version of the call's confidentiality terms."""
    if challenge is None or not user.is_authenticated:
        return False
    call = challenge.call
    cache = user.__dict__.setdefault("_challenge_terms_cache", {})
    key = (call.pk, call.terms_version)
    if key not in cache:
        cache[key] = TermsAcceptance.objects.filter(
            call=call, user=user, terms_version=call.terms_version
        ).exists()
    return cache[key]


rules.add_perm("challenges.manage_calls", is_coordinator)
rules.add_perm("challenges.add_challenge", is_company_rep & call_open_for_challenges)
rules.add_perm(
    "challenges.view_challenge", is_coordinator | is_challenge_owner | challenge_is_published
)
rules.add_perm("challenges.change_challenge", is_challenge_owner & challenge_is_editable)
rules.add_perm("challenges.decide_challenge", is_coordinator)
rules.add_perm(
    "challenges.withdraw_challenge",
    is_coordinator | is_challenge_owner,
)
rules.add_perm(
    "challenges.view_confidential",
    is_coordinator
    | is_challenge_owner
    | (is_company_rep & challenge_is_published & has_accepted_terms),
)
rules.add_perm("challenges.accept_terms", is_company_rep)
rules.add_perm("challenges.suggest_providers", is_coordinator)
