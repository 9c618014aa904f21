"""Proposals: a representative of any other company drafts and submits (confirmation e-mail to
the company), edits until the deadline, then the proposal is frozen; one proposal per company
and challenge; PDF attachments checked by content and served only through the permission check."""

import email
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from challenges.models import Challenge, Proposal, ProposalAttachment
from challenges.proposals import services
from regiolab.mail.models import OutboundEmail
from tests.challenges.support import make_call, make_challenge, make_proposal, owner_of, tiny_pdf
from tests.factories import CompanyMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def _payload(**extra):
    data = {
        "approach": "Schwingungssensoren und ein Modell für Ausfallvorhersage.",
        "team": "Zwei Data Scientists",
        "references": "Pilot bei Muster AG",
        "cost_estimate": "24000",
        "timeline": "3 Monate",
        "proposal_id": "",
        "action": "save",
    }
    data.update(extra)
    return data


def _messages(response):
    return " ".join(str(m) for m in response.context["messages"])


def test_draft_then_submit_sends_one_confirmation(client, private_media):
    call = make_call()
    challenge = make_challenge(call)
    user, company = owner_of()
    colleague = CompanyMemberFactory(company=company, role="member").user
    client.force_login(colleague)
    url = reverse("challenges:propose", args=[call.slug, challenge.pk])
    response = client.post(url, _payload())
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert (proposal.company, proposal.status, proposal.cost_estimate) == (company, "draft", 24000)
    assert OutboundEmail.objects.count() == 0

    response = client.post(
        url, _payload(proposal_id=str(proposal.pk), action="submit", approach="Neu")
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.approach) == ("submitted", "Neu")
    assert proposal.submitted_at
    recipients = sorted(OutboundEmail.objects.values_list("to", flat=True))
    assert recipients == sorted([user.email, colleague.email])
    row = OutboundEmail.objects.get(to=user.email)
    message = email.message_from_string(f"Subject: {row.subject}\n\n{row.body_text}")
    assert challenge.title in message["Subject"]
    assert reverse("challenges:proposal", args=[proposal.pk]) in message.get_payload()

    # Saving again keeps it submitted and sends no second confirmation.
    client.post(url, _payload(proposal_id=str(proposal.pk), action="submit", approach="Neu 2"))
    proposal.refresh_from_db()
    assert proposal.status == "submitted" and proposal.approach == "Neu 2"
    assert OutboundEmail.objects.count() == 2


def test_second_proposal_of_one_company_is_refused(client):
    call = make_call()
    challenge = make_challenge(call)
    user, company = owner_of()
    existing = make_proposal(challenge, company, status=Proposal.Status.DRAFT)
    client.force_login(user)
    # A form opened before the colleague's proposal existed (no proposal id).
    response = client.post(
        reverse("challenges:propose", args=[call.slug, challenge.pk]),
        _payload(approach="Zweiter Vorschlag"),
    )
    assert response.status_code == 200
    assert "already" in str(response.context["form"].errors) or "bereits" in str(
        response.context["form"].errors
    )
    existing.refresh_from_db()
    assert existing.approach == "Sensorik und Datenanalyse."
    assert Proposal.objects.count() == 1


def test_after_deadline_frozen_with_clear_message_nothing_saved(client):
    call = make_call()
    challenge = make_challenge(call)
    user, company = owner_of()
    proposal = make_proposal(challenge, company, status=Proposal.Status.DRAFT)
    call.proposals_until = timezone.now() - timedelta(minutes=1)
    call.save()
    client.force_login(user)
    url = reverse("challenges:propose", args=[call.slug, challenge.pk])
    page = client.get(url).content.decode()
    assert 'name="approach"' not in page  # no form any more
    response = client.post(
        url, _payload(proposal_id=str(proposal.pk), approach="Zu spät"), follow=True
    )
    assert "deadline" in _messages(response) or "Frist" in _messages(response)
    proposal.refresh_from_db()
    assert proposal.approach == "Sensorik und Datenanalyse."
    assert OutboundEmail.objects.count() == 0
    # The service refuses too, whoever calls it.
    with pytest.raises(Exception, match="deadline|Frist"):
        services.save_proposal(
            challenge=challenge,
            company=company,
            user=user,
            fields={"approach": "x"},
            proposal_id=proposal.pk,
        )


def test_owner_cannot_propose_for_own_challenge(client):
    call = make_call()
    user, company = owner_of()
    challenge = make_challenge(call, company)
    client.force_login(user)
    response = client.post(
        reverse("challenges:propose", args=[call.slug, challenge.pk]), _payload()
    )
    assert response.status_code == 403
    assert Proposal.objects.count() == 0


def test_unpublished_challenge_takes_no_proposals(client):
    call = make_call()
    challenge = make_challenge(call, status=Challenge.Status.APPROVED)
    user, _company = owner_of()
    client.force_login(user)
    response = client.post(
        reverse("challenges:propose", args=[call.slug, challenge.pk]), _payload()
    )
    assert response.status_code == 404
    assert Proposal.objects.count() == 0


def test_pdf_attachment_stored_privately_and_served_through_permission_check(client, private_media):
    call = make_call()
    challenge = make_challenge(call)
    user, company = owner_of()
    client.force_login(user)
    pdf = SimpleUploadedFile("Angebot.pdf", tiny_pdf("Angebot"), content_type="application/pdf")
    client.post(
        reverse("challenges:propose", args=[call.slug, challenge.pk]),
        {**_payload(), "attachment": pdf},
    )
    attachment = ProposalAttachment.objects.get()
    assert attachment.name == "Angebot.pdf"
    assert attachment.file.name.startswith("proposals/") and "Angebot" not in attachment.file.name
    download = reverse("challenges:proposal_attachment", args=[attachment.pk])
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # Another company: 404; a visitor: the login page.
    other, _company = owner_of()
    client.force_login(other)
    assert client.get(download).status_code == 404
    client.logout()
    assert client.get(download).status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("fake.pdf", b"MZ\x90\x00 not a pdf at all", "PDF"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "damaged"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_attachment_is_refused_and_nothing_saved(
    client, private_media, english, name, content, expected
):
    call = make_call()
    challenge = make_challenge(call)
    user, _company = owner_of()
    client.force_login(user)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(
        reverse("challenges:propose", args=[call.slug, challenge.pk]),
        {**_payload(), "attachment": upload},
    )
    assert response.status_code == 200
    assert expected in str(response.context["form"].errors["attachment"])
    assert Proposal.objects.count() == 0
    assert ProposalAttachment.objects.count() == 0
    assert list(private_media.iterdir()) == []


def test_too_large_attachment_is_refused(english):
    upload = SimpleUploadedFile(
        "gross.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf"
    )
    with pytest.raises(Exception, match="at most"):
        services.validate_pdf(upload)


def test_company_sees_its_proposals_only(client, django_assert_num_queries):
    call = make_call()
    user, company = owner_of()
    mine = make_proposal(make_challenge(call, title="Meine Aufgabe"), company)
    make_proposal(make_challenge(call, title="Fremde Aufgabe"))
    client.force_login(user)
    html = client.get(reverse("challenges:proposals")).content.decode()
    assert "Meine Aufgabe" in html and "Fremde Aufgabe" not in html
    assert client.get(reverse("challenges:proposal", args=[mine.pk])).status_code == 200
    other = Proposal.objects.exclude(pk=mine.pk).get()
    assert client.get(reverse("challenges:proposal", args=[other.pk])).status_code == 404

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("challenges:proposals"))
    for _ in range(5):
        make_proposal(make_challenge(call), company)
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("challenges:proposals"))
    assert len(response.context["proposals"]) == 6
