"""A visitor finds a workshop, registers and cancels by the link in the confirmation e-mail."""

import re

import pytest
from django.core import mail

from tests.factories import WorkshopFactory
from tests.journeys.support import click, current_url, link_in, mails_to, open_link, submit
from workshops.models import Registration, Workshop

pytestmark = [pytest.mark.embedded, pytest.mark.django_db(transaction=True)]


def test_visitor_registers_and_cancels_by_the_emailed_link(client):
    workshop = WorkshopFactory(title="Cobots im Mittelstand", capacity=1)

    page = client.get("/workshops/")
    assert "Cobots im Mittelstand" in page.content.decode()
    page = click(client, page, rf"^/workshops/{workshop.slug}/$")
    page = click(client, page, rf"^/workshops/{workshop.slug}/register/$")
    page = submit(
        client,
        page,
        {
            "first_name": "Erika",
            "last_name": "Mustermann",
            "email": "erika@example.org",
            "language": "de",
            "consent": "on",
        },
        field="email",
    )

    assert current_url(page).startswith(f"/workshops/{workshop.slug}/register/?done=1")
    assert "Erika Mustermann" in page.content.decode()
    registration = Registration.objects.get(email="erika@example.org")
    assert registration.status == Registration.Status.CONFIRMED
    assert Workshop.objects.get(pk=workshop.pk).seats_taken == 1

    [confirmation] = mails_to(mail.outbox, "erika@example.org")
    assert "Cobots im Mittelstand" in confirmation["Subject"]
    page = open_link(client, link_in(confirmation, r"/registrations/[^/]+/cancel/"))
    assert "Cobots im Mittelstand" in page.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"  # GET: no change

    page = submit(client, page, action=re.escape(current_url(page)))

    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CANCELLED
    assert Workshop.objects.get(pk=workshop.pk).seats_taken == 0
    assert "storniert" in page.content.decode()
    # The seat is free again: the next visitor gets it.
    page = click(client, client.get(f"/workshops/{workshop.slug}/"), r"/register/$")
    page = submit(
        client,
        page,
        {
            "first_name": "Jan",
            "last_name": "Jansen",
            "email": "jan@example.org",
            "language": "de",
            "consent": "on",
        },
        field="email",
    )
    assert Registration.objects.get(email="jan@example.org").status == "confirmed"
