"""Every automatic e-mail as a mail program and a mail server read it: the bytes sent, parsed
with Python's ``email`` package. Replies go to the office, auto-responders stay quiet, the
Message-ID is in the site's domain; invitations can be unsubscribed with one click."""

import re
from datetime import date, timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core import mail
from django.utils import timezone

from funding.models import Grant, ProgressReport
from funding.services import _tell_requester
from regiolab.mail import deliver_pending
from regiolab.mail.models import OutboundEmail
from tests.factories import RegistrationFactory, UserFactory, WorkshopFactory
from tests.regiolab.test_mail import use_smtp
from tests.support.smtp_sink import smtp_sink  # noqa: F401 — fixture
from workshops.invitations import services as invitations
from workshops.lifecycle import services as lifecycle
from workshops.registration import services

pytestmark = pytest.mark.django_db

OFFICE = "kontakt@regiolab.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://portal.regiolab.example"
    settings.OFFICE_EMAIL = OFFICE


def sent_messages() -> list[EmailMessage]:
    """The locmem outbox as the bytes an SMTP backend would send, parsed again."""
    return [
        message_from_bytes(m.message().as_bytes(linesep="\r\n"), policy=policy.default)
        for m in mail.outbox
    ]


def assert_automatic(message: EmailMessage) -> None:
    assert message["Reply-To"] == OFFICE
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert re.fullmatch(r"<[^<>@\s]+@portal\.regiolab\.example>", message["Message-ID"])
    assert message["From"] == "regioLab <noreply@regiolab.example>"
    # Only bulk e-mail offers to unsubscribe; a confirmation is not a list.
    assert message["List-Unsubscribe"] is None


def only_message_to(address: str) -> EmailMessage:
    found = [m for m in sent_messages() if m["To"] == address]
    assert len(found) == 1, [m["Subject"] for m in sent_messages()]
    return found[0]


