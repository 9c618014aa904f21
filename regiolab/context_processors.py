from . import caching
from .permissions import is_coordinator, is_funder

# The header's links (templates/partials/navigation.html): the same for everybody in a role and
# language, and built from no table. Rendering them was a tenth of a cached page's time.
NAVIGATION = caching.declare("navigation", reads=[], varies_by=["role"])


def navigation(request):
    """The header's role: the navigation is cached per role and language (NAVIGATION)."""
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
