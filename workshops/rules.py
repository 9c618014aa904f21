"""Who may do what with workshops and registrations (named predicates, used everywhere)."""

import rules

from companies.selectors import membership_of
from regiolab.permissions import is_coordinator

__all__ = ["is_coordinator", "is_company_rep", "owns_registration"]


@rules.predicate
def is_company_rep(user) -> bool:
    """An active member of a company (owner or member) acting for it."""
    return membership_of(user) is not None


@rules.predicate
def owns_registration(user, registration) -> bool:
    """The registration was made for the user's company."""
    if registration is None:
        return False
    membership = membership_of(user)
    return membership is not None and registration.company_id == membership.company_id


rules.add_perm("workshops.manage_workshop", is_coordinator)
rules.add_perm("workshops.view_company_registrations", is_company_rep & ~is_coordinator)
rules.add_perm("workshops.cancel_registration", is_coordinator | owns_registration)