def test_registration_confirmation_and_waitlist(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.register_participant(
            workshop=workshop, first_name="Anna", last_name="Sitz", email="anna@example.org"
        )
        services.register_participant(
            workshop=workshop, first_name="Ben", last_name="Warte", email="ben@example.org"
        )
    confirmed = only_message_to("anna@example.org")
    waitlisted = only_message_to("ben@example.org")
    assert_automatic(confirmed)
    assert_automatic(waitlisted)
    # Each one its own Message-ID.
    assert confirmed["Message-ID"] != waitlisted["Message-ID"]
    assert any(p.get_content_type() == "text/calendar" for p in confirmed.walk())
    assert not any(p.get_content_type() == "text/calendar" for p in waitlisted.walk())


def test_reminder(django_capture_on_commit_callbacks):
    starts = timezone.now() + timedelta(hours=12)
    workshop = WorkshopFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
    RegistrationFactory(workshop=workshop, email="carla@example.org", status="confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.send_due_reminders() == 1
    assert_automatic(only_message_to("carla@example.org"))


def test_report_finished(django_capture_on_commit_callbacks):
    grant = Grant.objects.create(
        reference="FKZ 01PV26001",
        title="Verbund",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal("1000.00"),
    )
    report = ProgressReport.objects.create(
        grant=grant,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        # A ready report needs its files (a constraint); the e-mail is the same kind.
        status=ProgressReport.Status.FAILED,
        error="Ein Fehler",
        requested_by=UserFactory(email="koordination@example.org"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        _tell_requester(report)
    assert_automatic(only_message_to("koordination@example.org"))


def test_allauth_signup_confirmation(client, django_capture_on_commit_callbacks):
    from tests.regiolab.test_accounts import sign_up

    sign_up(client, django_capture_on_commit_callbacks, email="dora@example.org")
    message = only_message_to("dora@example.org")
    assert_automatic(message)
    assert "/accounts/confirm-email/" in message.get_body(("plain",)).get_content()


def test_allauth_password_reset(client, django_capture_on_commit_callbacks):
    UserFactory(email="emil@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "emil@example.org"})
    assert_automatic(only_message_to("emil@example.org"))


def test_outbox_through_smtp_end_to_end(settings, smtp_sink, django_capture_on_commit_callbacks):  # noqa: F811
    """deliver() over a real SMTP conversation: the headers as the server received them."""
    use_smtp(settings, smtp_sink.port)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    workshop = WorkshopFactory(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.register_participant(
            workshop=workshop, first_name="Anna", last_name="Sitz", email="anna@example.org"
        )
    deliver_pending(older_than=timedelta(0))  # whatever the wake-up did not send yet
    assert smtp_sink.wait_for(1, timeout=10)
    (received,) = smtp_sink.messages_to("anna@example.org")
    assert_automatic(received)
    assert OutboundEmail.objects.get(to="anna@example.org").status == "sent"


def invitation_unsubscribe_links(message: EmailMessage) -> tuple[str, str]:
    """The https and mailto links of List-Unsubscribe."""
    links = re.findall(r"<([^<>]+)>", str(message["List-Unsubscribe"]))
    assert len(links) == 2, message["List-Unsubscribe"]
    https, mailto = links
    assert https.startswith("https://portal.regiolab.example/unsubscribe/")
    assert mailto == f"mailto:{OFFICE}?subject=unsubscribe"
    return https, mailto


def assert_invitation(message: EmailMessage, address: str) -> str:
    assert message["To"] == address
    assert message["Reply-To"] == OFFICE
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert re.fullmatch(r"<[^<>@\s]+@portal\.regiolab\.example>", message["Message-ID"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, _mailto = invitation_unsubscribe_links(message)
    # As sent, not only as decoded: the link literally, not as RFC 2047 encoded words.
    raw = dict(message.raw_items())["List-Unsubscribe"]
    assert "=?" not in raw and f"<{https}>" in raw
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    # The body offers the same personal link, and no longer asks for a reply to no-reply.
    assert https in text
    assert f'href="{https}"' in html
    assert "reply to this e-mail" not in text
    assert invitations.UNSUBSCRIBE_MARK not in text + html
    return https


def test_invitations_in_memory(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invite(
            workshop=workshop,
            recipients=[invitations.Recipient("a@example.org"), invitations.Recipient("b@x.org")],
        )
    links = {
        m["To"]: assert_invitation(m, m["To"])
        for m in sent_messages()
        if m["To"] in {"a@example.org", "b@x.org"}
    }
    assert set(links) == {"a@example.org", "b@x.org"}
    assert links["a@example.org"] != links["b@x.org"]  # a personal link each


def test_invitations_over_smtp_share_one_encoding(settings, smtp_sink):  # noqa: F811
    """The fast path (message encoded once, headers and link per recipient) as received."""
    use_smtp(settings, smtp_sink.port)
    workshop = WorkshopFactory(language="de")
    addresses = [f"person{i}@example.org" for i in range(3)]
    invitations.invite(workshop=workshop, recipients=[invitations.Recipient(a) for a in addresses])
    prepared = invitations.prepare_invitation(workshop)
    assert prepared.shared is not None
    result = invitations.send_workshop_invitations(workshop_id=workshop.pk)
    assert result.sent == 3
    links = set()
    for address in addresses:
        (received,) = smtp_sink.messages_to(address)
        links.add(assert_invitation(received, address))
        text = received.get_body(("plain",)).get_content()
        assert "Keine weiteren Einladungen? Hier abmelden:" in text
        assert OFFICE in text
    assert len(links) == 3


def test_imprint_names_the_reply_address(client, settings):
    settings.OFFICE_EMAIL = "antworten@koordinierung.example"
    page = client.get("/imprint/", HTTP_ACCEPT_LANGUAGE="de").text
    assert "Antworten darauf erreichen die Koordinierungsstelle" in page
    assert 'href="mailto:antworten@koordinierung.example"' in page
