"""Two-factor login: required for coordinators, funders and staff, offered to everybody.

allauth.mfa asks for the authenticator code after the password once a user has activated an
authenticator app. This middleware makes sure that those who must use one have one: a signed-in
user who ``requires_mfa`` but has no activated TOTP authenticator reaches nothing but the pages
needed to set it up (or to sign out) and the public legal pages.
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .permissions import requires_mfa


def has_totp(user) -> bool:
    """Loaded with the user by regiolab.auth_backends; otherwise one small EXISTS query
    (allauth's own ``is_mfa_enabled`` would also count recovery codes)."""
    if not hasattr(user, "totp_active"):
        user.totp_active = Authenticator.objects.filter(
            user_id=user.pk, type=Authenticator.Type.TOTP
        ).exists()
    return user.totp_active


def _open_paths() -> tuple[frozenset[str], tuple[str, ...]]:
    """The paths (exact) and path prefixes a user still without the second factor may open."""
    # Exact: their editing pages (/privacy/edit/ …) are coordinators' business pages.
    pages = frozenset(reverse(name) for name in ("health", "privacy", "imprint", "accessibility"))
    prefixes = (
        settings.STATIC_URL,
        # /accounts/2fa/…: activation, recovery codes, (re)authentication with a code.
        reverse("mfa_index"),
        # Activation first asks for the password again.
        reverse("account_reauthenticate"),
        reverse("account_logout"),
        # allauth refuses to activate 2FA while an address is unverified: these pages fix that.
        reverse("account_email"),
        reverse("account_email_verification_sent"),  # /accounts/confirm-email/<key>/ too
        reverse("set_language"),
    )
    return pages, prefixes


class RequireMFAMiddleware:
    """Sends a coordinator, funder or staff member without an authenticator app to its setup.

    Costs nothing on the open paths and for anonymous users; for the others the role predicates
    (cached on the user and needed by the page anyway) and, only for those who need a second
    factor, one EXISTS query.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._open = None  # resolved on the first request, when the URLconf is loaded

    def __call__(self, request):
        if self._open is None:
            self._open = _open_paths()
        pages, prefixes = self._open
        path = request.path_info
        if (
            path not in pages
            and not path.startswith(prefixes)
            and request.user.is_authenticated
            and requires_mfa(request.user)
            and not has_totp(request.user)
        ):
            return self._to_activation(request)
        return self.get_response(request)

    def _to_activation(self, request):
        messages.warning(
            request,
            _(
                "Coordinators, funders and administrators must sign in with a second factor. "
                "Please set up an authenticator app now; the other pages of the portal open "
                "once it is active."
            ),
        )
        url = reverse("mfa_activate_totp")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
