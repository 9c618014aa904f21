"""Check-in at the door: one POST per person (button, scan field, phone camera), undo, the
check-in code (signed, per workshop), the QR code on the e-mail and the person's own page."""

import email
import email.policy
import struct
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from regiolab.mail import deliver_new
from tests.factories import CompanyMemberFactory, RegistrationFactory, UserFactory, WorkshopFactory
from workshops.lifecycle import checkin_codes
from workshops.lifecycle import services as lifecycle
from workshops.registration import services as registration_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _running_workshop(**kwargs):
    start = timezone.now() - timedelta(minutes=30)
    return WorkshopFactory(starts_at=start, ends_at=start + timedelta(hours=3), **kwargs)


def url(name, workshop, *args):
    return reverse(f"workshops:{name}", args=[workshop.slug, *args])


def scan_url(registration):
    return reverse("registrations:checkin_scan", args=[checkin_codes.checkin_code(registration)])


# --- Service -------------------------------------------------------------------------------


def test_check_in_marks_one_person_attended_and_is_audited(coordinator):
    from auditlog.context import set_actor

    workshop = _running_workshop()
    person, other = RegistrationFactory.create_batch(2, workshop=workshop)
    with set_actor(coordinator):
        lifecycle.check_in(workshop=workshop, registration_id=person.pk, by=coordinator)
    person.refresh_from_db()
    other.refresh_from_db()
    assert person.status == "attended" and person.attendance_marked_at is not None
    assert other.status == "confirmed"
    entry = LogEntry.objects.get_for_object(person).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == coordinator
    assert entry.changes["status"] == ["confirmed", "attended"]


def test_undo_gives_back_the_unmarked_place():
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop)
    lifecycle.check_in(workshop=workshop, registration_id=person.pk)
    lifecycle.undo_check_in(workshop=workshop, registration_id=person.pk)
    person.refresh_from_db()
    assert (person.status, person.attendance_marked_at) == ("confirmed", None)
    with pytest.raises(lifecycle.CheckinRefused) as refused:
        lifecycle.undo_check_in(workshop=workshop, registration_id=person.pk)
    assert refused.value.code == "not_checked_in"


@pytest.mark.parametrize(
    ("status", "code"),
    [("attended", "already"), ("waitlisted", "no_seat"), ("cancelled", "no_seat")],
)
def test_check_in_refuses_without_writing(status, code):
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop, status=status)
    with pytest.raises(lifecycle.CheckinRefused) as refused:
        lifecycle.check_in(workshop=workshop, registration_id=person.pk)
    assert refused.value.code == code
    person.refresh_from_db()
    assert person.status == status


def test_no_show_can_still_check_in_late():
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop, status="no_show")
    lifecycle.check_in(workshop=workshop, registration_id=person.pk)
    person.refresh_from_db()
    assert person.status == "attended"


def test_check_in_refused_before_the_day_and_for_another_workshops_person():
    early = WorkshopFactory()  # two weeks ahead
    person = RegistrationFactory(workshop=early)
    with pytest.raises(lifecycle.CheckinRefused) as refused:
        lifecycle.check_in(workshop=early, registration_id=person.pk)
    assert refused.value.code == "early"
    running = _running_workshop()
    with pytest.raises(lifecycle.CheckinRefused) as refused:
        lifecycle.check_in(workshop=running, registration_id=person.pk)
    assert refused.value.code == "other"
    person.refresh_from_db()
    assert person.status == "confirmed"


# --- Check-in code -------------------------------------------------------------------------


