"""The result page after registering promises only what the e-mail that went out carries: a
waitlisted person gets their position and a leave link, no calendar file (yet)."""

from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.test import Client

from tests.factories import WorkshopFactory
from tests.workshops.support import register_url, valid_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def register(workshop, email, capture):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.get(register_url(workshop))
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(
            register_url(workshop), valid_data(email=email, language="en"), follow=True
        )
    (sent,) = mail.outbox
    message = message_from_bytes(sent.message().as_bytes(), policy=policy.default)
    has_calendar = any(p.get_content_type() == "text/calendar" for p in message.walk())
    return response.content.decode(), message, has_calendar


def test_waitlisted_page_promises_no_calendar_file(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(capacity=1)
    register(workshop, "first@example.org", django_capture_on_commit_callbacks)
    page, message, has_calendar = register(
        workshop, "second@example.org", django_capture_on_commit_callbacks
    )
    assert "on the waitlist, position 1" in page
    # The e-mail: position and leave link, no calendar file ...
    assert not has_calendar
    text = message.get_body(("plain",)).get_content()
    assert "number 1 on the waitlist" in text and "/cancel/" in text
    # ... and the page says exactly that, and offers no calendar download.
    assert "An e-mail with the waitlist position and a link to leave the waitlist" in page
    assert "It carries no calendar file yet" in page
    assert "with a calendar file and a link to cancel" not in page
    assert "Add to calendar (.ics)" not in page


def test_confirmed_page_promises_the_calendar_file_the_email_carries(
    django_capture_on_commit_callbacks,
):
    workshop = WorkshopFactory(capacity=5)
    page, _message, has_calendar = register(
        workshop, "first@example.org", django_capture_on_commit_callbacks
    )
    assert has_calendar
    assert "A confirmation e-mail with the calendar file and a link to cancel" in page
    assert "Add to calendar (.ics)" in page
    assert "waitlist position" not in page
