"""Issue 15: outbox e-mails and workshop invitations are sent by one delivery engine
(regiolab.mail.deliver_due) with one set of retry rules: a 4xx defers both with the same
back-off, a 5xx fails both, and past MAIL_RETRY_HOURS a 4xx fails both."""

import smtplib
from datetime import timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from regiolab import mail
from regiolab.mail import services as mail_services
from regiolab.mail.models import OutboundEmail
from tests.factories import WorkshopFactory
from workshops.invitations import services as invitations
from workshops.models import Invitation

pytestmark = pytest.mark.django_db

BACKEND = f"{__name__}.RefusingBackend"


class RefusingBackend(BaseEmailBackend):
    """A mail backend that answers chosen recipients with an SMTP error code."""

    codes: dict[str, int] = {}
    sent: list[str] = []

    def send_messages(self, messages):
        for message in messages:
            (address,) = message.to
            if code := self.codes.get(address):
                raise smtplib.SMTPRecipientsRefused({address: (code, b"answer from the server")})
            self.sent.append(address)
        return len(messages)


@pytest.fixture
def backend(settings):
    settings.EMAIL_BACKEND = BACKEND
    RefusingBackend.codes, RefusingBackend.sent = {}, []
    return RefusingBackend


def _rows(address: str):
    """An outbox e-mail and an invitation to the same address."""
    email = mail.queue_rendered_email(to=address, subject="Ihre Anmeldung", text="Guten Tag")
    invitation = Invitation.objects.create(
        workshop=WorkshopFactory(), email=address, message_id=mail.new_message_id()
    )
    return email, invitation


def _send_both(invitation):
    mail.deliver_new()
    invitations.send_workshop_invitations(workshop_id=invitation.workshop_id)


def test_both_kinds_go_through_the_one_engine(backend, monkeypatch):
    sources = []
    real = mail_services.deliver_due

    def spy(source, pending, **kwargs):
        sources.append(source.model)
        return real(source, pending, **kwargs)

    monkeypatch.setattr(mail_services, "deliver_due", spy)
    email, invitation = _rows("erika@example.org")

    _send_both(invitation)

    assert sources == [OutboundEmail, Invitation]
    assert backend.sent == ["erika@example.org", "erika@example.org"]
    for row in (email, invitation):
        row.refresh_from_db()
        assert (row.status, row.attempts, row.next_attempt_at) == ("sent", 1, None)
        assert row.sent_at


def test_a_4xx_defers_both_with_the_same_backoff_and_fails_both_after_the_window(backend, settings):
    settings.MAIL_RETRY_BACKOFF = [120, 600]
    backend.codes = {"busy@example.org": 451}
    email, invitation = _rows("busy@example.org")

    _send_both(invitation)

    for row in (email, invitation):
        row.refresh_from_db()
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.last_error == "451 answer from the server"
        assert row.next_attempt_at - row.failing_since == timedelta(seconds=120)

    # Still refused when MAIL_RETRY_HOURS have passed since the first failure: failed, both.
    window_ago = timezone.now() - timedelta(hours=settings.MAIL_RETRY_HOURS)
    for row in (email, invitation):
        type(row).objects.filter(pk=row.pk).update(
            failing_since=window_ago, next_attempt_at=timezone.now()
        )
    mail.deliver_pending()
    invitations.send_pending_invitations()

    for row in (email, invitation):
        row.refresh_from_db()
        assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 2, None)
    assert backend.sent == []


def test_a_5xx_fails_both_at_once(backend):
    backend.codes = {"gone@example.org": 550}
    email, invitation = _rows("gone@example.org")

    _send_both(invitation)

    for row in (email, invitation):
        row.refresh_from_db()
        assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 1, None)
        assert row.last_error == "550 answer from the server"
    assert backend.sent == []
