from .permissions import is_coordinator


def navigation(request):
    """Role flags for the header; each is one cached predicate call."""
    user = request.user
    return {"nav_is_coordinator": user.is_authenticated and is_coordinator(user)}
