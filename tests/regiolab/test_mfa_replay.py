"""A code of the authenticator app signs in once, ever (issue 14).

allauth accepts a code of the current step and one either side (MFA_TOTP_TOLERANCE = 1) and
remembers a used code for 30 s only, so the same code worked again 31 s later. The clock here is
allauth's own (patched), so minutes pass in no time; allauth's 30-second memory of used codes is
emptied when the clock passes it, as it would have expired.
"""

from unittest import mock

import pytest
from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client

from tests.factories import UserFactory
from tests.support.mfa import enable_totp

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # UserFactory's
PERIOD = app_settings.TOTP_PERIOD
START = 1_900_000_020.2  # just after the start of a time step


class Clock:
    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def clock():
    clock = Clock(START)
    with mock.patch("allauth.mfa.totp.internal.auth.time", clock):
        yield clock


def code_at(secret, when):
    return format_hotp_value(hotp_value(secret, int(when) // PERIOD))


def sign_in(user, code) -> tuple[bool, str]:
    """A fresh browser: password, then the code; whether it is signed in, and the page."""
    browser = Client()
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and "/2fa/authenticate/" in response["Location"]
    response = browser.post("/accounts/2fa/authenticate/", {"code": code})
    return "_auth_user_id" in browser.session, response.content.decode()


def forget_used_codes():
    """What allauth's cache of used codes holds after 30 s: nothing."""
    cache.clear()


def test_a_code_signs_in_once_and_never_again_within_its_window(clock):
    user = UserFactory(email="petra@example.org")
    secret = enable_totp(user)
    code = code_at(secret, START)

    assert sign_in(user, code)[0]
    assert not sign_in(user, code)[0]  # at once

    for later in (31, 59):
        clock.now = START + later
        forget_used_codes()
        signed_in, html = sign_in(user, code)
        assert not signed_in, f"the same code signed in again {later} s later"
        assert 'id="id_code_error"' in html or "errorlist" in html

    # The app's next codes still work, each once.
    clock.now = START + 61
    forget_used_codes()
    fresh = code_at(secret, clock.now)
    assert fresh != code
    assert sign_in(user, fresh)[0]
    assert not sign_in(user, fresh)[0]


def test_an_older_code_is_refused_after_a_newer_one_was_used(clock):
    """Steps only move forward: the previous step's code, still within the tolerance, is spent."""
    user = UserFactory(email="petra@example.org")
    secret = enable_totp(user)
    clock.now = START + 35
    assert sign_in(user, code_at(secret, START + 35))[0]
    assert not sign_in(user, code_at(secret, START))[0]


def test_the_code_typed_to_activate_the_app_does_not_sign_in_again(
    clock, django_capture_on_commit_callbacks
):
    import re

    user = UserFactory(email="petra@example.org")
    browser = Client()
    browser.force_login(user)
    response = browser.post(
        "/accounts/reauthenticate/",
        {"password": PASSWORD, "next": "/accounts/2fa/totp/activate/"},
    )
    html = browser.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7=]+)"', html).group(1)
    code = code_at(secret, START)
    with django_capture_on_commit_callbacks(execute=True):  # allauth's authenticator_added
        response = browser.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    clock.now = START + 31
    forget_used_codes()
    assert not sign_in(user, code)[0]


def test_a_code_used_to_sign_in_does_not_confirm_a_later_reauthentication(clock):
    """allauth asks for the code again before sensitive changes: a spent code is refused there."""
    user = UserFactory(email="petra@example.org")
    secret = enable_totp(user)
    code = code_at(secret, START)
    browser = Client()
    browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    browser.post("/accounts/2fa/authenticate/", {"code": code})
    assert "_auth_user_id" in browser.session

    clock.now = START + 31
    forget_used_codes()
    browser.force_login(user)  # the cache held the session: sign in again without a code
    response = browser.post("/accounts/2fa/reauthenticate/", {"code": code})
    assert response.status_code == 200  # the form again, with its error
    assert "errorlist" in response.content.decode() or 'id="id_code_error"' in (
        response.content.decode()
    )
    fresh = code_at(secret, clock.now)
    response = browser.post("/accounts/2fa/reauthenticate/", {"code": fresh})
    assert response.status_code == 302
