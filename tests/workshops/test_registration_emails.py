"""Registration e-mails: rendered once per workshop version with placeholders, filled per person."""

import pytest
from django.conf import settings

from regiolab.mail import render_email
from regiolab.mail.models import OutboundEmail
from tests.factories import WorkshopFactory
from workshops.calendar import services as calendar
from workshops.lifecycle import checkin_codes
from workshops.models import Registration
from workshops.registration import services

pytestmark = pytest.mark.django_db

TEMPLATES = ["registration_confirmed", "registration_waitlisted", "registration_promoted"]


def _rendered_directly(registration, template, position):
    """The e-mail as the templates render it for this very registration (no placeholders)."""
    workshop = registration.workshop
    return render_email(
        template,
        {
            "registration": registration,
            "workshop": workshop,
            "cancel_url": services.cancel_url(registration),
            "workshop_url": settings.SITE_URL.rstrip("/") + workshop.get_absolute_url(),
            "position": position,
            "checkin_code": checkin_codes.checkin_code(registration),
            "registration_page_url": services.registration_page_url(registration),
            "checkin_qr_filename": checkin_codes.QR_FILENAME,
        },
        registration.language,
    )


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_filled_in_email_is_what_the_templates_render_for_the_person(template, language):
    # Characters the HTML escapes, and a name that looks like a placeholder: both as typed.
    workshop = WorkshopFactory(title="Löten & Messen", title_en="Soldering <basics>", capacity=1)
    services.register_participant(workshop=workshop, first_name="A", last_name="B", email="a@b.de")
    registration = services.register_participant(
        workshop=workshop,
        first_name="Zoë",
        last_name="O'Neill & Söhne @@cancel-url@@",
        email="zoe@example.org",
        language=language,
    )
    assert registration.status == "waitlisted"

    email = services.registration_email(workshop, template, language)
    filled = services.personalise(email, registration)

    assert filled == _rendered_directly(registration, template, position=1)
    assert "O&#x27;Neill &amp; Söhne @@cancel-url@@" in filled[2]
    assert "O'Neill & Söhne @@cancel-url@@" in filled[1]


def test_calendar_file_attached_with_a_seat_only():
    workshop = WorkshopFactory()
    confirmed = services.registration_email(workshop, "registration_confirmed", "de")
    [attachment] = confirmed.attachments
    assert attachment.filename == calendar.ics_filename(workshop)
    assert attachment.content == calendar.workshop_ics(workshop)
    assert services.registration_email(workshop, "registration_waitlisted", "de").attachments == ()


def test_rendered_once_per_outcome_and_again_after_an_edit(monkeypatch):
    rendered = []

    def counting_render_email(template, context, language=None):
        rendered.append(template)
        return render_email(template, context, language)

    monkeypatch.setattr(services, "render_email", counting_render_email)
    workshop = WorkshopFactory(title="Schweißen kompakt", capacity=1)
    for n in range(4):
        services.register_participant(
            workshop=workshop, first_name="P", last_name=str(n), email=f"p{n}@example.org"
        )
    assert rendered == ["registration_confirmed", "registration_waitlisted"]

    workshop.title = "Schweißen kompakt (neuer Termin)"
    workshop.save()
    services.register_participant(
        workshop=workshop, first_name="P", last_name="4", email="p4@example.org"
    )
    assert rendered[2:] == ["registration_waitlisted"]
    newest = OutboundEmail.objects.get(to="p4@example.org")
    assert "Schweißen kompakt (neuer Termin)" in newest.subject
    # Each person still gets their own name, cancel link and waitlist place.
    bodies = {r.email: r for r in Registration.objects.filter(status="waitlisted")}
    for address, registration in bodies.items():
        body = OutboundEmail.objects.get(to=address).body_text
        assert registration.full_name in body
        assert services.cancel_url(registration) in body
        assert f" {services.waitlist_position(registration)} " in body


def test_edit_between_read_and_lock_renders_the_current_workshop():
    workshop = WorkshopFactory(title="Alter Titel")
    stale_copy = type(workshop).objects.get(pk=workshop.pk)
    workshop.title = "Neuer Titel"
    workshop.save()
    services.register_participant(
        workshop=stale_copy, first_name="Ida", last_name="Neu", email="ida@example.org"
    )
    assert "Neuer Titel" in OutboundEmail.objects.get(to="ida@example.org").subject


def test_an_update_that_leaves_updated_at_alone_still_shows(monkeypatch):
    """The kept e-mail is keyed by the workshop's values, not by ``updated_at``: a venue
    written by ``QuerySet.update`` (which moves no ``auto_now``) shows in the next e-mail."""
    workshop = WorkshopFactory(venue="Halle 1", capacity=5)
    services.register_participant(
        workshop=workshop, first_name="A", last_name="A", email="a@example.org"
    )
    before = type(workshop).objects.values_list("updated_at", flat=True).get(pk=workshop.pk)
    type(workshop).objects.filter(pk=workshop.pk).update(venue="Halle 7")
    services.register_participant(
        workshop=type(workshop).objects.get(pk=workshop.pk),  # as the next request reads it
        first_name="B",
        last_name="B",
        email="b@example.org",
    )
    after = type(workshop).objects.values_list("updated_at", flat=True).get(pk=workshop.pk)
    assert before == after
    assert "Halle 1" in OutboundEmail.objects.get(to="a@example.org").body_text
    assert "Halle 7" in OutboundEmail.objects.get(to="b@example.org").body_text
