"""Issue 14: which SMTP answers are retried, how long, with what back-off, and that a message
whose fate is unknown goes out again with the same Message-ID."""

import smtplib
from datetime import timedelta
from email import message_from_string

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from regiolab import mail
from regiolab.mail import backoff_seconds, deliver, deliver_pending, is_permanent, record_failure
from regiolab.mail.models import OutboundEmail
from tests.support.smtp_sink import smtp_sink  # noqa: F401 — fixture

TRANSIENT = [
    smtplib.SMTPRecipientsRefused({"a@example.org": (451, b"Try again later")}),
    smtplib.SMTPResponseException(421, b"Service not available, closing channel"),
    smtplib.SMTPSenderRefused(452, b"Insufficient storage", "noreply@regiolab.example"),
    smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    ConnectionRefusedError(111, "Connection refused"),
    ConnectionResetError(104, "Connection reset by peer"),
    TimeoutError("timed out"),
    smtplib.SMTPAuthenticationError(535, b"Authentication failed"),  # our configuration
]
PERMANENT = [
    smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user here")}),
    smtplib.SMTPDataError(554, b"Message rejected"),
    smtplib.SMTPSenderRefused(553, b"Sender not allowed", "noreply@regiolab.example"),
]


@pytest.mark.parametrize("exc", TRANSIENT, ids=lambda e: type(e).__name__)
def test_temporary_answers_are_retried(exc):
    assert is_permanent(exc) is False


@pytest.mark.parametrize("exc", PERMANENT, ids=lambda e: type(e).__name__)
def test_5xx_answers_are_permanent(exc):
    assert is_permanent(exc) is True


def test_backoff_grows_and_its_last_step_repeats(settings):
    settings.MAIL_RETRY_BACKOFF = [60, 300, 900]
    assert [backoff_seconds(n) for n in range(1, 6)] == [60, 300, 900, 900, 900]


def test_the_production_schedule_keeps_trying_for_72_hours(settings):
    """With the default settings an e-mail deferred all along is tried again and again (and
    not failed) until 72 hours have passed since the first failure, then failed."""
    assert settings.MAIL_RETRY_HOURS == 72
    row = OutboundEmail(to="a@example.org", status="pending")
    start = timezone.now()
    now, tries = start, 0
    while row.status == "pending":
        record_failure(row, TRANSIENT[0], now=now)
        tries += 1
        assert row.next_attempt_at is None or row.next_attempt_at > now
        now = row.next_attempt_at or now
        assert tries < 100
    gaps = [backoff_seconds(n) for n in range(1, tries)]
    assert gaps == sorted(gaps)  # growing back-off
    assert now - start >= timedelta(hours=72)
    assert row.status == "failed" and row.attempts == tries
    print(f"\n72 h of 451: {tries} tries, failed after {(now - start) / timedelta(hours=1):.1f} h")


def test_a_5xx_fails_at_once_and_a_4xx_only_after_the_window(settings):
    settings.MAIL_RETRY_HOURS = 72
    settings.MAIL_RETRY_BACKOFF = [60]
    t0 = timezone.now()
    refused = OutboundEmail(to="a@example.org", status="pending")
    assert record_failure(refused, PERMANENT[0], now=t0) is True
    assert (refused.status, refused.attempts, refused.next_attempt_at) == ("failed", 1, None)
    assert refused.last_error == "550 No such user here"

    deferred = OutboundEmail(to="b@example.org", status="pending")
    assert record_failure(deferred, TRANSIENT[0], now=t0) is False
    assert deferred.next_attempt_at == t0 + timedelta(seconds=60)
    assert record_failure(deferred, TRANSIENT[1], now=t0 + timedelta(hours=71, minutes=59)) is False
    assert deferred.status == "pending" and deferred.failing_since == t0
    assert record_failure(deferred, TRANSIENT[1], now=t0 + timedelta(hours=72)) is True
    assert deferred.status == "failed" and deferred.attempts == 3


@pytest.fixture
def smtp(settings, smtp_sink):  # noqa: F811
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    return smtp_sink


def _queue(to="erika@example.org") -> OutboundEmail:
    return mail.queue_rendered_email(to=to, subject="Ihre Anmeldung", text="Guten Tag")


@pytest.mark.django_db
def test_the_outbox_waits_for_the_backoff_before_trying_again(settings, smtp, monkeypatch):
    settings.MAIL_RETRY_BACKOFF = [600]
    smtp.refuse("erika@example.org", code=451, times=1)
    row = _queue()
    assert deliver(row.pk) is False
    row.refresh_from_db()
    assert row.status == "pending" and row.next_attempt_at > timezone.now()

    assert deliver_pending(older_than=timedelta(0)) == 0  # not due yet
    later = timezone.now() + timedelta(seconds=601)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert deliver_pending(older_than=timedelta(0)) == 1
    assert smtp.count("erika@example.org") == 1


@pytest.mark.django_db
def test_a_message_whose_fate_is_unknown_goes_out_again_with_the_same_message_id(smtp, monkeypatch):
    """The server accepted it, then the worker died before the commit (simulated by an error
    right after the send): the row stays pending, and the resend carries the same Message-ID."""
    row = _queue()
    assert row.message_id.startswith("<") and row.message_id.endswith(">")

    real_now = timezone.now

    def dies_after_send():
        if smtp.count():
            raise SystemExit("killed")
        return real_now()

    monkeypatch.setattr(timezone, "now", dies_after_send)
    with pytest.raises(SystemExit):
        deliver(row.pk)
    monkeypatch.setattr(timezone, "now", real_now)
    row.refresh_from_db()
    assert row.status == "pending"

    assert deliver(row.pk) is True
    messages = smtp.messages_to("erika@example.org")
    assert len(messages) == 2
    assert messages[0]["Message-ID"] == messages[1]["Message-ID"] == row.message_id
    assert deliver(row.pk) is False  # marked sent: never a third


@pytest.mark.django_db
def test_locmem_messages_carry_the_stored_message_id():
    row = _queue()
    deliver(row.pk)
    parsed = message_from_string(django_mail.outbox[0].message().as_string())
    assert parsed["Message-ID"] == row.message_id
