"""Calendar files as calendar programs read them (RFC 5545, iTIP RFC 5546, iMIP RFC 6047).

Every .ics the portal serves or e-mails goes through two parsers: icalendar (which builds them)
and vobject (a second implementation, validating); e-mails are read as MIME with Python's
``email`` package, as a mail program would.
"""

import email
import email.policy
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from regiolab.mail import deliver_new, office_address
from tests.factories import RegistrationFactory, WorkshopFactory
from workshops.lifecycle import services as lifecycle
from workshops.models import Registration, Workshop
from workshops.registration import services

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
CONTROL = {chr(c) for c in range(0x20)} | {chr(0x7F)}


# --- Reading files and e-mails as their readers do ------------------------------------------


def parse(data: bytes):
    """Both parsers on the same bytes; returns icalendar's VCALENDAR and vobject's."""
    second = vobject.readOne(data.decode("utf-8"), validate=True)
    first = Calendar.from_ical(data)
    # Both see the same events with the same identity and version.
    first_events = [(str(e["uid"]), int(e.get("sequence", -1))) for e in events(first)]
    second_events = [
        (ev.uid.value, int(ev.sequence.value) if hasattr(ev, "sequence") else -1)
        for ev in getattr(second, "vevent_list", [])
    ]
    assert first_events == second_events
    return first, second


