"""Who may do what with companies: one named predicate per rule, used by views, templates and
selectors alike."""

import rules

from regiolab.permissions import is_coordinator, is_funder

from .models import CompanyMember
from .selectors import membership_of

__all__ = [
    "has_no_company",
    "is_company_member",
    "is_company_owner",
    "is_coordinator",
    "is_funder",
]


@rules.predicate
def is_company_member(user, company) -> bool:
    """An active member (owner or member) of this company."""
    membership = membership_of(user)
    return company is not None and membership is not None and membership.company_id == company.pk


@rules.predicate
def is_company_owner(user, company) -> bool:
    """An active owner of this company: manages its members."""
    membership = membership_of(user)
    return (
        company is not None
        and membership is not None
        and membership.company_id == company.pk
        and membership.role == CompanyMember.Role.OWNER
    )


@rules.predicate
def has_no_company(user) -> bool:
    """Signed in, neither a member of a company nor waiting for an answer to a join request."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_company_link_cache"):
        user._company_link_cache = CompanyMember.objects.filter(user=user).exists()
    return not user._company_link_cache


# set_perm, not add_perm: bulk_views may have registered the import/export perms first.
rules.set_perm("companies.list_companies", is_coordinator)
rules.set_perm("companies.view_company", is_coordinator | is_company_member)
rules.set_perm("companies.change_company", is_coordinator | is_company_member)
rules.set_perm("companies.manage_members", is_coordinator | is_company_owner)
rules.set_perm("companies.add_consultation", is_coordinator)
rules.set_perm("companies.add_company", is_coordinator | (has_no_company & ~is_funder))
rules.set_perm("companies.join_company", has_no_company & ~is_coordinator & ~is_funder)
rules.set_perm("companies.import_companies", is_coordinator)
rules.set_perm("companies.export_companies", is_coordinator)
