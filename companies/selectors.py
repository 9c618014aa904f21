"""Read paths for companies, scoped to the user where the data is private."""

from .models import CompanyMember


def membership_of(user) -> CompanyMember | None:
    """The user's active company membership (cached on the user for the request)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_company_membership_cache"):
        user._company_membership_cache = (
            CompanyMember.objects.select_related("company")
            .filter(user=user, status=CompanyMember.Status.ACTIVE)
            .first()
        )
    return user._company_membership_cache
