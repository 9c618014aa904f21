"""Challenges: a company representative drafts, submits and revises; the coordinator comments,
asks for a revision or approves (each decision e-mailed to the company through the outbox);
approved challenges go public when the call's "published" phase starts (at once, or by the
beat task); the confidential text only after accepting the call's confidentiality terms."""

import email
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from challenges.calls import services
from challenges.calls.tasks import publish_due_challenges
from challenges.models import Challenge, ChallengeComment, TermsAcceptance
from regiolab.mail.models import OutboundEmail
from tests.challenges.support import make_call, make_challenge, owner_of
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _challenge_payload(**extra):
    topic = TopicFactory()
    data = {
        "title": "Predictive Maintenance für Pressen",
        "public_summary": "Wir wollen Ausfälle unserer Pressen vorhersagen.",
        "problem": "Ungeplante Stillstände.",
        "context": "Drei Pressenlinien.",
        "desired_outcome": "Stillstände halbieren.",
        "constraints": "Keine Cloud.",
        "offer_budget": "50k",
        "offer_pilot_site": "on",
        "offer_data": "Sensordaten eines Jahres",
        "offer_staff_time": "2 Tage pro Monat",
        "topics": [topic.pk],
        "sector": "C",
        "confidential_text": "Stillstandskosten: 12.000 € pro Stunde.",
    }
    data.update(extra)
    return data


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_rep_drafts_submits_coordinator_asks_revision_then_approves(client, coordinator):
    call = make_call(phase="published")
    user, company = owner_of()
    client.force_login(user)
    response = client.post(
        reverse("challenges:challenge_create", args=[call.slug]), _challenge_payload()
    )
    challenge = Challenge.objects.get()
    assert response.status_code == 302
    assert (challenge.company, challenge.status, challenge.created_by) == (company, "draft", user)
    assert challenge.topics.count() == 1

    client.post(reverse("challenges:challenge_submit", args=[call.slug, challenge.pk]))
    challenge.refresh_from_db()
    assert challenge.status == "submitted" and challenge.submitted_at

    client.force_login(coordinator)
    url = reverse("challenges:challenge_decide", args=[call.slug, challenge.pk])
    client.post(url, {"decision": "revision", "text": "Bitte Budget präzisieren."})
    challenge.refresh_from_db()
    assert challenge.status == "revision"
    revision_mail = OutboundEmail.objects.get(to=user.email)
    parsed = email.message_from_string(
        f"Subject: {revision_mail.subject}\n\n{revision_mail.body_text}"
    )
    assert "Bitte Budget präzisieren." in parsed.get_payload()
    assert challenge.get_absolute_url() in revision_mail.body_text

    client.force_login(user)
    payload = _challenge_payload(offer_budget="100k")
    client.post(reverse("challenges:challenge_edit", args=[call.slug, challenge.pk]), payload)
    client.post(reverse("challenges:challenge_submit", args=[call.slug, challenge.pk]))
    challenge.refresh_from_db()
    assert (challenge.offer_budget, challenge.status) == ("100k", "submitted")

    client.force_login(coordinator)
    client.post(url, {"decision": "approval", "text": ""})
    challenge.refresh_from_db()
    # The call's "published" phase has begun: published at once.
    assert challenge.status == "published" and challenge.published_at
    assert OutboundEmail.objects.filter(to=user.email).count() == 2
    kinds = list(challenge.comments.values_list("kind", flat=True))
    assert kinds == ["revision", "approval"]
    assert len(mail.outbox) in (0, 2)  # delivered by the eager outbox worker, if woken


def test_approval_before_published_phase_waits_for_the_beat_task(coordinator):
    call = make_call(phase="collecting")
    challenge = make_challenge(call, status=Challenge.Status.SUBMITTED)
    services.decide_challenge(challenge=challenge, kind="approval", text="", by=coordinator)
    challenge.refresh_from_db()
    assert challenge.status == "approved" and challenge.published_at is None
    assert publish_due_challenges() == 0
    call.collecting_from -= timedelta(days=10)
    call.published_from = timezone.localdate()
    call.save()
    assert publish_due_challenges() == 1
    challenge.refresh_from_db()
    assert challenge.status == "published"
    assert publish_due_challenges() == 0  # safe to run twice


