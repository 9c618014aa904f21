from .permissions import is_coordinator, is_funder


def navigation(request):
    """The header's role: the navigation is cached per role and language (partials/navigation)."""
    user = request.user
    if not user.is_authenticated:
        role = "visitor"
    elif is_coordinator(user):
        role = "coordinator"
    elif is_funder(user):
        role = "funder"
    else:
        role = "member"
    return {"nav_role": role}
