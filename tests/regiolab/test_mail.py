"""The e-mail outbox (regiolab/mail.py) and its tasks: after commit, once, and nothing lost."""

import copy
import logging
import socket
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from regiolab.celery import app as celery_app
from regiolab.mail import Attachment, deliver, deliver_new, deliver_pending, queue_email
from regiolab.mail.models import OutboundEmail
from regiolab.mail.tasks import deliver_new_emails, deliver_pending_emails
from tests.support.celery_worker import switch_broker
from tests.support.mfa import enable_totp
from tests.support.smtp_sink import smtp_sink  # noqa: F401 — fixture

DEAD_BROKER = "redis://127.0.0.1:1/0"
PDF = Attachment("nachweis.pdf", b"%PDF-1.4 demo", "application/pdf")
ICS = Attachment("termin.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")


@pytest.fixture
def probe(settings, tmp_path):
    """A small e-mail template set (email/probe_*) next to the real templates."""
    folder = tmp_path / "email"
    folder.mkdir()
    (folder / "probe_subject.txt").write_text(
        "{% autoescape off %}{% translate 'January' %}:\n  {{ name }}\n{% endautoescape %}",
        encoding="utf-8",
    )
    (folder / "probe.txt").write_text(
        "{% autoescape off %}Hallo {{ name }}, {{ site_url }}{% endautoescape %}", encoding="utf-8"
    )
    (folder / "probe.html").write_text(
        '{% extends "email/base_email.html" %}{% block content %}<p>Hallo {{ name }}</p>'
        "{% endblock %}",
        encoding="utf-8",
    )
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates  # resets the template engines
    return "probe"