def test_approving_a_draft_is_refused_and_changes_nothing(coordinator_client):
    call = make_call()
    challenge = make_challenge(call, status=Challenge.Status.DRAFT)
    response = coordinator_client.post(
        reverse("challenges:challenge_decide", args=[call.slug, challenge.pk]),
        {"decision": "approval", "text": ""},
        follow=True,
    )
    challenge.refresh_from_db()
    assert challenge.status == "draft"
    assert ChallengeComment.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    assert any("submitted" in m or "eingereicht" in m for m in _messages(response))


def test_published_challenge_cannot_be_edited_by_owner(client):
    call = make_call()
    user, company = owner_of()
    challenge = make_challenge(call, company, title="Veröffentlicht")
    client.force_login(user)
    response = client.post(
        reverse("challenges:challenge_edit", args=[call.slug, challenge.pk]),
        _challenge_payload(title="Geändert"),
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.title == "Veröffentlicht"


def test_draft_is_hidden_from_other_companies_and_visitors(client):
    call = make_call()
    challenge = make_challenge(call, status=Challenge.Status.DRAFT)
    url = challenge.get_absolute_url()
    assert client.get(url).status_code == 404
    other, _company = owner_of()
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_confidential_text_only_after_accepting_terms(client):
    call = make_call(terms_version="2")
    challenge = make_challenge(call)
    url = challenge.get_absolute_url()
    # Visitors: the public summary, a notice, never the confidential text.
    html = client.get(url).content.decode()
    assert challenge.public_summary in html and "GEHEIM" not in html
    provider, company = owner_of()
    client.force_login(provider)
    html = client.get(url).content.decode()
    assert "GEHEIM" not in html
    assert reverse("challenges:accept_terms", args=[call.slug]) in html
    # Sending the form without ticking the box: a clear message, nothing recorded.
    response = client.post(
        reverse("challenges:accept_terms", args=[call.slug]),
        {"challenge": challenge.pk},
        follow=True,
    )
    assert TermsAcceptance.objects.count() == 0
    assert "GEHEIM" not in response.content.decode()
    assert _messages(response)
    response = client.post(
        reverse("challenges:accept_terms", args=[call.slug]),
        {"accept": "on", "challenge": challenge.pk},
        follow=True,
    )
    acceptance = TermsAcceptance.objects.get()
    assert (acceptance.user, acceptance.company, acceptance.terms_version) == (
        provider,
        company,
        "2",
    )
    assert response.redirect_chain[-1][0] == url
    assert "GEHEIM" in response.content.decode()
    # A new version of the terms asks again.
    call.terms_version = "3"
    call.save()
    client.force_login(provider)
    assert "GEHEIM" not in client.get(url).content.decode()


def test_owner_and_coordinator_always_see_confidential_text(client, coordinator_client):
    call = make_call()
    user, company = owner_of()
    challenge = make_challenge(call, company)
    assert "GEHEIM" in coordinator_client.get(challenge.get_absolute_url()).content.decode()
    client.force_login(user)
    assert "GEHEIM" in client.get(challenge.get_absolute_url()).content.decode()


def test_funder_without_company_cannot_accept_terms(client):
    call = make_call()
    challenge = make_challenge(call)
    client.force_login(UserFactory())
    response = client.post(
        reverse("challenges:accept_terms", args=[call.slug]),
        {"accept": "on", "challenge": challenge.pk},
    )
    assert response.status_code == 403
    assert TermsAcceptance.objects.count() == 0


def test_no_new_challenges_after_proposals_closed(client):
    call = make_call(phase="review")
    user, _company = owner_of()
    client.force_login(user)
    response = client.post(
        reverse("challenges:challenge_create", args=[call.slug]), _challenge_payload()
    )
    assert response.status_code == 403
    assert Challenge.objects.count() == 0
