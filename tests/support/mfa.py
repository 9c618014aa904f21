"""Two-factor login in tests: an activated authenticator app and the code it shows right now.

Coordinators, funders and staff must have one (regiolab.mfa), so every fixture that makes such a
user calls ``enable_totp``. The authenticator is created through allauth's own API, exactly as
its activation page stores it; the code comes from allauth's own HOTP functions.
"""

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt


def enable_totp(user) -> str:
    """Activate an authenticator app for ``user``; returns its secret (base32)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def enable_recovery_codes(user) -> list[str]:
    """Recovery codes as allauth generates them beside the app; returns the unused codes."""
    return RecoveryCodes.activate(user).get_unused_codes()


def current_code(secret: str, *, steps: int = 0) -> str:
    """The code an authenticator app shows now (``steps`` periods later or earlier)."""
    counter = int(time.time()) // app_settings.TOTP_PERIOD + steps
    return format_hotp_value(hotp_value(secret, counter))


def secret_of(user) -> str:
    """The stored secret of ``user``'s authenticator app."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def code_for(user) -> str:
    """The code ``user``'s authenticator app shows now."""
    return current_code(secret_of(user))