def test_code_is_signed_per_workshop_and_found_again():
    workshop = _running_workshop()
    person, other = RegistrationFactory.create_batch(2, workshop=workshop)
    code = checkin_codes.checkin_code(person)
    assert code.startswith(f"{workshop.pk}.")
    assert code != checkin_codes.checkin_code(other)
    assert person.cancel_token not in code  # the cancel secret is not printed on the QR code
    parsed = checkin_codes.parse(code)
    assert checkin_codes.find_registration(parsed, workshop_id=workshop.pk) == person
    # Typed in lower case, or scanned as the whole URL of the QR code: the same person.
    assert checkin_codes.parse(code.lower()) == parsed
    assert checkin_codes.parse(checkin_codes.checkin_url(person)) == parsed


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "hello",
        "12.SHORT",
        "x" * 600,
        "<script>alert(1)</script>",
        "1.AAAAAAAAAAAAAAAAAAA!",
    ],
)
def test_malformed_codes_are_no_codes(raw):
    assert checkin_codes.parse(raw) is None


def test_forged_code_and_code_of_another_workshop_find_nobody():
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop)
    code = checkin_codes.checkin_code(person)
    workshop_id, signature = code.split(".")
    forged = checkin_codes.parse(f"{workshop_id}.{'A' * len(signature)}")
    assert checkin_codes.find_registration(forged, workshop_id=workshop.pk) is None
    other = _running_workshop()
    moved = checkin_codes.parse(f"{other.pk}.{signature}")
    assert checkin_codes.find_registration(moved, workshop_id=other.pk) is None
    assert checkin_codes.find_registration(checkin_codes.parse(code), workshop_id=other.pk) is None


# --- Check-in page: button per row, undo of the last ----------------------------------------


def test_one_button_checks_in_and_the_page_offers_undo(coordinator_client):
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop, first_name="Clara", last_name="Da")
    response = coordinator_client.post(
        url("checkin_person", workshop, person.pk), {"action": "in"}, follow=True
    )
    person.refresh_from_db()
    assert person.status == "attended"
    content = response.content.decode()
    assert "Clara Da is checked in." in content
    assert "Last check-in: Clara Da" in content
    assert "1 of 1 person checked in" in content
    assert content.count('name="action" value="undo"') == 2  # the last one and its row

    response = coordinator_client.post(
        url("checkin_person", workshop, person.pk), {"action": "undo"}, follow=True
    )
    person.refresh_from_db()
    assert person.status == "confirmed"
    content = response.content.decode()
    assert "Check-in of Clara Da undone" in content
    assert "Last check-in" not in content


def test_second_click_tells_already_checked_in(coordinator_client):
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop, first_name="Ole", last_name="Brandt")
    target = url("checkin_person", workshop, person.pk)
    coordinator_client.post(target, {"action": "in"})
    response = coordinator_client.post(target, {"action": "in"}, follow=True)
    assert "Ole Brandt is already checked in" in response.content.decode()
    assert (
        LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).count() == 1
    )


@pytest.mark.parametrize("payload", [{}, {"action": "delete"}, {"action": "<b>in</b>"}])
def test_unknown_action_changes_nothing(coordinator_client, payload):
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop)
    response = coordinator_client.post(
        url("checkin_person", workshop, person.pk), payload, follow=True
    )
    assert "Unknown action" in response.content.decode()
    person.refresh_from_db()
    assert person.status == "confirmed"


def test_person_of_another_workshop_is_not_checked_in_through_this_one(coordinator_client):
    workshop = _running_workshop()
    stranger = RegistrationFactory(workshop=_running_workshop())
    response = coordinator_client.post(
        url("checkin_person", workshop, stranger.pk), {"action": "in"}, follow=True
    )
    assert "not registered for this workshop" in response.content.decode()
    stranger.refresh_from_db()
    assert stranger.status == "confirmed"


def test_find_field_filters_rows_without_javascript(coordinator_client):
    workshop = _running_workshop()
    RegistrationFactory(workshop=workshop, first_name="Jürgen", last_name="Müller")
    RegistrationFactory(workshop=workshop, first_name="Anna", last_name="Schmidt")
    content = coordinator_client.get(url("checkin", workshop), {"q": "mull"}).content.decode()
    # Both rows are on the page (the script filters them live); the server hides the other.
    muller = content.split("Müller, Jürgen")[0].rsplit("<li", 1)[1]
    schmidt = content.split("Schmidt, Anna")[0].rsplit("<li", 1)[1]
    assert " hidden>" not in muller and " hidden>" in schmidt
    assert 'value="mull"' in content
    content = coordinator_client.get(url("checkin", workshop), {"q": "zzz"}).content.decode()
    assert "Nobody matches this search." in content.split("data-checkin-no-match")[1][:80]


