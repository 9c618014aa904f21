"""Role predicates shared by every app (object rules live in each app's rules.py)."""

import rules

COORDINATORS_GROUP = "Coordinators"


@rules.predicate
def is_coordinator(user) -> bool:
    """A member of the coordination office (group Coordinators).

    Loaded with the user by regiolab.auth_backends; asked once and cached on the user otherwise.
    """
    if not user.is_authenticated:
        return False
    if not hasattr(user, "role_coordinator"):
        user.role_coordinator = user.groups.filter(name=COORDINATORS_GROUP).exists()
    return user.role_coordinator


@rules.predicate
def is_funder(user) -> bool:
    """A person at a funding body (read-only role).

    Read through the user's reverse relation, so that no app below funding imports it; cached
    on the user for the request.
    """
    if not user.is_authenticated or not hasattr(user, "funders"):
        return False
    if not hasattr(user, "role_funder"):  # loaded with the user by regiolab.auth_backends
        user.role_funder = user.funders.exists()
    return user.role_funder


def requires_mfa(user) -> bool:
    """Coordinators, funders and staff see every company's or grant's data: they must sign in
    with a second factor (enforced by regiolab.mfa). Everybody else may choose to.

    Staff flags are columns of the user row; the role predicates are cached on the user, and
    the pages compute them anyway for the navigation and their permission checks.
    """
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or is_coordinator(user) or is_funder(user)


def login_and_permission_required(perm: str):
    """View decorator: anonymous → login page; signed in without ``perm`` → 403."""
    from django.contrib.auth.decorators import login_required
    from rules.contrib.views import permission_required

    def decorator(view):
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorator
