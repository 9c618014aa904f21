"""A cycle's learning workshop is an ordinary Workshop: the reminder a day ahead, its .ics,
check-in at the door, the signature sheet and the certificate work for it as for any workshop."""

from datetime import timedelta
from email import message_from_bytes, policy
from io import BytesIO

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from learning.services import start_programme
from regiolab.mail import deliver_new
from tests.learning.support import build_programme
from workshops.lifecycle import services as lifecycle
from workshops.models import Registration, Workshop
from workshops.services import register_participant

pytestmark = pytest.mark.django_db


def _mails_to(address):
    deliver_new()
    parsed = [
        message_from_bytes(m.message().as_bytes(), policy=policy.default) for m in mail.outbox
    ]
    return [m for m in parsed if m["To"] == address]


def test_the_cycle_workshop_works_as_any_workshop(coordinator, coordinator_client):
    world = build_programme(coordinator, title="Kompetenz Metall")
    start_programme(programme=world.programme, by=coordinator)
    workshop = Workshop.objects.get(pk=world.cycles[0].workshop.pk)
    registration = register_participant(
        workshop=workshop, first_name="Erika", last_name="Muster", email="erika@alpha.example"
    )
    assert registration.status == Registration.Status.CONFIRMED

    # The reminder a day ahead, once.
    lifecycle.send_due_reminders(now=workshop.starts_at - timedelta(hours=23))
    lifecycle.send_due_reminders(now=workshop.starts_at - timedelta(hours=22))
    assert len(_mails_to("erika@alpha.example")) == 2  # the confirmation and one reminder

    # The calendar file, read by a second implementation.
    ics = coordinator_client.get(reverse("workshops:ics", args=[workshop.slug]))
    [event] = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == workshop.title

    # On the day: check-in at the door and the signature sheet naming the person.
    now = timezone.now()
    Workshop.objects.filter(pk=workshop.pk).update(
        starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=2)
    )
    workshop.refresh_from_db()
    checked = lifecycle.check_in(workshop=workshop, registration_id=registration.pk, by=coordinator)
    assert checked.status == Registration.Status.ATTENDED
    sheet = coordinator_client.get(reverse("workshops:signature_sheet", args=[workshop.slug]))
    assert sheet["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(sheet.content)).pages)
    assert "Muster" in text

    # After the end: the certificate, e-mailed once as a PDF.
    Workshop.objects.filter(pk=workshop.pk).update(ends_at=now - timedelta(minutes=1))
    assert lifecycle.send_certificates(workshop_id=workshop.pk) == 1
    assert lifecycle.send_certificates(workshop_id=workshop.pk) == 0
    pdfs = [
        part
        for message in _mails_to("erika@alpha.example")
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]
    assert len(pdfs) == 1
    assert pdfs[0].get_content().startswith(b"%PDF")
