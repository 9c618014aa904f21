"""Cancelling a workshop (issue 16, safety): the confirmation step says what happens to the
workshop and its registrations and names everybody told by e-mail, confirmed and waitlisted;
the cancellation tells exactly them (MIME e-mails, in their language), the message and the
change history say who did it, and a workshop that has taken place is not offered at all."""

import email
import html
from datetime import timedelta
from email import policy

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from regiolab.mail import deliver_new
from tests.factories import WorkshopFactory
from workshops.models import Registration, Workshop
from workshops.registration import services

pytestmark = pytest.mark.django_db


def url(workshop) -> str:
    return reverse("workshops:cancel", args=[workshop.slug])


def _register(workshop, first, last, language="en"):
    return services.register_participant(
        workshop=workshop,
        first_name=first,
        last_name=last,
        email=f"{first.lower()}@example.org",
        language=language,
    )


@pytest.fixture
def workshop(django_capture_on_commit_callbacks):
    """Two confirmed (Anna in English, Bernd in German), one waitlisted, one cancelled."""
    workshop = WorkshopFactory(title="Löten", title_en="Soldering", slug="loeten", capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        _register(workshop, "Anna", "Albers")
        _register(workshop, "Bernd", "Brandt", language="de")
        _register(workshop, "Carla", "Conrad")
        gone = _register(workshop, "Gerd", "Gone")
        services.cancel_registration(registration=gone)
    deliver_new()
    mail.outbox.clear()
    return workshop


def _page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_confirmation_says_what_happens_and_names_whom_it_tells(
    coordinator_client, english, workshop
):
    page = _page(coordinator_client.get(url(workshop)))
    assert "<h1>Cancel the workshop “Soldering”?</h1>" in page
    # What will happen: to the workshop, and to its registrations.
    assert (
        "“Soldering” is marked as cancelled: it leaves the public list of workshops, its page "
        "and its calendar entry say that it does not take place, and nobody can register any "
        "more." in page
    )
    assert "2 confirmed registrations end with it." in page
    assert "1 place on the waitlist ends with it." in page
    assert "The registrations stay on the participants list with their status" in page
    # Whom it tells: each person by name and address, the confirmed with the calendar file.
    assert (
        "Anna Albers (confirmed) gets an e-mail at anna@example.org that the workshop does not "
        "take place, with a calendar file that removes it from their calendar." in page
    )
    assert "Bernd Brandt (confirmed) gets an e-mail at bernd@example.org" in page
    assert (
        "Carla Conrad (number 1 on the waitlist) gets an e-mail at carla@example.org that the "
        "workshop does not take place." in page
    )
    assert "gerd@example.org" not in page  # cancelled before: not told again
    assert "This cannot be undone." in page
    assert ">Cancel the workshop</button>" in page
    assert f'href="/workshops/{workshop.slug}/participants/">Keep the workshop</a>' in page
    # Asking changed nothing.
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.PUBLISHED
    assert mail.outbox == []


def test_the_confirmation_in_german(coordinator_client, workshop):
    page = _page(coordinator_client.get(url(workshop)))
    assert "<h1>Workshop „Löten“ absagen?</h1>" in page
    assert "2 bestätigte Anmeldungen enden damit." in page
    assert "1 Platz auf der Warteliste endet damit." in page
    assert (
        "Carla Conrad (Nummer 1 auf der Warteliste) erhält eine E-Mail an carla@example.org" in page
    )
    assert ">Den Workshop absagen</button>" in page


def test_a_workshop_without_registrations_tells_nobody(coordinator_client, english):
    workshop = WorkshopFactory(title_en="Empty")
    page = _page(coordinator_client.get(url(workshop)))
    assert "Nobody is registered: no registration ends with it." in page
    assert "Nobody is told by e-mail." in page


def test_a_workshop_that_has_taken_place_is_not_offered(coordinator_client, english):
    start = timezone.now() - timedelta(days=2)
    workshop = WorkshopFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    page = _page(coordinator_client.get(url(workshop)))
    assert "This workshop has already taken place and can't be cancelled." in page
    assert "<button" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    response = coordinator_client.post(url(workshop), {"confirmed": "1"}, follow=True)
    assert "already taken place" in html.unescape(response.content.decode())
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.PUBLISHED


def test_cancelling_tells_exactly_them_and_says_who_did_it(
    coordinator_client, coordinator, english, workshop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url(workshop), {"confirmed": "1"}, follow=True)
    page = _page(response)
    assert "You cancelled the workshop; 3 people have been told by e-mail." in page
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.CANCELLED
    statuses = dict(Registration.objects.filter(workshop=workshop).values_list("email", "status"))
    assert statuses == {  # kept for the records, as the confirmation step said
        "anna@example.org": "confirmed",
        "bernd@example.org": "confirmed",
        "carla@example.org": "waitlisted",
        "gerd@example.org": "cancelled",
    }
    # The change history names the coordinator.
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Workshop), object_pk=str(workshop.pk)
    ).latest("timestamp")
    assert "status" in entry.changes_dict and entry.actor == coordinator

    messages = {
        m.to[0]: email.message_from_bytes(m.message().as_bytes(), policy=policy.default)
        for m in mail.outbox
    }
    assert len(mail.outbox) == 3
    assert set(messages) == {"anna@example.org", "bernd@example.org", "carla@example.org"}
    assert messages["anna@example.org"]["Subject"] == "Cancelled: Soldering"
    assert messages["bernd@example.org"]["Subject"] == "Abgesagt: Löten"
    assert messages["carla@example.org"]["Subject"] == "Cancelled: Soldering"
    text = messages["anna@example.org"].get_body(preferencelist=("plain",)).get_content()
    assert "has been cancelled and will not take place" in text
    calendars = {
        address: [
            part.get_content()
            for part in message.walk()
            if part.get_content_type() == "text/calendar"
        ]
        for address, message in messages.items()
    }
    # The confirmed get the calendar file that removes the entry; the waitlisted had none.
    for address in ("anna@example.org", "bernd@example.org"):
        [calendar] = calendars[address]
        assert "METHOD:CANCEL" in calendar and "STATUS:CANCELLED" in calendar
    assert calendars["carla@example.org"] == []

    # A second confirmation (the back button) tells nobody again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url(workshop), {"confirmed": "1"})
    assert mail.outbox == []


def test_the_confirmation_keeps_its_query_count_as_registrations_grow(coordinator_client):
    def queries(count: int) -> int:
        workshop = WorkshopFactory(capacity=count // 2)
        for n in range(count):
            _register(workshop, f"P{n}x{count}", "Person")
        coordinator_client.get(url(workshop))  # warm the session and caches
        with CaptureQueriesContext(connection) as captured:
            assert coordinator_client.get(url(workshop)).status_code == 200
        return len(captured)

    assert queries(2) == queries(20)
