"""A coordinator signs in with the second factor, creates and publishes a workshop, checks a
participant in and sends the certificates."""

import subprocess
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.journeys.support import click, current_url, mails_to, sign_in, submit
from workshops.models import Registration, Workshop

pytestmark = [pytest.mark.embedded, pytest.mark.django_db(transaction=True)]


def _local(moment) -> str:
    """As the browser's date-and-time picker sends it (Europe/Berlin)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_coordinator_runs_a_workshop_from_draft_to_certificates(client, coordinator, tmp_path):
    page = client.get("/workshops/new/", follow=True)
    assert current_url(page).startswith("/accounts/login/")
    page = sign_in(client, page, coordinator)
    assert current_url(page) == "/workshops/new/"

    starts = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    page = submit(
        client,
        page,
        {
            "title": "Schweißen mit Cobots",
            "description": "Praxis am Roboter.",
            "format": "on_site",
            "venue": "Technologiezentrum Hannover",
            "starts_at": _local(starts),
            "ends_at": _local(starts + timedelta(hours=3)),
            "capacity": "12",
            "language": "de",
        },
        field="title",
    )
    workshop = Workshop.objects.get(title="Schweißen mit Cobots")
    assert workshop.status == Workshop.Status.DRAFT
    assert current_url(page) == f"/workshops/{workshop.slug}/participants/"
    assert client.get(f"/workshops/{workshop.slug}/register/").status_code == 200  # preview

    page = submit(client, page, action=rf"^/workshops/{workshop.slug}/publish/$")
    assert Workshop.objects.get(pk=workshop.pk).status == Workshop.Status.PUBLISHED

    # A participant registers through the public form (in a browser of her own).
    visitor = Client()
    form = click(visitor, visitor.get(f"/workshops/{workshop.slug}/"), r"/register/$")
    submit(
        visitor,
        form,
        {
            "first_name": "Petra",
            "last_name": "Pohl",
            "email": "petra@example.org",
            "language": "de",
            "consent": "on",
        },
        field="email",
    )
    registration = Registration.objects.get(email="petra@example.org")

    # The workshop day has come and gone (three hours, ended an hour ago).
    now = timezone.now().replace(microsecond=0)
    Workshop.objects.filter(pk=workshop.pk).update(
        starts_at=now - timedelta(hours=4), ends_at=now - timedelta(hours=1)
    )

    page = client.get(f"/workshops/{workshop.slug}/checkin/")
    assert "Pohl, Petra" in page.content.decode()
    # One button in her row checks her in.
    page = submit(client, page, action=rf"/checkin/{registration.pk}/$", field="action")
    assert "Petra Pohl ist eingecheckt." in page.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.ATTENDED

    mail.outbox.clear()
    page = client.get(f"/workshops/{workshop.slug}/participants/")
    page = submit(client, page, action=rf"^/workshops/{workshop.slug}/certificates/send/$")
    assert Registration.objects.get(pk=registration.pk).certificate_sent_at is not None

    [message] = mails_to(mail.outbox, "petra@example.org")
    [pdf] = [
        part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"
    ]
    (tmp_path / "certificate.pdf").write_bytes(pdf.get_content())
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "certificate.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Petra Pohl" in text and "Schweißen mit Cobots" in text
