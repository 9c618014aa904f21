import rules

from regiolab.permissions import is_coordinator


@rules.predicate
def is_funder_user(user) -> bool:
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_is_funder_cache"):
        user._is_funder_cache = user.funders.exists()
    return user._is_funder_cache


rules.add_perm("funding.view_funder_portal", is_funder_user)
rules.add_perm("funding.view_grant_list", is_coordinator | is_funder_user)
