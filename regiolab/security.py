"""Response headers Django's SecurityMiddleware does not set."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class PermissionsPolicyMiddleware:
    """Switches off browser features the portal never uses (camera, geolocation, payment, …).

    A page that is hijacked by injected markup then cannot ask for them either.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` (Django's never-cache headers) on whatever may show
    personal or private data, so neither a shared proxy nor the browser's cache or back button
    keeps it: every answer to a signed-in person, every answer that sets the session cookie and
    every page reached by a secret link (a ``token`` in the URL: cancel, certificate,
    unsubscribe). A view that sets Cache-Control itself has decided; public pages for visitors
    keep theirs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and self._private(request, response):
            add_never_cache_headers(response)
        return response

    @staticmethod
    def _private(request, response) -> bool:
        user = getattr(request, "user", None)  # absent when answered before authentication
        match = getattr(request, "resolver_match", None)
        return (
            (user is not None and user.is_authenticated)
            or settings.SESSION_COOKIE_NAME in response.cookies
            or (match is not None and "token" in match.kwargs)
        )
