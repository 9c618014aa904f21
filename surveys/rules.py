"""Who may do what with surveys (named predicates)."""

import rules

from companies.selectors import membership_of
from regiolab.permissions import is_coordinator

__all__ = ["is_coordinator"]

rules.add_perm("surveys.manage_survey", is_coordinator)
rules.add_perm("surveys.view_results", is_coordinator)


@rules.predicate
def has_company(user) -> bool:
    """An active member of a company: answers its training-needs rounds in its space."""
    return membership_of(user) is not None


rules.add_perm("surveys.answer_for_company", has_company & ~is_coordinator)
# The demand board names companies: coordinators only; they plan workshops from it.
rules.add_perm("surveys.view_demand", is_coordinator)
rules.add_perm("surveys.plan_from_demand", is_coordinator)
