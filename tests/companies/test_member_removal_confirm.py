"""Removing a person from a company (issue 16, safety): the owner's Remove button leads to a
confirmation step that says what happens and that nobody is told by e-mail; only the
confirmation removes, and the message says who did it. The last owner is refused at once."""

import html

import pytest
from django.core import mail
from django.urls import reverse

from companies.models import CompanyMember
from tests.factories import CompanyMemberFactory

pytestmark = pytest.mark.django_db


def url(company) -> str:
    return reverse("companies:members", args=[company.pk])


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.usefixtures("english")
def test_remove_asks_first_saying_what_happens(client, owner_a, member_a, company_a):
    member = CompanyMember.objects.get(user=member_a)
    member_a.first_name, member_a.last_name = "Mia", "Meier"
    member_a.save()
    client.force_login(owner_a)

    response = client.post(url(company_a), {"action": "remove", "membership": member.pk})

    assert response.status_code == 200
    page = _text(response)
    assert "<h1>Remove Mia Meier from Alpha Antriebstechnik GmbH?</h1>" in page
    assert (
        "Mia Meier (member-a@example.org) is no longer a member of Alpha Antriebstechnik GmbH: "
        "they can no longer see or change its pages in the portal" in page
    )
    assert "Their user account and their own workshop registrations stay." in page
    assert "Nobody is told by e-mail." in page
    assert '<input type="hidden" name="action" value="remove">' in page
    assert f'<input type="hidden" name="membership" value="{member.pk}">' in page
    assert '<input type="hidden" name="confirmed" value="1">' in page
    assert ">Remove the person</button>" in page
    assert CompanyMember.objects.filter(pk=member.pk).exists()  # asking changed nothing

    done = client.post(
        url(company_a), {"action": "remove", "membership": member.pk, "confirmed": "1"}, follow=True
    )

    assert not CompanyMember.objects.filter(pk=member.pk).exists()
    assert "You removed Mia Meier from Alpha Antriebstechnik GmbH." in _text(done)
    assert mail.outbox == []  # as the step said


@pytest.mark.usefixtures("english")
def test_leaving_oneself_is_worded_for_oneself(client, owner_a, company_a):
    second = CompanyMemberFactory(company=company_a, user__email="owner2@example.org")
    client.force_login(second.user)
    page = _text(client.post(url(company_a), {"action": "remove", "membership": second.pk}))
    assert "<h1>Leave Alpha Antriebstechnik GmbH?</h1>" in page
    assert "You are no longer a member of Alpha Antriebstechnik GmbH" in page
    assert ">Leave the company</button>" in page
    done = client.post(
        url(company_a), {"action": "remove", "membership": second.pk, "confirmed": "1"}, follow=True
    )
    assert "You have left Alpha Antriebstechnik GmbH." in _text(done)
    assert not CompanyMember.objects.filter(pk=second.pk).exists()


@pytest.mark.usefixtures("english")
def test_the_last_owner_is_refused_before_the_confirmation(client, owner_a, company_a):
    owner = CompanyMember.objects.get(user=owner_a)
    client.force_login(owner_a)
    response = client.post(
        url(company_a), {"action": "remove", "membership": owner.pk}, follow=True
    )
    page = _text(response)
    assert "A company needs at least one owner." in page
    assert "Nobody is told by e-mail." not in page  # no confirmation step offered
    assert CompanyMember.objects.filter(pk=owner.pk).exists()


def test_the_confirmation_in_german(client, owner_a, member_a, company_a):
    member = CompanyMember.objects.get(user=member_a)
    client.force_login(owner_a)
    page = _text(client.post(url(company_a), {"action": "remove", "membership": member.pk}))
    assert "Niemand wird per E-Mail benachrichtigt." in page
    assert "ist nicht mehr Mitglied von Alpha Antriebstechnik GmbH" in page
    assert ">Person entfernen</button>" in page


def test_leaving_goes_to_ones_own_companies_and_a_refused_leave_stays(client, owner_a, company_a):
    owner = CompanyMember.objects.get(user=owner_a)
    second = CompanyMemberFactory(company=company_a, user__email="owner2@example.org")
    client.force_login(second.user)
    left = client.post(
        url(company_a), {"action": "remove", "membership": second.pk, "confirmed": "1"}
    )
    assert left.status_code == 302 and left.url == reverse("companies:mine")

    client.force_login(owner_a)  # now the last owner: refused, back on the members page
    refused = client.post(
        url(company_a), {"action": "remove", "membership": owner.pk, "confirmed": "1"}
    )
    assert refused.status_code == 302 and refused.url == url(company_a)
    assert CompanyMember.objects.filter(pk=owner.pk).exists()
