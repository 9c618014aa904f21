from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .sections import role_of, sections_for


@require_http_methods(["GET", "HEAD"])
def home(request):
    """``/``: the public start page for visitors, each signed-in role's home otherwise."""
    role = role_of(request.user)
    if role is None:
        return render(request, "pages/home.html")
    return render(
        request,
        "home/home.html",
        {"role": role, "sections": sections_for(request.user, now=timezone.now())},
    )