def parse_response(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return parse(response.content)


def events(calendar):
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def check_itip(calendar, method: str):
    """What RFC 5546 requires of each METHOD's VEVENT (section 3.2)."""
    assert str(calendar["method"]) == method
    [event] = events(calendar)
    required = {"DTSTAMP", "UID", "SEQUENCE", "ORGANIZER", "DTSTART"}
    if method in ("PUBLISH", "REQUEST"):
        required |= {"SUMMARY"}
    if method in ("REQUEST", "CANCEL"):
        required |= {"ATTENDEE"}
    assert required <= set(event), required - set(event)
    assert str(event["organizer"]) == f"mailto:{office_address()}"
    if method == "CANCEL":
        assert str(event["status"]) == "CANCELLED"
    return event


def mime(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def calendar_parts(message):
    """The text/calendar parts of an e-mail, as a mail program sees them."""
    return [p for p in mime(message).walk() if p.get_content_type() == "text/calendar"]


def calendar_of(message, method: str):
    """The one calendar attachment: its MIME type names the method, its content the same."""
    [part] = calendar_parts(message)
    assert part.get_param("method") == method
    assert part.get_content_charset() == "utf-8"
    assert part.get_filename().endswith(".ics")
    calendar, second = parse(part.get_content().encode("utf-8"))
    assert second.method.value == method
    return check_itip(calendar, method)


def sent(django_capture_on_commit_callbacks, action):
    """Run ``action``; nothing may leave before the commit, the outbox delivers after it."""
    deliver_new()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = action()
        assert mail.outbox == []  # still inside the transaction's aftermath: not sent yet
    return result


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def register(workshop, name, **extra):
    return services.register_participant(
        workshop=workshop,
        first_name=name,
        last_name="Muster",
        email=f"{name.lower()}@example.org",
        **extra,
    )


# --- Files served ---------------------------------------------------------------------------


def test_single_workshop_ics(client):
    start = timezone.make_aware(timezone.datetime(2031, 3, 4, 9, 30), BERLIN)
    workshop = WorkshopFactory(
        title="3D-Druck für Einsteiger",
        description="Vom Modell zum Bauteil.",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue="Werkhalle 2, Garbsen",
    )
    calendar, second = parse_response(client.get(reverse("workshops:ics", args=[workshop.slug])))
    event = check_itip(calendar, "PUBLISH")
    assert str(event["summary"]) == "3D-Druck für Einsteiger"
    assert event.decoded("dtstart") == start
    assert event.decoded("dtstart").astimezone(BERLIN).hour == 9
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=3)
    assert str(event["location"]) == "Werkhalle 2, Garbsen"
    assert "Vom Modell zum Bauteil." in str(event["description"])
    assert str(event["url"]).endswith(workshop.get_absolute_url())
    assert str(event["status"]) == "CONFIRMED"
    # The second parser reads the same event.
    assert second.vevent.summary.value == "3D-Druck für Einsteiger"
    assert second.vevent.dtstart.value == start
    assert second.vevent.location.value == "Werkhalle 2, Garbsen"
    uid = str(event["uid"])
    # Stable: the same UID on every download.
    again, _ = parse_response(client.get(reverse("workshops:ics", args=[workshop.slug])))
    [again_event] = events(again)
    assert str(again_event["uid"]) == uid and str(workshop.pk) in uid


def test_dtstamp_is_when_the_file_was_made_and_last_modified_the_last_change(client):
    workshop = WorkshopFactory()
    changed = timezone.now().replace(microsecond=0) - timedelta(days=3)
    Workshop.objects.filter(pk=workshop.pk).update(updated_at=changed)
    before = timezone.now().replace(microsecond=0)
    calendar, second = parse_response(client.get(reverse("workshops:ics", args=[workshop.slug])))
    [event] = events(calendar)
    assert before <= event.decoded("dtstamp") <= timezone.now() + timedelta(seconds=1)
    assert event.decoded("last-modified") == changed
    assert second.vevent.last_modified.value == changed
    assert int(event["sequence"]) == 0


def test_online_workshop_has_its_link_where_calendars_show_it(client):
    workshop = WorkshopFactory(format="online", venue="", online_url="https://meet.example.org/x")
    calendar, second = parse_response(client.get(reverse("workshops:ics", args=[workshop.slug])))
    [event] = events(calendar)
    assert str(event["location"]) == "https://meet.example.org/x"
    assert "https://meet.example.org/x" in str(event["description"])
    [conference] = event.conferences
    assert str(conference.uri) == "https://meet.example.org/x"
    assert second.vevent.conference.value == "https://meet.example.org/x"
    assert second.vevent.conference.params["VALUE"] == ["URI"]


def test_hybrid_workshop_has_venue_as_location_and_the_link_as_conference(client):
    workshop = WorkshopFactory(
        format="hybrid", venue="Werkhalle 2, Garbsen", online_url="https://meet.example.org/h"
    )
    calendar, second = parse_response(client.get(reverse("workshops:ics", args=[workshop.slug])))
    [event] = events(calendar)
    assert str(event["location"]) == "Werkhalle 2, Garbsen"
    assert "Online-Link: https://meet.example.org/h" in str(event["description"])
    assert [str(c.uri) for c in event.conferences] == ["https://meet.example.org/h"]
    assert second.vevent.conference.value == "https://meet.example.org/h"
    assert second.vevent.location.value == "Werkhalle 2, Garbsen"


def test_on_site_workshop_has_no_conference(client):
    workshop = WorkshopFactory(online_url="https://meet.example.org/alt")
    calendar, _ = parse_response(client.get(reverse("workshops:ics", args=[workshop.slug])))
    [event] = events(calendar)
    assert "CONFERENCE" not in event and "meet.example.org" not in str(event["description"])


def test_draft_ics_404(client):
    workshop = WorkshopFactory(status="draft")
    assert client.get(reverse("workshops:ics", args=[workshop.slug])).status_code == 404


def test_feed_lists_published_and_cancelled_until_they_are_over(client):
    now = timezone.now()
    first = WorkshopFactory(title="Eins")
    later = WorkshopFactory(
        title="Zwei", starts_at=now + timedelta(days=30), ends_at=now + timedelta(days=30, hours=2)
    )
    cancelled = WorkshopFactory(
        title="Abgesagt",
        status="cancelled",
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=2),
    )
    running = WorkshopFactory(
        title="Läuft", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2)
    )
    WorkshopFactory(title="Entwurf", status="draft")
    WorkshopFactory(
        title="Vorbei",
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=1),
    )
    WorkshopFactory(
        title="Abgesagt und vorbei",
        status="cancelled",
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=1),
    )
    calendar, second = parse_response(client.get(reverse("workshops:calendar_feed")))
    found = {str(e["summary"]): str(e["status"]) for e in events(calendar)}
    assert found == {
        "Läuft": "CONFIRMED",
        "Eins": "CONFIRMED",
        "Abgesagt": "CANCELLED",
        "Zwei": "CONFIRMED",
    }
    assert [ev.summary.value for ev in second.vevent_list] == ["Läuft", "Eins", "Abgesagt", "Zwei"]
    uids = {str(e["uid"]) for e in events(calendar)}
    assert uids == {f"workshop-{w.pk}@127.0.0.1" for w in (first, later, cancelled, running)}
    assert "METHOD" not in calendar  # a subscription, not a scheduling message