def test_check_in_page_serves_its_script_from_static(coordinator_client):
    content = coordinator_client.get(url("checkin", _running_workshop())).content.decode()
    assert '<script src="/static/js/checkin' in content
    assert "cdn" not in content.lower()


# --- Scan field (hand scanner) ---------------------------------------------------------------


def test_scanned_code_checks_in(coordinator_client):
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop, first_name="Eva", last_name="Scan")
    response = coordinator_client.post(
        url("checkin_code", workshop), {"code": checkin_codes.checkin_url(person)}, follow=True
    )
    person.refresh_from_db()
    assert person.status == "attended"
    assert "Eva Scan is checked in." in response.content.decode()


@pytest.mark.parametrize(
    ("make_code", "message"),
    [
        (lambda person, other: "", "This field is required."),
        (lambda person, other: "nonsense", "not a check-in code"),
        (lambda person, other: "y" * 5000, "at most 500 characters"),
        (
            lambda person, other: checkin_codes.checkin_code(person)[:-4] + "AAAA",
            "check-in code is not valid",
        ),
        (lambda person, other: checkin_codes.checkin_code(other), "belongs to another workshop"),
    ],
)
def test_bad_scans_say_why_and_change_nothing(coordinator_client, make_code, message):
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop)
    other = RegistrationFactory(workshop=_running_workshop())
    response = coordinator_client.post(
        url("checkin_code", workshop), {"code": make_code(person, other)}, follow=True
    )
    content = response.content.decode()
    assert message in content
    # The error is at the scan field, which has the focus for the next try.
    assert 'aria-invalid="true"' in content.split('name="code"')[1].split(">")[0]
    assert "autofocus" in content.split('name="code"')[1].split(">")[0]
    person.refresh_from_db()
    other.refresh_from_db()
    assert (person.status, other.status) == ("confirmed", "confirmed")


# --- Scan URL (phone camera) ----------------------------------------------------------------


def test_coordinator_scanning_sees_the_person_and_checks_in_with_one_button(coordinator_client):
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop, first_name="Kai", last_name="Kamera")
    response = coordinator_client.get(scan_url(person))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Check in Kai Kamera?" in content
    assert f'action="{url("checkin_code", workshop)}"' in content
    person.refresh_from_db()
    assert person.status == "confirmed"  # opening the link changes nothing
    coordinator_client.post(
        url("checkin_code", workshop), {"code": checkin_codes.checkin_code(person)}
    )
    person.refresh_from_db()
    assert person.status == "attended"
    assert "already checked in" in coordinator_client.get(scan_url(person)).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "representative", "other_user"])
def test_others_scanning_see_what_the_code_is_for_and_nothing_of_the_person(client, who):
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop, first_name="Geheim", last_name="Person")
    if who == "representative":
        client.force_login(CompanyMemberFactory().user)
    elif who == "other_user":
        client.force_login(UserFactory())
    response = client.get(scan_url(person))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Show it at the entrance" in content or "show it at the entrance" in content
    assert "Geheim" not in content and workshop.title not in content
    assert ("Log in to check the person in" in content) == (who == "anonymous")
    person.refresh_from_db()
    assert person.status == "confirmed"


def test_forged_scan_url_answers_404_with_a_clear_page(client, coordinator_client):
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop)
    forged = reverse("registrations:checkin_scan", args=[f"{workshop.pk}.{'B' * 20}"])
    for path in (forged, reverse("registrations:checkin_scan", args=["garbage"])):
        response = coordinator_client.get(path)
        assert response.status_code == 404
        assert "Check-in code not valid" in response.content.decode()
    person.refresh_from_db()
    assert person.status == "confirmed"


