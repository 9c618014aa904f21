"""Fetching a partner's calendar without letting the address reach into our own network.

Only http and https; the host is resolved once and every address it resolves to must be a
public one (no loopback, private, link-local, reserved, multicast or unspecified address, in
IPv4, IPv6 or IPv4-mapped IPv6); the connection then goes to the vetted address itself, so a
second DNS answer (DNS rebinding) cannot switch it. Redirects are followed here, each target
checked the same way, at most MAX_REDIRECTS. The body is read in chunks and reading stops past
MAX_BYTES. Tests may allow 127.0.0.1 with settings.PARTNER_FEEDS_ALLOW_LOOPBACK (never in
production).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
ALLOWED_SCHEMES = ("http", "https")
USER_AGENT = "regioLab partner calendar import"


class FetchError(Exception):
    """The feed could not be fetched; the message says why, for the coordinators."""


def timeout() -> float:
    return float(getattr(settings, "PARTNER_FEEDS_TIMEOUT", 20))


def max_bytes() -> int:
    return int(getattr(settings, "PARTNER_FEEDS_MAX_BYTES", MAX_BYTES))


def _loopback_allowed(address) -> bool:
    return bool(getattr(settings, "PARTNER_FEEDS_ALLOW_LOOPBACK", False)) and (
        str(address) == "127.0.0.1"
    )


def is_public_address(address: str) -> bool:
    """The IP address is one of the public internet's."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if _loopback_allowed(ip):
        return True
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, vetted IP) of a URL that may be fetched; FetchError otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(_("The address is not a valid web address.")) from exc
    scheme = (parts.scheme or "").lower()
    if scheme not in ALLOWED_SCHEMES:
        raise FetchError(_("Only http:// and https:// addresses can be imported."))
    host = parts.hostname
    if not host:
        raise FetchError(_("The address names no server."))
    if parts.username or parts.password:
        raise FetchError(_("Addresses with a user name or password are not accepted."))
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(_("The server's name could not be resolved.")) from exc
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise FetchError(_("The server's name could not be resolved."))
    for address in addresses:
        if not is_public_address(address):
            raise FetchError(
                _("The address points into a local or private network and is refused.")
            )
    return scheme, host, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, ip, **kwargs):
        super().__init__(host, port, **kwargs)
        self._ip = ip

    def connect(self):
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, ip, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._ip = ip

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        # The certificate is checked against the host name, the socket goes to the vetted IP.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _read_limited(response, limit: int) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        raise FetchError(_("The calendar is larger than %(mb)s MB.") % {"mb": limit // 2**20})
    chunks, size = [], 0
    while True:
        chunk = response.read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise FetchError(_("The calendar is larger than %(mb)s MB.") % {"mb": limit // 2**20})
        chunks.append(chunk)


def fetch(url: str) -> bytes:
    """The body at ``url`` (redirects followed and checked); FetchError with the reason."""
    seconds = timeout()
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, ip = check_url(url)
        parts = urlsplit(url)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(host, port, ip, timeout=seconds)
        try:
            connection.request(
                "GET",
                path,
                headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"},
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(_("The server redirected without saying where to."))
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(
                    _("The server answered with status %(status)s.") % {"status": response.status}
                )
            return _read_limited(response, max_bytes())
        except TimeoutError as exc:
            raise FetchError(_("The server did not answer in time.")) from exc
        except ssl.SSLError as exc:
            raise FetchError(_("The secure connection failed: %(error)s") % {"error": exc}) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(
                _("The server could not be reached: %(error)s") % {"error": exc}
            ) from exc
        finally:
            connection.close()
    raise FetchError(_("Too many redirects."))
