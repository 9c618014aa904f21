"""An SMTP server for tests (aiosmtpd) that collects messages and refuses chosen recipients.

    with SmtpSink() as sink:
        sink.refuse("busy@example.org", code=451, times=1)   # 4xx once, then accept
        sink.refuse("gone@example.org", code=550)            # always 5xx
        sink.refuse_all(code=451)                            # every recipient (an outage) ...
        sink.refuse_all(None)                                # ... until it ends
        sink.data_delay = 0.02                               # a slow server: seconds per DATA
        settings.EMAIL_URL -> f"smtp://127.0.0.1:{sink.port}"
        sink.wait_for(10)
        sink.count("someone@example.org")
        sink.greetings                                       # SMTP sessions opened

The ``smtp_sink`` fixture yields a started sink and stops it afterwards.
"""

import asyncio
import logging
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO; keep test output readable.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class _Refusal:
    code: int
    message: str
    times: int | None  # None: for ever


@dataclass(frozen=True)
class Received:
    recipient: str
    message: EmailMessage
    at: float


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname  # this hook's duty in aiosmtpd
        with self.sink._lock:
            self.sink.greetings += 1  # one per SMTP session: smtplib greets once per connection
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.sink._answer_for(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.data_delay:
            await asyncio.sleep(self.sink.data_delay)
        self.sink._store(envelope.rcpt_tos, envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, *, host: str = "127.0.0.1", port: int | None = None):
        self.host = host
        self.port = port or free_port()
        self.received: list[Received] = []
        self.refused: Counter[str] = Counter()
        self.greetings = 0
        self.data_delay = 0.0
        self._refusals: dict[str, _Refusal] = {}
        self._refuse_all: _Refusal | None = None
        self._lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname=host, port=self.port)

    # --- control -------------------------------------------------------------------------
    def start(self) -> "SmtpSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The value for ``EMAIL_URL``."""
        return f"smtp://{self.host}:{self.port}"

    def refuse(
        self, address: str, *, code: int = 451, message: str | None = None, times: int | None = None
    ) -> None:
        """Answer RCPT TO ``address`` with ``code`` (``times`` times, or always)."""
        text = message or ("Try again later" if 400 <= code < 500 else "No such user here")
        with self._lock:
            self._refusals[address.lower()] = _Refusal(code, text, times)

    def refuse_all(self, code: int | None = 451, message: str | None = None) -> None:
        """Answer every RCPT TO with ``code`` (an outage of the relay); None ends it."""
        with self._lock:
            if code is None:
                self._refuse_all = None
            else:
                text = message or ("Try again later" if 400 <= code < 500 else "Refused")
                self._refuse_all = _Refusal(code, text, None)

    def _answer_for(self, address: str) -> str | None:
        with self._lock:
            refusal = self._refusals.get(address.lower())
            if refusal is None or refusal.times == 0:
                refusal = self._refuse_all  # an address's own answer first, then the outage
            if refusal is None:
                return None
            if refusal.times is not None:
                refusal.times -= 1
            self.refused[address.lower()] += 1
            return f"{refusal.code} {refusal.message}"

    def _store(self, recipients: list[str], content: bytes) -> None:
        message = message_from_bytes(content, policy=policy.default)
        now = time.monotonic()
        with self._lock:
            self.received.extend(Received(r.lower(), message, now) for r in recipients)

    # --- reading -------------------------------------------------------------------------
    def recipients(self) -> Counter[str]:
        """How often each address received a message."""
        with self._lock:
            return Counter(item.recipient for item in self.received)

    def count(self, address: str | None = None) -> int:
        with self._lock:
            if address is None:
                return len(self.received)
            return sum(1 for item in self.received if item.recipient == address.lower())

    def messages_to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [item.message for item in self.received if item.recipient == address.lower()]

    def wait_for(self, count: int, *, timeout: float = 30.0, address: str | None = None) -> bool:
        """Wait until at least ``count`` messages (to ``address``) arrived; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count(address) >= count:
                return True
            time.sleep(0.05)
        return self.count(address) >= count

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self.refused.clear()
            self.greetings = 0
            self._refusals.clear()
            self._refuse_all = None


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink
