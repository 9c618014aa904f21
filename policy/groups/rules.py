"""Who may see and manage stakeholder groups: coordinators manage every group; a member (a
person of a member organisation, by account or by a verified e-mail address) sees their own."""

import rules

from regiolab.permissions import is_coordinator

from . import selectors


@rules.predicate
def is_group_member(user, group) -> bool:
    if group is None or not user.is_authenticated:
        return False
    return selectors.groups_of_member(user).filter(pk=group.pk).exists()


@rules.predicate
def belongs_to_a_group(user) -> bool:
    return user.is_authenticated and selectors.groups_of_member(user).exists()


rules.add_perm("policy.manage_groups", is_coordinator)
rules.add_perm("policy.view_group_list", is_coordinator | belongs_to_a_group)
rules.add_perm("policy.view_group", is_coordinator | is_group_member)
