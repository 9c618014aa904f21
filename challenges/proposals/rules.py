"""Who may see and write proposals: the proposing company's people and the coordinators (and
the reviewers assigned to a proposal, for its attachments)."""

import rules

from companies.selectors import membership_of
from regiolab.permissions import is_coordinator

from ..calls.rules import is_company_rep


@rules.predicate
def is_proposing_company_member(user, proposal) -> bool:
    membership = membership_of(user)
    return (
        proposal is not None
        and membership is not None
        and membership.company_id == proposal.company_id
    )


@rules.predicate
def is_assigned_reviewer(user, proposal) -> bool:
    if proposal is None or not user.is_authenticated:
        return False
    return proposal.assignments.filter(reviewer=user).exists()


rules.add_perm("challenges.list_own_proposals", is_company_rep)
rules.add_perm("challenges.view_proposal", is_coordinator | is_proposing_company_member)
rules.add_perm(
    "challenges.view_proposal_attachment",
    is_coordinator | is_proposing_company_member | is_assigned_reviewer,
)
rules.add_perm("challenges.change_proposal", is_proposing_company_member)
