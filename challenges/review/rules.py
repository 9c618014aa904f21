"""Who sees what of a call's review. Coordinators run it; a reviewer sees the call's review
only as far as their own assignments go; everybody else sees nothing of it (404)."""

import rules

from regiolab.permissions import is_coordinator

from ..models import CallReviewer


@rules.predicate
def is_reviewer_of_call(user, call) -> bool:
    """A reviewer of this call (cached on the user per call for the request)."""
    if call is None or not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_challenge_reviewer_calls", {})
    if call.pk not in cache:
        cache[call.pk] = CallReviewer.objects.filter(call=call, user=user).exists()
    return cache[call.pk]


@rules.predicate
def is_assigned_reviewer(user, assignment) -> bool:
    return user.is_authenticated and assignment is not None and assignment.reviewer_id == user.pk


rules.add_perm("challenges.manage_review", is_coordinator)
rules.add_perm("challenges.see_review", is_coordinator | is_reviewer_of_call)
rules.add_perm("challenges.score_proposal", is_assigned_reviewer)