def test_the_link_in_a_cancelled_entry_opens_a_page_that_says_so(client):
    workshop = WorkshopFactory(status="cancelled")
    [event] = events(parse_response(client.get(reverse("workshops:ics", args=[workshop.slug])))[0])
    assert str(event["url"]).endswith(workshop.get_absolute_url())
    assert str(event["description"]).split()[-1] == str(event["url"])
    page = client.get(workshop.get_absolute_url())
    assert page.status_code == 200
    assert "Dieser Workshop wurde abgesagt." in page.content.decode()
    register = client.get(reverse("workshops:register", args=[workshop.slug]))
    assert "Dieser Workshop wurde abgesagt." in register.content.decode()
    assert b'name="email"' not in register.content


def test_empty_feed_is_a_calendar_with_its_time_zone(client):
    response = client.get(reverse("workshops:calendar_feed"))
    calendar, second = parse_response(response)
    assert events(calendar) == []
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Berlin"
    assert second.vtimezone.tzid.value == "Europe/Berlin"


def test_feed_queries_do_not_grow_with_workshops(client, django_assert_num_queries):
    WorkshopFactory.create_batch(2)
    with django_assert_num_queries(1):
        few = client.get(reverse("workshops:calendar_feed"))
    WorkshopFactory.create_batch(20, status="cancelled")
    with django_assert_num_queries(1):
        many = client.get(reverse("workshops:calendar_feed"))
    assert len(events(parse(few.content)[0])) == 2
    assert len(events(parse(many.content)[0])) == 22


