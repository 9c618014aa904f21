"""The check-in code of a registration: printed as a QR code on the confirmation e-mail and on
the registration's own page, scanned at the door by a coordinator.

The code is ``<workshop id>.<signature>``: the signature is an HMAC (keyed with SECRET_KEY) of
the registration's secret cancel token, so it cannot be guessed or forged, reveals nothing about
the person and needs no column of its own. It is known before the registration is saved (the
cancel token is made in Python), so the e-mail's QR image is drawn outside the workshop lock.
A scan compares it with the codes of the workshop's seat holders (one query, a few hundred
HMACs at most). Letters are upper case base32, so a hand scanner can type it on any keyboard.
"""

from __future__ import annotations

import base64
import hmac
import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import segno
from django.urls import reverse
from django.utils.crypto import salted_hmac

from regiolab.links import absolute_url

from ..models import Registration

_SALT = "workshops.checkin-code"
_SIGNATURE_LENGTH = 20  # base32 characters: 100 bits
CODE_PATTERN = re.compile(rf"^(\d{{1,12}})\.([A-Z2-7]{{{_SIGNATURE_LENGTH}}})$")
# A scanner may type the whole URL of the QR code; the code is its last path segment.
MAX_INPUT_LENGTH = 500
# Fixed mask: choosing the best of eight costs most of the time of drawing the code, and every
# mask reads equally well on a screen or print at this size.
_QR_OPTIONS = {"error": "m", "mask": 0, "boost_error": False}
QR_FILENAME = "check-in-qr-code.png"


def _signature(cancel_token: str) -> str:
    digest = salted_hmac(_SALT, cancel_token, algorithm="sha256").digest()
    return base64.b32encode(digest).decode("ascii")[:_SIGNATURE_LENGTH]


def checkin_code(registration: Registration) -> str:
    return f"{registration.workshop_id}.{_signature(registration.cancel_token)}"


def checkin_url(registration: Registration) -> str:
    """The address the QR code opens (the coordinator's phone camera checks the person in)."""
    path = reverse("registrations:checkin_scan", args=[checkin_code(registration)])
    return absolute_url(path)


@dataclass(frozen=True)
class ParsedCode:
    workshop_id: int
    signature: str


def parse(raw: str) -> ParsedCode | None:
    """The code typed, pasted or scanned (alone or as its URL); None when it is no code."""
    value = (raw or "").strip()
    if not value or len(value) > MAX_INPUT_LENGTH:
        return None
    if "/" in value:
        value = [part for part in urlsplit(value).path.split("/") if part][-1:] or [""]
        value = value[0]
    match = CODE_PATTERN.match(value.upper())
    if not match:
        return None
    return ParsedCode(workshop_id=int(match.group(1)), signature=match.group(2))


def find_registration(parsed: ParsedCode, *, workshop_id: int) -> Registration | None:
    """The registration of ``workshop_id`` the code was made for; None when forged or when it
    belongs to nobody there. Compared in constant time."""
    if parsed.workshop_id != workshop_id:
        return None
    rows = Registration.objects.filter(workshop_id=workshop_id).values_list("pk", "cancel_token")
    found = None
    for pk, token in rows:
        if hmac.compare_digest(_signature(token), parsed.signature):
            found = pk
    if found is None:
        return None
    return Registration.objects.select_related("workshop", "company").get(pk=found)


def qr_png(registration: Registration) -> bytes:
    """The QR code of the check-in URL as PNG (for e-mails: mail programs show no SVG)."""
    buffer = io.BytesIO()
    segno.make(checkin_url(registration), **_QR_OPTIONS).save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def qr_svg(registration: Registration) -> str:
    """The QR code as inline SVG for a web page (scales without blurring; no inline style)."""
    return segno.make(checkin_url(registration), **_QR_OPTIONS).svg_inline(
        scale=6, border=4, title=None, svgclass="qr-code", lineclass=None, omitsize=True
    )
