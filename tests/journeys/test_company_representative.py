"""A new company representative: signs up, confirms the address by the e-mailed link, registers
the company, follows a workshop invitation's link and registers colleagues."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from companies.models import CompanyMember
from tests.companies.test_views import VALID_COMPANY
from tests.factories import WorkshopFactory
from tests.journeys.support import (
    click,
    current_url,
    link_in,
    mails_to,
    open_link,
    submit,
)
from workshops.invitations import services as invitations
from workshops.models import Invitation, Registration

pytestmark = [pytest.mark.embedded, pytest.mark.django_db(transaction=True)]

EMAIL = "jana.becker@drehteile-example.de"
PASSWORD = "Kugellager-Feinguss-2031"


def test_new_representative_registers_company_and_colleagues(client):
    workshop = WorkshopFactory(title="Robotik für Einsteiger", capacity=3)

    # Sign up and confirm the address.
    page = click(client, client.get("/"), r"^/accounts/signup/")
    page = submit(
        client,
        page,
        {
            "first_name": "Jana",
            "last_name": "Becker",
            "email": EMAIL,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        field="password1",
    )
    assert EMAIL in page.content.decode()
    assert "_auth_user_id" not in client.session
    [confirmation] = mails_to(mail.outbox, EMAIL)
    page = open_link(client, link_in(confirmation, r"/accounts/confirm-email/"))
    page = submit(client, page, action=r"^/accounts/confirm-email/")
    user = get_user_model().objects.get(email=EMAIL)
    assert user.emailaddress_set.get(email=EMAIL).verified
    assert int(client.session["_auth_user_id"]) == user.pk

    # Register the company.
    page = click(client, client.get("/companies/mine/"), r"^/companies/new/$")
    page = submit(client, page, VALID_COMPANY, field="postcode")
    assert "Calenberger Holzbau GmbH" in page.content.decode()
    membership = CompanyMember.objects.get(user=user)
    assert membership.role == CompanyMember.Role.OWNER
    assert current_url(page) == membership.company.get_absolute_url()
    company_id = membership.company_id

    # A coordinator invites her; the invitation's link leads to the registration form.
    invitations.invite(
        workshop=workshop,
        recipients=invitations.recipients_from_addresses(addresses=[EMAIL]),
    )
    assert Invitation.objects.get(email=EMAIL).status == Invitation.Status.SENT
    [invitation] = mails_to(mail.outbox, EMAIL)[1:]
    assert "Robotik für Einsteiger" in invitation["Subject"]
    register_link = link_in(invitation, rf"/workshops/{workshop.slug}/register/")
    page = open_link(client, register_link)
    assert "Calenberger Holzbau GmbH" in page.content.decode()
    # Her name and address are filled in already; she registers herself first.
    page = submit(client, page, {"language": "de", "consent": "on"}, field="email")
    mine = Registration.objects.get(workshop=workshop, email=EMAIL)
    assert (mine.first_name, mine.status, mine.company_id) == ("Jana", "confirmed", company_id)

    # Then three colleagues at once: two seats are left, the third waits.
    page = click(client, open_link(client, register_link), r"\?colleagues=1$")
    rows = [
        ("Ada", "Eins", "ada@holzbau.example"),
        ("Ben", "Zwei", "ben@holzbau.example"),
        ("Cem", "Drei", "cem@holzbau.example"),
    ]
    data = {"options-language": "de", "options-consent": "on", "colleagues-TOTAL_FORMS": "3"}
    for index, (first, last, address) in enumerate(rows):
        data |= {
            f"colleagues-{index}-first_name": first,
            f"colleagues-{index}-last_name": last,
            f"colleagues-{index}-email": address,
        }
    page = submit(client, page, data, field="colleagues-TOTAL_FORMS")

    assert current_url(page).startswith(f"/workshops/{workshop.slug}/register/?done=1")
    registrations = (
        Registration.objects.filter(workshop=workshop).exclude(pk=mine.pk).order_by("pk")
    )
    assert [(r.email, r.status) for r in registrations] == [
        ("ada@holzbau.example", "confirmed"),
        ("ben@holzbau.example", "confirmed"),
        ("cem@holzbau.example", "waitlisted"),
    ]
    assert {r.company_id for r in registrations} == {company_id}
    for first, _last, address in rows:
        [message] = mails_to(mail.outbox, address)
        assert "Robotik für Einsteiger" in message["Subject"]
        assert first in page.content.decode()
