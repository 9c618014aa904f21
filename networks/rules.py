"""Who may do what with training networks: one named predicate per rule, used by views,
templates and selectors alike."""

import rules

from companies.selectors import membership_of
from regiolab.permissions import is_coordinator, is_funder

from .models import TrainingNetwork

__all__ = [
    "can_request_membership",
    "is_coordinator",
    "is_funder",
    "is_public_network",
    "needs_company",
]


@rules.predicate
def can_request_membership(user) -> bool:
    """Acts for a company: has an active company membership (owner or member)."""
    return membership_of(user) is not None


@rules.predicate
def is_public_network(user, network) -> bool:
    """Active networks are public; planned and closed ones only coordinators see."""
    return network is not None and network.status == TrainingNetwork.Status.ACTIVE


@rules.predicate
def needs_company(user) -> bool:
    """Signed in, could join a network but has no company yet: is sent to register it."""
    return (
        user.is_authenticated
        and membership_of(user) is None
        and not is_coordinator(user)
        and not is_funder(user)
    )


rules.add_perm("networks.view_network", is_public_network | is_coordinator)
# Coordinators add companies directly; read-only roles never write.
rules.add_perm(
    "networks.request_membership",
    can_request_membership & is_public_network & ~is_coordinator & ~is_funder,
)
rules.add_perm("networks.manage_network", is_coordinator)
rules.add_perm("networks.add_network", is_coordinator)
rules.add_perm("networks.view_dashboard", is_coordinator)