def queue(template, **kwargs):
    return queue_email(
        to=kwargs.pop("to", "erika@example.org"),
        template=template,
        context={"name": "Erika <Muster>"},
        **kwargs,
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2


# --- After commit, exactly once ---------------------------------------------------------


@pytest.mark.django_db
def test_nothing_is_sent_until_the_transaction_commits(probe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            row = queue(probe)
            assert mail.outbox == []
            assert OutboundEmail.objects.get().status == OutboundEmail.Status.PENDING
        assert mail.outbox == []  # the test's own transaction is still open

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    assert row.sent_at is not None and row.attempts == 1


@pytest.mark.django_db
def test_a_rolled_back_transaction_sends_nothing(probe, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue(probe)
        raise RuntimeError("the change failed")
    assert callbacks == [] and mail.outbox == []
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_after_commit_one_mail_with_html_alternative_and_attachments(
    probe, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://regiolab.example"
    with django_capture_on_commit_callbacks(execute=True):
        queue(probe, attachments=[PDF, ICS], language="en")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erika@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    # Subject on one line, rendered in the requested language.
    assert message.subject == "January: Erika <Muster>"
    assert message.body == "Hallo Erika <Muster>, https://regiolab.example"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="en">' in html
    assert "Hallo Erika &lt;Muster&gt;" in html  # escaped in HTML
    assert [(a.filename, a.content, a.mimetype) for a in message.attachments] == [
        ("nachweis.pdf", b"%PDF-1.4 demo", "application/pdf"),
        ("termin.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),
    ]


@pytest.mark.django_db
def test_language_defaults_to_german(probe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue(probe)
    assert mail.outbox[0].subject == "Januar: Erika <Muster>"
    assert '<html lang="de">' in mail.outbox[0].alternatives[0][0]


@pytest.mark.django_db
def test_deliver_twice_sends_once(probe):
    row = queue(probe)  # on-commit callback not run: still pending

    assert deliver(row.pk) is True
    assert deliver(row.pk) is False
    deliver_new_emails.delay()  # another delivery run changes nothing either

    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT and row.attempts == 1


@pytest.mark.django_db
def test_deliver_pending_waits_for_the_grace_period_then_sends_oldest_first(probe):
    rows = [queue(probe, to=f"p{i}@example.org") for i in range(3)]
    sent = queue(probe, to="done@example.org")
    deliver(sent.pk)
    mail.outbox.clear()

    # Fresh rows belong to the task the committing request enqueued.
    assert deliver_pending() == 0
    assert mail.outbox == []

    for age, row in zip((3, 2, 1), rows, strict=True):
        OutboundEmail.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - timedelta(minutes=age)
        )
    assert deliver_pending_emails.delay().get() == 3
    assert [m.to[0] for m in mail.outbox] == ["p0@example.org", "p1@example.org", "p2@example.org"]
    assert deliver_pending(older_than=timedelta(0)) == 0  # nothing twice


# --- Broker down: the row is the truth ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_broker_down_keeps_the_row_pending_and_the_periodic_task_sends_it(
    probe, monkeypatch, caplog
):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    with switch_broker(DEAD_BROKER), caplog.at_level(logging.WARNING, logger="regiolab.mail"):
        started = time.monotonic()
        with transaction.atomic():
            row = queue(probe)
        elapsed = time.monotonic() - started

    print(f"commit with a dead broker took {elapsed:.2f} s")
    assert elapsed < 10  # fails fast; the request is not held up for long
    assert "the periodic task will send" in caplog.text
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.PENDING and row.attempts == 0
    assert mail.outbox == []

    # Broker back: the periodic job (run in-process here) sends it, once.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    assert deliver_pending(older_than=timedelta(0)) == 1
    assert deliver_pending(older_than=timedelta(0)) == 0
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT


# --- SMTP failures -------------------------------------------------------------------------


@pytest.mark.django_db
def test_smtp_unreachable_leaves_the_row_pending_with_the_error_and_counts_attempts(
    probe, settings
):
    use_smtp(settings, closed_port())
    row = queue(probe)

    assert deliver(row.pk) is False
    assert deliver(row.pk) is False

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.PENDING
    assert row.attempts == 2
    assert row.last_error  # e.g. "[Errno 111] Connection refused"
    assert row.sent_at is None


@pytest.mark.django_db
def test_after_the_retry_window_the_row_is_marked_failed_and_left_alone(probe, settings):
    use_smtp(settings, closed_port())
    row = queue(probe)
    deliver(row.pk)
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.PENDING and row.next_attempt_at
    # Still failing when MAIL_RETRY_HOURS have passed since the first failure: failed.
    OutboundEmail.objects.filter(pk=row.pk).update(
        failing_since=timezone.now() - timedelta(hours=settings.MAIL_RETRY_HOURS)
    )
    deliver(row.pk)

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.FAILED
    assert row.attempts == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver(row.pk) is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_smtp_temporary_refusal_then_success_sends_once(probe, settings, smtp_sink):  # noqa: F811
    use_smtp(settings, smtp_sink.port)
    smtp_sink.refuse("erika@example.org", code=451, times=1)
    row = queue(probe, attachments=[PDF])

    assert deliver(row.pk) is False
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.PENDING and row.attempts == 1
    assert "451" in row.last_error

    assert deliver(row.pk) is True
    assert deliver(row.pk) is False
    assert smtp_sink.count("erika@example.org") == 1
    received = smtp_sink.messages_to("erika@example.org")[0]
    assert received["Subject"] == "Januar: Erika <Muster>"
    assert [part.get_filename() for part in received.iter_attachments()] == ["nachweis.pdf"]
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT and row.attempts == 2


@pytest.mark.django_db
def test_a_delivery_run_sends_over_one_connection_and_reconnects_after_a_failure(
    probe,
    settings,
    smtp_sink,  # noqa: F811
):
    use_smtp(settings, smtp_sink.port)
    rows = [queue(probe, to=f"p{i}@example.org") for i in range(5)]
    smtp_sink.refuse("p2@example.org", code=451, times=1)

    assert deliver_new() == 4
    assert sorted(smtp_sink.recipients()) == [f"p{i}@example.org" for i in (0, 1, 3, 4)]
    assert smtp_sink.greetings == 2  # one connection, opened again after the refusal
    refused = OutboundEmail.objects.get(pk=rows[2].pk)
    assert refused.status == OutboundEmail.Status.PENDING and "451" in refused.last_error

    assert deliver_pending() == 0  # its back-off has not passed yet
    OutboundEmail.objects.filter(pk=refused.pk).update(next_attempt_at=timezone.now())
    assert deliver_pending() == 1
    assert smtp_sink.count("p2@example.org") == 1 and smtp_sink.greetings == 3


@pytest.mark.django_db
def test_a_delivery_run_without_a_server_records_the_error_on_every_row(probe, settings):
    use_smtp(settings, closed_port())
    rows = [queue(probe, to=f"p{i}@example.org") for i in range(3)]

    assert deliver_new() == 0
    for row in rows:
        row.refresh_from_db()
        assert row.status == OutboundEmail.Status.PENDING
        assert row.attempts == 1 and row.last_error


# --- Admin: the outbox is read-only -----------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_the_outbox_read_only_with_filters(probe, client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw")
    enable_totp(admin_user)  # staff must use a second factor (regiolab.mfa)
    client.force_login(admin_user)
    sent = queue(probe, to="sent@example.org", attachments=[PDF])
    deliver(sent.pk)
    pending = queue(probe, to="pending@example.org")

    html = client.get("/admin/outbox/outboundemail/").content.decode()
    assert "sent@example.org" in html and "pending@example.org" in html
    filtered = client.get("/admin/outbox/outboundemail/?status__exact=pending").content.decode()
    assert "pending@example.org" in filtered and "sent@example.org" not in filtered

    detail = client.get(f"/admin/outbox/outboundemail/{sent.pk}/change/").content.decode()
    assert "nachweis.pdf" in detail and 'name="_save"' not in detail
    assert client.get("/admin/outbox/outboundemail/add/").status_code == 403
    response = client.post(
        f"/admin/outbox/outboundemail/{pending.pk}/change/", {"to": "x@example.org"}
    )
    assert response.status_code == 403
    response = client.post(f"/admin/outbox/outboundemail/{pending.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert OutboundEmail.objects.get(pk=pending.pk).to == "pending@example.org"

    assert client.get("/admin/regiolab/topic/add/").status_code == 200
