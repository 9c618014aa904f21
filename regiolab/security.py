"""Response headers Django's SecurityMiddleware does not set."""

from django.conf import settings


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
