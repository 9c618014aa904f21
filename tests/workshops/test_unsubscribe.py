"""Unsubscribing from invitations: by the mail program's one-click POST (no cookies, no CSRF
token) or the page's button; GET only asks; a bad token changes nothing; later invitations to
the address are not sent and the coordinator sees why."""

import re
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.test import Client

from regiolab.mail import unsubscribe_token
from regiolab.mail.models import MailOptOut
from tests.factories import WorkshopFactory
from workshops.invitations import services as invitations
from workshops.models import Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.SITE_URL = "https://portal.regiolab.example"


def invite(workshop, *addresses, capture):
    with capture(execute=True):
        return invitations.invite(
            workshop=workshop, recipients=[invitations.Recipient(a) for a in addresses]
        )


def unsubscribe_path(message) -> str:
    parsed = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    https = re.search(r"<(https://[^>]+)>", str(parsed["List-Unsubscribe"])).group(1)
    return https.removeprefix("https://portal.regiolab.example")


def test_one_click_post_opts_out_and_the_next_invitation_is_not_sent(
    coordinator_client, django_capture_on_commit_callbacks
):
    invite(WorkshopFactory(), "Erika@Example.org", capture=django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    path = unsubscribe_path(message)

    # What a mail program sends (RFC 8058): a bare POST, no cookie, no CSRF token.
    bot = Client(enforce_csrf_checks=True)
    response = bot.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "erika@example.org receives no more workshop invitations" in response.text
    assert list(MailOptOut.objects.values_list("email", flat=True)) == ["erika@example.org"]
    assert not response.cookies.get("sessionid")

    mail.outbox.clear()
    workshop = WorkshopFactory()
    result = invite(
        workshop,
        "ERIKA@example.org",
        "other@example.org",
        capture=django_capture_on_commit_callbacks,
    )
    assert (result.created, result.unsubscribed) == (1, 1)
    assert [m.to for m in mail.outbox] == [["other@example.org"]]
    skipped = Invitation.objects.get(workshop=workshop, email="erika@example.org")
    assert skipped.status == Invitation.Status.FAILED
    assert skipped.sent_at is None

    # The coordinator sees who was left out and why.
    page = coordinator_client.get(f"/workshops/{workshop.slug}/invitations/").text
    row = re.search(r"<tr>\s*<td>erika@example.org</td>.*?</tr>", page, re.S).group(0)
    assert "unsubscribed" in row
    assert "Not sent: this address has unsubscribed from invitations." in row
    assert re.search(r'data-status="unsubscribed">1<', page)
    assert re.search(r'data-status="failed">0<', page)


def test_opt_out_after_the_row_was_written_is_honoured_when_sending(
    django_capture_on_commit_callbacks,
):
    workshop = WorkshopFactory()
    invitations.invite(workshop=workshop, recipients=[invitations.Recipient("late@example.org")])
    Client().post(f"/unsubscribe/{unsubscribe_token('late@example.org')}/")
    result = invitations.send_workshop_invitations(workshop_id=workshop.pk)
    assert (result.sent, result.unsubscribed) == (0, 1)
    assert mail.outbox == []
    assert Invitation.objects.get(email="late@example.org").last_error == invitations.UNSUBSCRIBED


def test_get_shows_a_button_and_changes_nothing(client):
    path = f"/unsubscribe/{unsubscribe_token('erika@example.org')}/"
    response = client.get(path)
    assert response.status_code == 200
    assert 'method="post"' in response.text
    assert "Yes, unsubscribe" in response.text
    assert not MailOptOut.objects.exists()
    # The page's button posts without a CSRF token (the view is exempt) and works.
    response = Client(enforce_csrf_checks=True).post(path)
    assert response.status_code == 200
    assert MailOptOut.objects.filter(email="erika@example.org").exists()
    assert "There is nothing more to do" in client.get(path).text


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "abc:def",
        "x" + "ZXJpa2FAZXhhbXBsZS5vcmc:1abc:forged",
    ],
)
def test_bad_token_is_a_clear_404_and_changes_nothing(client, method, token):
    response = getattr(client, method)(f"/unsubscribe/{token}/")
    assert response.status_code == 404
    assert "Unsubscribe link not valid" in response.text
    assert "nothing was changed" in response.text
    assert not MailOptOut.objects.exists()


def test_a_token_altered_by_one_character_is_refused(client):
    token = unsubscribe_token("erika@example.org")
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.post(f"/unsubscribe/{altered}/").status_code == 404
    assert not MailOptOut.objects.exists()


def test_twice_is_harmless(client):
    path = f"/unsubscribe/{unsubscribe_token('Erika@Example.org')}/"
    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 200
    assert MailOptOut.objects.get().email == "erika@example.org"


def test_opt_out_is_in_the_personal_data_export_and_erased_by_anonymisation():
    from regiolab.privacy import anonymisation, personal_data

    Client().post(f"/unsubscribe/{unsubscribe_token('erika@example.org')}/")
    data = personal_data.collect(emails=["erika@example.org"])
    assert [o["email"] for o in data["unsubscribed_from_invitations"]] == ["erika@example.org"]
    anonymisation.anonymise_person(email="erika@example.org")
    assert not MailOptOut.objects.exists()