def test_cancelled_workshop_ics_stays_public_as_cancelled_until_it_is_over(client):
    workshop = WorkshopFactory(title="Fällt aus")
    lifecycle.cancel_workshop(workshop=workshop)
    url = reverse("workshops:ics", args=[workshop.slug])
    calendar, second = parse_response(client.get(url))
    [event] = events(calendar)
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1
    assert second.vevent.status.value == "CANCELLED"
    assert str(event["url"]).endswith(workshop.get_absolute_url())  # the page says cancelled
    Workshop.objects.filter(pk=workshop.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    assert client.get(url).status_code == 404


# --- SEQUENCE ---------------------------------------------------------------------------------


def test_every_change_of_time_place_or_status_raises_the_sequence(coordinator_client):
    def served_sequence(workshop) -> int:
        # As a coordinator downloads it (who sees a draft too).
        url = reverse("workshops:ics", args=[workshop.slug])
        [event] = events(parse_response(coordinator_client.get(url))[0])
        return int(event["sequence"])

    start = timezone.now() + timedelta(days=10)
    workshop = lifecycle.create_workshop(
        title="Sequenz",
        format="on_site",
        venue="Raum 1",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
        language="de",
    )
    assert served_sequence(workshop) == 0
    lifecycle.publish_workshop(workshop=workshop)
    assert served_sequence(workshop) == 1
    lifecycle.update_workshop(workshop=workshop, title="Sequenz (neu)", capacity=6)
    assert served_sequence(workshop) == 1  # neither time nor place
    lifecycle.update_workshop(workshop=workshop, starts_at=start + timedelta(hours=1))
    assert served_sequence(workshop) == 2
    lifecycle.update_workshop(workshop=workshop, ends_at=start + timedelta(hours=4))
    assert served_sequence(workshop) == 3
    lifecycle.update_workshop(workshop=workshop, venue="Raum 2")
    assert served_sequence(workshop) == 4
    lifecycle.update_workshop(
        workshop=workshop, format="hybrid", online_url="https://meet.example.org/s"
    )
    assert served_sequence(workshop) == 5
    lifecycle.update_workshop(workshop=workshop, online_url="https://meet.example.org/t")
    assert served_sequence(workshop) == 6
    lifecycle.cancel_workshop(workshop=workshop)
    assert served_sequence(workshop) == 7
    lifecycle.cancel_workshop(workshop=workshop)  # a second click changes nothing
    assert served_sequence(workshop) == 7


def test_an_admin_edit_of_time_or_place_raises_the_sequence_and_other_edits_do_not(admin_client):
    workshop = WorkshopFactory(venue="Raum 1")
    url = reverse("admin:workshops_workshop_change", args=[workshop.pk])

    def post(**changes):
        form = admin_client.get(url).context["adminform"].form
        data = {}
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if name in changes:
                value = changes[name]
            if value is None:
                continue
            if hasattr(value, "all"):
                data[name] = [item.pk for item in value.all()]
            elif isinstance(value, list):
                data[name] = [getattr(item, "pk", item) for item in value]
            else:
                data[name] = value
        for name in ("starts_at", "ends_at", "registration_deadline"):
            moment = changes.get(name, getattr(workshop, name))
            if moment is not None:
                local = timezone.localtime(moment)
                data[f"{name}_0"], data[f"{name}_1"] = (
                    local.date().isoformat(),
                    local.strftime("%H:%M:%S"),
                )
        data.update({"registrations-TOTAL_FORMS": 0, "registrations-INITIAL_FORMS": 0})
        response = admin_client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        return Workshop.objects.get(pk=workshop.pk).sequence

    assert post(title="Nur der Titel") == 0
    assert post(venue="Raum 2") == 1
    assert post(starts_at=workshop.starts_at + timedelta(hours=1)) == 2


def test_a_refused_change_leaves_the_sequence_alone():
    workshop = WorkshopFactory()
    with pytest.raises(Exception, match="end"):
        lifecycle.update_workshop(workshop=workshop, ends_at=workshop.starts_at)
    assert Workshop.objects.get(pk=workshop.pk).sequence == 0


def test_finished_workshop_raises_the_sequence_once():
    now = timezone.now()
    past = WorkshopFactory(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    assert lifecycle.mark_finished_workshops() == 1
    assert lifecycle.mark_finished_workshops() == 0
    past.refresh_from_db()
    assert (past.status, past.sequence) == ("done", 1)


# --- E-mails ----------------------------------------------------------------------------------


def test_confirmation_carries_a_publish_file(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(title="Löten", title_en="Soldering")
    sent(
        django_capture_on_commit_callbacks,
        lambda: register(workshop, "Anna", language="en"),
    )
    [message] = to("anna@example.org")
    event = calendar_of(message, "PUBLISH")
    assert str(event["summary"]) == "Soldering"
    assert str(event["uid"]) == f"workshop-{workshop.pk}@127.0.0.1"
    assert int(event["sequence"]) == 0


def test_time_or_place_change_sends_each_confirmed_person_a_request_once(
    django_capture_on_commit_callbacks,
):
    workshop = WorkshopFactory(title="Löten", title_en="Soldering", capacity=2)
    anna = register(workshop, "Anna")
    ben = register(workshop, "Ben", language="en")
    cleo = register(workshop, "Cleo")  # waitlisted: no entry in her calendar
    gone = RegistrationFactory(workshop=workshop, status="cancelled", email="gone@example.org")
    assert cleo.status == "waitlisted"

    new_start = workshop.starts_at + timedelta(days=1)
    sent(
        django_capture_on_commit_callbacks,
        lambda: lifecycle.update_workshop(
            workshop=workshop,
            starts_at=new_start,
            ends_at=new_start + timedelta(hours=4),
            venue="Werkhalle 3",
        ),
    )
    assert sorted(m.to[0] for m in mail.outbox) == [anna.email, ben.email]
    assert not to(cleo.email) and not to(gone.email)

    [german] = to(anna.email)
    assert german.subject == "Geändert: Löten"
    assert "Werkhalle 3" in german.body and "Technologiezentrum Hannover" in german.body
    event = calendar_of(german, "REQUEST")
    assert str(event["attendee"]) == f"mailto:{anna.email}"
    assert event["attendee"].params["CN"] == "Anna Muster"
    assert int(event["sequence"]) == 1 and event.decoded("dtstart") == new_start
    assert str(event["location"]) == "Werkhalle 3"
    assert str(event["uid"]) == f"workshop-{workshop.pk}@127.0.0.1"

    [english] = to(ben.email)
    assert english.subject == "Changed: Soldering"
    assert str(calendar_of(english, "REQUEST")["summary"]) == "Soldering"

    # A title alone moves nothing in the calendar: nobody is written to.
    sent(
        django_capture_on_commit_callbacks,
        lambda: lifecycle.update_workshop(workshop=workshop, title="Löten II"),
    )
    assert mail.outbox == []


def test_a_refused_change_sends_nothing(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory()
    register(workshop, "Anna")

    def refused():
        with pytest.raises(Exception, match="end"):
            lifecycle.update_workshop(workshop=workshop, venue="Neu", ends_at=workshop.starts_at)

    sent(django_capture_on_commit_callbacks, refused)
    assert mail.outbox == []


def test_cancelled_workshop_sends_cancel_to_seat_holders(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(title="Fällt aus", capacity=1)
    anna = register(workshop, "Anna")
    ben = register(workshop, "Ben")  # waitlisted
    sent(django_capture_on_commit_callbacks, lambda: lifecycle.cancel_workshop(workshop=workshop))

    [message] = to(anna.email)
    assert message.subject == "Abgesagt: Fällt aus"
    assert "entfernt den Workshop aus Ihrem Kalender" in message.body
    event = calendar_of(message, "CANCEL")
    assert str(event["attendee"]) == f"mailto:{anna.email}"
    assert int(event["sequence"]) == 1

    [waiting] = to(ben.email)
    assert calendar_parts(waiting) == []
    assert "Kalender" not in waiting.body


def test_own_cancellation_sends_cancel_for_the_persons_copy(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(title="Löten")
    anna = register(workshop, "Anna")
    deliver_new()
    [confirmation] = to("anna@example.org")
    published = calendar_of(confirmation, "PUBLISH")

    sent(
        django_capture_on_commit_callbacks,
        lambda: services.cancel_registration(registration=anna),
    )
    [message] = mail.outbox
    assert message.to == [anna.email]
    assert message.subject == "Anmeldung zum Workshop storniert: Löten"
    event = calendar_of(message, "CANCEL")
    assert str(event["uid"]) == str(published["uid"])
    assert int(event["sequence"]) >= int(published["sequence"])
    assert str(event["attendee"]) == f"mailto:{anna.email}"
    # The workshop itself goes on: the feed still has it as confirmed.
    assert Workshop.objects.get(pk=workshop.pk).status == "published"

    # Cancelling again: nothing more.
    sent(
        django_capture_on_commit_callbacks,
        lambda: services.cancel_registration(registration=anna),
    )
    assert mail.outbox == []


def test_own_cancellation_by_the_emailed_link_in_english(
    client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory(title="Löten", title_en="Soldering")
    anna = register(workshop, "Anna", language="en")
    url = reverse("registrations:cancel", args=[anna.cancel_token])
    sent(django_capture_on_commit_callbacks, lambda: client.post(url))
    [message] = mail.outbox
    assert message.subject == "Registration cancelled: Soldering"
    assert "removes the workshop from your calendar" in message.body
    assert str(calendar_of(message, "CANCEL")["summary"]) == "Soldering"


# --- Control characters -----------------------------------------------------------------------


def _form_data(**overrides):
    start = (timezone.now() + timedelta(days=10)).astimezone(BERLIN)
    return {
        "title": "Gut",
        "format": "on_site",
        "venue": "Raum 1",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": 5,
        "language": "de",
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Erste Zeile\nzweite Zeile"),
        ("title", "Mit\u2028Trenner"),
        ("title_en", "Tab\there"),
        ("venue", "Raum\x0b5"),
        ("venue", "Raum\r\n5"),
        ("description", "Glocke\x07"),
    ],
)
def test_workshop_form_refuses_control_characters(coordinator_client, field, value):
    before = Workshop.objects.count()
    response = coordinator_client.post(reverse("workshops:create"), _form_data(**{field: value}))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors in (
        ["Bitte geben Sie dies in einer Zeile ein, ohne Zeilenumbrüche oder Steuerzeichen."],
        ["Bitte entfernen Sie die unsichtbaren Steuerzeichen aus dem Text."],
    )
    assert Workshop.objects.count() == before


def test_workshop_edit_refuses_a_line_break_and_changes_nothing(coordinator_client):
    workshop = WorkshopFactory(title="Alt", venue="Raum 1")
    response = coordinator_client.post(
        reverse("workshops:edit", args=[workshop.slug]),
        _form_data(title="Neu\nZeile", venue="Raum 2", slug=workshop.slug),
    )
    assert response.status_code == 200 and response.context["form"].errors["title"]
    workshop.refresh_from_db()
    assert (workshop.title, workshop.venue, workshop.sequence) == ("Alt", "Raum 1", 0)


def test_multi_line_description_is_fine(coordinator_client):
    response = coordinator_client.post(
        reverse("workshops:create"), _form_data(description="Erster Absatz.\r\n\r\nZweiter.")
    )
    assert response.status_code == 302
    assert Workshop.objects.get(title="Gut").description == "Erster Absatz.\r\n\r\nZweiter."


def test_service_refuses_control_characters_too():
    workshop = WorkshopFactory(title="Alt")
    with pytest.raises(Exception) as refused:
        lifecycle.update_workshop(workshop=workshop, title="A\x1bB")
    assert "title" in refused.value.message_dict
    assert Workshop.objects.get(pk=workshop.pk).title == "Alt"


def test_legacy_rows_with_control_characters_do_not_break_the_calendar(
    client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory()
    anna = register(workshop, "Anna")
    # Written before the validators existed (PostgreSQL itself refuses only NUL).
    Registration.objects.filter(pk=anna.pk).update(first_name='An"na\n\x07', last_name="M;,:")
    # A scheduling message made out to a person with such a name parses.
    sent(
        django_capture_on_commit_callbacks,
        lambda: lifecycle.update_workshop(workshop=workshop, venue="Halle 1"),
    )
    [message] = mail.outbox
    event = calendar_of(message, "REQUEST")
    assert event["attendee"].params["CN"] == "An na M;,:"

    Workshop.objects.filter(pk=workshop.pk).update(
        title="Zeile1\nZeile2\x0b\x1b", venue="Raum\r\n5\x07", trainers="Ute\tUhl"
    )
    calendar, second = parse_response(client.get(reverse("workshops:calendar_feed")))
    [event] = events(calendar)
    for name in ("summary", "location", "description"):
        assert not (set(str(event[name])) & CONTROL - {"\n"}), name
    assert not set(second.vevent.summary.value) & CONTROL
    assert str(event["summary"]) == second.vevent.summary.value == "Zeile1 Zeile2"
    assert str(event["location"]) == "Raum 5"
    assert "Ute Uhl" in str(event["description"])
    # Editing such a workshop names the field to fix instead of failing.
    workshop.refresh_from_db()
    with pytest.raises(Exception) as refused:
        lifecycle.update_workshop(workshop=workshop, capacity=11)
    assert set(refused.value.message_dict) == {"title", "venue", "trainers"}
