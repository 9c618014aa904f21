"""The visitor's language lives in the session, not in a cookie of its own.

The portal sets no cookie that needs consent: only the session and the CSRF cookie. Django's
``set_language`` writes a ``django_language`` cookie, so this module replaces it with a view that
stores the choice in the session (an anonymous visitor gets a session for it) and a
``LocaleMiddleware`` that reads it from there first.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

LANGUAGE_SESSION_KEY = "_language"


def _supported(code) -> str | None:
    if not isinstance(code, str) or code not in dict(settings.LANGUAGES):
        return None
    return code


def _safe_next(request) -> str:
    for candidate in (
        request.POST.get("next", request.GET.get("next")),
        request.META.get("HTTP_REFERER"),
    ):
        if candidate and url_has_allowed_host_and_scheme(
            url=candidate,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        ):
            return candidate
    return "/"


@require_http_methods(["GET", "POST"])
def set_language(request):
    """Store the chosen language in the session and go back; GET only redirects (no change)."""
    if request.method == "POST":
        code = _supported(request.POST.get("language"))
        if code:
            request.session[LANGUAGE_SESSION_KEY] = code
    return HttpResponseRedirect(_safe_next(request))


class SessionLocaleMiddleware(LocaleMiddleware):
    """Activates the language stored in the session; without one, Django's usual detection.

    Logging in or out may flush the session; the language chosen before is put back, so the
    page does not switch language under the visitor's feet.
    """

    def process_request(self, request):
        code = _supported(request.session.get(LANGUAGE_SESSION_KEY))
        request._session_language = code
        if code is None:
            return super().process_request(request)
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        code = getattr(request, "_session_language", None)
        session = getattr(request, "session", None)
        if code and session is not None and LANGUAGE_SESSION_KEY not in session:
            session[LANGUAGE_SESSION_KEY] = code
        return super().process_response(request, response)
