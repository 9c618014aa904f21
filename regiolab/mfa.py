"""Two-factor login: required for coordinators, funders and staff, offered to everybody.

allauth.mfa asks for the authenticator code after the password once a user has activated an
authenticator app. This middleware makes sure that those who must use one have one: a signed-in
user who ``requires_mfa`` but has no activated TOTP authenticator reaches nothing but the pages
needed to set it up (or to sign out) and the public legal pages.

A code of the app signs in once, ever: allauth accepts the codes of one step either side of now
and remembers a used code for only 30 s, so the same code would work again half a minute later.
The forms below remember the last step used per authenticator and refuse any code of a step at
or before it (RFC 6238, 5.2). They are allauth's forms (``MFA_FORMS``) with that one check added.
"""

from allauth.core import context
from allauth.core.internal.cryptokit import compare_user_code
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base import forms as base_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.totp.internal import auth as totp
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .permissions import requires_mfa

LAST_STEP = "last_step"  # key in Authenticator.data (beside allauth's "secret")
ACTIVATION_STEP = "regiolab.mfa.activation_step"  # session key while the app is being added


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


# --- One code, one sign-in ---------------------------------------------------------------------


def totp_step(secret: str, code: str) -> int | None:
    """The time step whose code ``code`` is, among those allauth accepts now (its clock)."""
    for step in totp.yield_hotp_counters_from_time():
        if compare_user_code(
            actual=code, expected=totp.format_hotp_value(totp.hotp_value(secret, step))
        ):
            return step
    return None


def claim_totp_code(*, authenticator: Authenticator, code: str) -> bool:
    """Spend ``code``: True only if its step is later than any step used before."""
    with transaction.atomic():
        # Locked: two sign-ins with the same code at once cannot both pass.
        locked = Authenticator.objects.select_for_update().get(pk=authenticator.pk)
        step = totp_step(decrypt(locked.data["secret"]), code)
        if step is None or step <= locked.data.get(LAST_STEP, -1):
            return False
        locked.data[LAST_STEP] = step
        locked.save(update_fields=["data"])
    authenticator.data = locked.data
    return True


class _CodeOnceMixin:
    def clean_code(self) -> str:
        code = super().clean_code()
        if self.authenticator.type == Authenticator.Type.TOTP and not claim_totp_code(
            authenticator=self.authenticator, code=code
        ):
            self._emit_authentication_failed(self.authenticator)
            raise get_adapter().validation_error("incorrect_code")
        return code


class AuthenticateForm(_CodeOnceMixin, base_forms.AuthenticateForm):
    pass


class ReauthenticateForm(_CodeOnceMixin, base_forms.ReauthenticateForm):
    pass


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    """The code typed to add the app counts as used (see ``spend_activation_code``)."""

    def clean_code(self) -> str:
        code = super().clean_code()
        context.request.session[ACTIVATION_STEP] = totp_step(self.secret, code)
        return code


def spend_activation_code(*, request, authenticator) -> None:
    """allauth's ``authenticator_added``: the new app's last used step is the activation code's."""
    session = getattr(request, "session", None)  # the signal may come without a request
    step = session.pop(ACTIVATION_STEP, None) if session is not None else None
    if authenticator.type == Authenticator.Type.TOTP and step is not None:
        authenticator.data[LAST_STEP] = step
        authenticator.save(update_fields=["data"])