# --- The person's page and the e-mail ---------------------------------------------------------


def test_registration_page_shows_the_qr_code_and_later_the_certificate(client):
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop, first_name="Ida", last_name="Ticket")
    content = client.get(reverse("registrations:page", args=[person.cancel_token])).content.decode()
    assert '<svg viewBox="0 0 ' in content and 'class="qr-code"' in content
    assert checkin_codes.checkin_code(person) in content
    assert 'role="img" aria-label="QR code for the check-in"' in content
    assert reverse("registrations:certificate", args=[person.cancel_token]) not in content

    workshop.starts_at -= timedelta(hours=5)
    workshop.ends_at = timezone.now() - timedelta(minutes=1)
    workshop.save()
    person.status = "attended"
    person.save()
    content = client.get(reverse("registrations:page", args=[person.cancel_token])).content.decode()
    assert reverse("registrations:certificate", args=[person.cancel_token]) in content


def test_registration_page_of_a_waitlisted_person_has_no_qr_code(client):
    person = RegistrationFactory(workshop=WorkshopFactory(), status="waitlisted")
    content = client.get(reverse("registrations:page", args=[person.cancel_token])).content.decode()
    assert "<svg" not in content and "Your registration" in content
    assert client.get(reverse("registrations:page", args=["nope"])).status_code == 404


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("language", ["de", "en"])
def test_confirmation_email_carries_the_qr_code_as_png(settings, language):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    workshop = WorkshopFactory(capacity=5)
    registration = registration_services.register_participant(
        workshop=workshop,
        first_name="Mia",
        last_name="Mail",
        email="mia@example.org",
        language=language,
    )
    deliver_new()
    assert len(mail.outbox) == 1
    message = email.message_from_bytes(
        mail.outbox[0].message().as_bytes(), policy=email.policy.default
    )
    parts = {part.get_filename(): part for part in message.walk() if part.get_filename()}
    qr = parts[checkin_codes.QR_FILENAME]
    assert qr.get_content_type() == "image/png"
    png = qr.get_content()
    assert png == checkin_codes.qr_png(registration)
    width, height = _png_size(png)
    assert width == height >= 200  # big enough for a phone camera off a screen
    code = checkin_codes.checkin_code(registration)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert code in text and code in html
    page = reverse("registrations:page", args=[registration.cancel_token])
    assert page in text and page in html
    assert checkin_codes.QR_FILENAME in html


def test_waitlisted_email_has_no_qr_code(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    workshop = WorkshopFactory(capacity=1)
    RegistrationFactory(workshop=workshop)
    workshop.seats_taken = 1
    workshop.save()
    registration_services.register_participant(
        workshop=workshop, first_name="W", last_name="Wait", email="w@example.org"
    )
    deliver_new()
    message = email.message_from_bytes(
        mail.outbox[-1].message().as_bytes(), policy=email.policy.default
    )
    assert checkin_codes.QR_FILENAME not in [p.get_filename() for p in message.walk()]


# --- Query count -----------------------------------------------------------------------------


def _queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_check_in_page_query_count_is_constant_in_its_rows(coordinator_client):
    from tests.factories import CompanyFactory

    workshop = _running_workshop()
    company = CompanyFactory()
    first = RegistrationFactory(workshop=workshop, company=company)
    RegistrationFactory.create_batch(2, workshop=workshop)
    # With the last check-in's undo box and a search, as at the door.
    coordinator_client.post(url("checkin_person", workshop, first.pk), {"action": "in"})
    path = url("checkin", workshop) + "?q=muster"
    coordinator_client.get(path)  # shows (and so removes) the message of the check-in
    few = _queries(coordinator_client, path)
    RegistrationFactory.create_batch(30, workshop=workshop, company=CompanyFactory())
    RegistrationFactory.create_batch(10, workshop=workshop, status="attended")
    many = _queries(coordinator_client, path)
    assert many == few <= 4  # user, workshop, rows with their company; nothing per row
