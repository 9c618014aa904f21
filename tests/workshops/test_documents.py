"""Signature sheet and certificate PDFs, and sending the certificates once."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.factories import CompanyFactory, RegistrationFactory, TopicFactory, WorkshopFactory
from workshops.lifecycle import services as lifecycle
from workshops.lifecycle.tasks import send_certificates_task
from workshops.models import Registration

pytestmark = pytest.mark.django_db

FUNDING_NOTE = "Gefördert vom Bundesministerium und der Region Hannover."


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    # Normalise line breaks and spacing that the layout introduces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def finished_workshop(**kwargs):
    start = timezone.make_aware(timezone.datetime(2025, 3, 12, 9, 0))
    defaults = {
        "title": "Additive Fertigung kompakt",
        "starts_at": start,
        "ends_at": start + timedelta(hours=3, minutes=30),
        "venue": "Technologiezentrum Hannover",
        "trainers": "Dr. Anna Schmidt",
        "funding_note": FUNDING_NOTE,
    }
    defaults.update(kwargs)
    workshop = WorkshopFactory(**defaults)
    workshop.topics.set([TopicFactory(slug="3d-druck", name_de="3D-Druck", name_en="3D printing")])
    return workshop


# --- Signature sheet -----------------------------------------------------------------------


def test_signature_sheet_lists_confirmed_people_and_workshop_data(coordinator_client):
    workshop = finished_workshop()
    company = CompanyFactory(name="Kaiser Kunststoff GmbH")
    RegistrationFactory(workshop=workshop, first_name="Jana", last_name="Kaiser", company=company)
    RegistrationFactory(
        workshop=workshop, first_name="Ole", last_name="Brandt", company_name="Brandt & Söhne"
    )
    RegistrationFactory(workshop=workshop, last_name="Wartend", status="waitlisted")
    RegistrationFactory(workshop=workshop, last_name="Storniert", status="cancelled")

    response = coordinator_client.get(reverse("workshops:signature_sheet", args=[workshop.slug]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Signature sheet" in text
    assert "Additive Fertigung kompakt" in text
    assert "Technologiezentrum Hannover" in text
    assert "Dr. Anna Schmidt" in text
    assert "09:00–12:30" in text
    assert FUNDING_NOTE in text
    assert "Kaiser, Jana" in text and "Kaiser Kunststoff GmbH" in text
    assert "Brandt, Ole" in text and "Brandt & Söhne" in text
    assert "Wartend" not in text and "Storniert" not in text
    assert "Page 1 of 1" in text


def test_signature_sheet_numbers_pages_of_a_long_list(coordinator_client):
    workshop = finished_workshop(capacity=60)
    RegistrationFactory.create_batch(45, workshop=workshop)
    response = coordinator_client.get(reverse("workshops:signature_sheet", args=[workshop.slug]))
    reader = PdfReader(io.BytesIO(response.content))
    pages = len(reader.pages)
    assert pages > 1
    assert f"Page {pages} of {pages}" in pdf_text(response.content)


# --- Certificate download ------------------------------------------------------------------


def certificate_url(registration):
    return reverse("registrations:certificate", args=[registration.cancel_token])


def test_attendee_downloads_certificate_with_workshop_data(client):
    workshop = finished_workshop()
    registration = RegistrationFactory(
        workshop=workshop, first_name="Jana", last_name="Kaiser", status="attended", language="en"
    )
    response = client.get(certificate_url(registration))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Certificate of attendance" in text
    assert "Jana Kaiser" in text
    assert "Additive Fertigung kompakt" in text
    assert "12 Mar 2025" in text
    assert "Duration in hours 3.5" in text
    assert "3D printing" in text
    assert FUNDING_NOTE in text


def test_certificate_in_german_for_german_registrations(client):
    workshop = finished_workshop()
    registration = RegistrationFactory(workshop=workshop, status="attended", language="de")
    text = pdf_text(client.get(certificate_url(registration)).content)
    assert "3D-Druck" in text
    assert "3,5" in text


@pytest.mark.parametrize("status", ["confirmed", "waitlisted", "cancelled", "no_show"])
def test_no_certificate_without_attendance(client, status):
    registration = RegistrationFactory(workshop=finished_workshop(), status=status)
    assert client.get(certificate_url(registration)).status_code == 404


def test_no_certificate_before_the_workshop_ended(client):
    start = timezone.now() - timedelta(hours=1)
    workshop = WorkshopFactory(starts_at=start, ends_at=start + timedelta(hours=3))
    registration = RegistrationFactory(workshop=workshop, status="attended")
    assert client.get(certificate_url(registration)).status_code == 404


def test_no_certificate_for_unknown_token(client):
    response = client.get(reverse("registrations:certificate", args=["not-a-token"]))
    assert response.status_code == 404


# --- Sending certificates ------------------------------------------------------------------


def test_send_certificates_mails_each_attendee_once(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = finished_workshop()
    attendees = [
        RegistrationFactory(workshop=workshop, first_name="Jana", status="attended"),
        RegistrationFactory(workshop=workshop, first_name="Ole", status="attended"),
    ]
    RegistrationFactory(workshop=workshop, status="no_show")
    RegistrationFactory(workshop=workshop, status="cancelled")
    send_url = reverse("workshops:send_certificates", args=[workshop.slug])

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(send_url)
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in attendees)
    message = mail.outbox[0]
    (filename, content, mimetype) = message.attachments[0]
    assert mimetype == "application/pdf" and filename.endswith(".pdf")
    person = next(r for r in attendees if r.email == message.to[0])
    assert person.full_name in pdf_text(content)
    assert reverse("registrations:certificate", args=[person.cancel_token]) in message.body

    # A second click (or a retried task) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(send_url)
        send_certificates_task.delay(workshop.pk)
    assert len(mail.outbox) == 2
    assert not Registration.objects.filter(
        status="attended", certificate_sent_at__isnull=True
    ).exists()


def test_send_certificates_before_the_end_sends_nothing(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory()
    RegistrationFactory(workshop=workshop, status="attended")
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("workshops:send_certificates", args=[workshop.slug]), follow=True
        )
    assert "once the workshop has ended" in response.content.decode()
    assert mail.outbox == []
    assert lifecycle.send_certificates(workshop_id=workshop.pk) == 0


def test_send_certificates_with_the_broker_down_answers_and_a_later_click_sends(
    coordinator_client, django_capture_on_commit_callbacks
):
    from tests.support.celery_worker import real_broker, switch_broker

    workshop = finished_workshop()
    attendee = RegistrationFactory(workshop=workshop, status="attended")
    send_url = reverse("workshops:send_certificates", args=[workshop.slug])
    dead_broker = switch_broker("redis://127.0.0.1:1/0")  # nothing listens there
    with real_broker(), dead_broker, django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(send_url)
    assert response.status_code == 302
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(send_url)
    assert [m.to[0] for m in mail.outbox] == [attendee.email]
