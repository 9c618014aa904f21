"""Who may do what on a call's pitch day: one named predicate per rule.

- coordinators manage the day (slots, plans, matches) and see the whole meeting plan;
- participants are the representatives of a company with a published challenge in the call
  (challenge owners) or with a shortlisted proposal in it (providers); they see the agenda and
  their own meetings, request meetings and answer the ones asked of them.
"""

import rules

from companies.selectors import membership_of
from regiolab.permissions import is_coordinator

from ..models import Challenge, Proposal


def company_id_of(user) -> int | None:
    membership = membership_of(user)
    return membership.company_id if membership is not None else None


@rules.predicate
def is_pitch_participant(user, call) -> bool:
    """A representative of a challenge owner or of a shortlisted provider of ``call``
    (asked once per user and call, cached on the user)."""
    company_id = company_id_of(user)
    if call is None or company_id is None:
        return False
    cache = user.__dict__.setdefault("_pitch_participant_cache", {})
    if call.pk not in cache:
        cache[call.pk] = (
            Challenge.objects.filter(
                call=call, company_id=company_id, status=Challenge.Status.PUBLISHED
            ).exists()
            or Proposal.objects.filter(
                challenge__call=call,
                challenge__status=Challenge.Status.PUBLISHED,
                company_id=company_id,
                status=Proposal.Status.SHORTLISTED,
            ).exists()
        )
    return cache[call.pk]


rules.add_perm("challenges.view_pitch_day", is_coordinator | is_pitch_participant)
rules.add_perm("challenges.take_part_in_pitch_day", is_pitch_participant)
rules.add_perm("challenges.manage_pitch_day", is_coordinator)
