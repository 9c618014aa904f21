"""Issue 14: coordinators see the e-mails that failed for good and send them again."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from regiolab.mail.models import OutboundEmail
from tests.factories import CompanyFactory, CompanyMemberFactory, UserFactory, WorkshopFactory
from workshops.invitations.services import UNSUBSCRIBED
from workshops.models import Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def failed_email(to="abgelehnt@example.org", **kwargs):
    return OutboundEmail.objects.create(
        to=to,
        subject=kwargs.pop("subject", "Ihre Anmeldung"),
        body_text="Guten Tag",
        status="failed",
        attempts=kwargs.pop("attempts", 1),
        last_error=kwargs.pop("last_error", "550 No such user here"),
        message_id=f"<{to}.1@regiolab.example>",
        **kwargs,
    )


def failed_invitation(workshop, email="gone@example.org", error="550 No such user here"):
    return Invitation.objects.create(
        workshop=workshop,
        email=email,
        status="failed",
        attempts=1,
        last_error=error,
        message_id=f"<{email}.2@regiolab.example>",
    )


def test_the_list_shows_failed_outbox_mail_and_invitations_but_nothing_else(coordinator_client):
    workshop = WorkshopFactory(title="Cobots im Mittelstand")
    failed_email(subject="Ihre Anmeldung: Cobots")
    failed_invitation(workshop)
    # Not shown: delivered or still tried, an anonymised placeholder, an unsubscribed address,
    # an invitation to a workshop that has started.
    OutboundEmail.objects.create(to="ok@example.org", subject="x", body_text="x", status="sent")
    OutboundEmail.objects.create(to="wait@example.org", subject="x", body_text="x", attempts=3)
    OutboundEmail.objects.create(
        to="person-1@anonymised.invalid", subject="", body_text="", status="failed"
    )
    failed_invitation(workshop, "out@example.org", error=UNSUBSCRIBED)
    past = WorkshopFactory(starts_at=timezone.now() - timedelta(days=1))
    failed_invitation(past, "late@example.org")

    response = coordinator_client.get(reverse("mail:failed"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 e-mails could not be delivered" in page
    assert "abgelehnt@example.org" in page and "Ihre Anmeldung: Cobots" in page
    assert "gone@example.org" in page and "Cobots im Mittelstand" in page
    assert "550 No such user here" in page
    for hidden in ("ok@", "wait@", "anonymised.invalid", "out@", "late@"):
        assert hidden not in page
    assert reverse("mail:resend") in page


def test_the_coordinator_dashboard_counts_them_and_links_to_the_list(coordinator_client):
    assert (
        reverse("mail:failed")
        not in coordinator_client.get(reverse("companies:dashboard")).content.decode()
    )
    failed_email()
    failed_invitation(WorkshopFactory())
    page = coordinator_client.get(reverse("companies:dashboard")).content.decode()
    assert "2 e-mails could not be delivered" in page
    assert f'href="{reverse("mail:failed")}"' in page


def test_the_list_query_count_does_not_grow_with_rows(
    coordinator_client, django_assert_max_num_queries
):
    workshop = WorkshopFactory()
    failed_email()
    failed_invitation(workshop)
    with django_assert_max_num_queries(50) as few:
        coordinator_client.get(reverse("mail:failed"))
    for n in range(30):
        failed_email(to=f"p{n}@example.org")
        failed_invitation(WorkshopFactory(), f"i{n}@example.org")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = coordinator_client.get(reverse("mail:failed"))
    assert "62 e-mails could not be delivered" in response.content.decode()


def test_resend_asks_first_then_sends_each_once_and_audits(
    coordinator_client, coordinator, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory()
    email = failed_email()
    invitation = failed_invitation(workshop)

    confirm = coordinator_client.get(reverse("mail:resend"))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "2 e-mails will be sent again" in page
    assert 'method="post"' in page
    assert OutboundEmail.objects.get(pk=email.pk).status == "failed"  # GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("mail:resend"))

    assert response.status_code == 302 and response["Location"] == reverse("mail:failed")
    email.refresh_from_db()
    invitation.refresh_from_db()
    assert (email.status, invitation.status) == ("sent", "sent")
    assert sorted(m.to[0] for m in django_mail.outbox) == [
        "abgelehnt@example.org",
        "gone@example.org",
    ]
    ids = {m.to[0]: m.message()["Message-ID"] for m in django_mail.outbox}
    assert ids == {
        "abgelehnt@example.org": email.message_id,
        "gone@example.org": invitation.message_id,
    }
    entries = LogEntry.objects.filter(actor=coordinator, action=LogEntry.Action.UPDATE)
    assert sorted(e.content_type.model for e in entries) == ["invitation", "outboundemail"]
    assert all(e.changes_dict == {"status": ["failed", "pending"]} for e in entries)
    follow = coordinator_client.get(response["Location"]).content.decode()
    assert "2 e-mails will be sent again." in follow
    assert "No failed e-mails" in follow


@pytest.mark.parametrize("name", ["mail:failed", "mail:resend"])
def test_only_coordinators(client, name):
    rep = UserFactory()
    CompanyMemberFactory(company=CompanyFactory(), user=rep)
    failed_email()
    assert client.get(reverse(name)).status_code == 302  # to the login
    client.force_login(rep)
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("mail:resend")).status_code == 403
    assert OutboundEmail.objects.get().status == "failed"
