"""Shortlist and decisions: each proposer is e-mailed once (invited to pitch / not selected,
with the feedback); a second click sends nothing; decisions are in the audit log."""

import email
from email import policy as email_policy

import pytest
from auditlog.models import LogEntry
from django.core import mail as django_mail
from django.core.exceptions import ValidationError

from challenges.models import Proposal
from challenges.review import services

from .factories_review import make_call, make_challenge, make_proposal

pytestmark = pytest.mark.django_db


def parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email_policy.default)


def _text(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def decided(coordinator_client):
    call = make_call(title="Aufruf Nordhessen")
    challenge = make_challenge(call, title="Kühlkette digital")
    chosen = make_proposal(challenge)
    rejected = make_proposal(challenge)
    undecided = make_proposal(challenge)
    base = f"/challenges/{call.slug}/review/"
    assert (
        coordinator_client.post(
            f"{base}{chosen.pk}/decision/", {"status": "shortlisted", "feedback": "Sehr stark"}
        ).status_code
        == 302
    )
    assert (
        coordinator_client.post(
            f"{base}{rejected.pk}/decision/",
            {"status": "not_selected", "feedback": "Zu teuer für den Piloten"},
        ).status_code
        == 302
    )
    return call, chosen, rejected, undecided, base


def test_shortlist_decisions_are_saved_and_audited(decided, coordinator):
    _call, chosen, rejected, undecided, _base = decided
    chosen.refresh_from_db()
    rejected.refresh_from_db()
    assert chosen.status == Proposal.Status.SHORTLISTED
    assert chosen.decision_feedback == "Sehr stark"
    assert rejected.status == Proposal.Status.NOT_SELECTED
    entry = LogEntry.objects.get_for_object(chosen).latest("timestamp")
    assert entry.actor == coordinator
    assert "shortlisted" in str(entry.changes)


def test_invalid_decision_changes_nothing(coordinator_client, decided):
    call, _chosen, _rejected, undecided, base = decided
    response = coordinator_client.post(f"{base}{undecided.pk}/decision/", {"status": "winner"})
    assert response.status_code == 400
    undecided.refresh_from_db()
    assert undecided.status == Proposal.Status.SUBMITTED


def test_decision_mails_go_once(
    coordinator_client, decided, django_capture_on_commit_callbacks, english
):
    call, chosen, rejected, undecided, base = decided
    page = coordinator_client.get(f"{base}decisions/").content.decode()
    assert "Send 2 decision e-mails" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(f"{base}decisions/", follow=True)
    assert "2 decision e-mails are being sent." in response.content.decode()
    assert len(django_mail.outbox) == 2
    by_address = {m.to[0]: parsed(m) for m in django_mail.outbox}
    assert set(by_address) == {chosen.created_by.email, rejected.created_by.email}
    yes = by_address[chosen.created_by.email]
    no = by_address[rejected.created_by.email]
    assert "Kühlkette digital" in yes["Subject"]
    assert "invited to pitch" in _text(yes)
    assert "Sehr stark" in _text(yes)
    assert "not been selected" in _text(no)
    assert "Zu teuer für den Piloten" in _text(no)
    assert undecided.created_by.email not in by_address

    # A second click sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(f"{base}decisions/", follow=True)
    assert "0 decision e-mails are being sent." in response.content.decode()
    assert len(django_mail.outbox) == 2
    assert services.send_decisions(call=call) == 0


def test_decision_cannot_change_after_it_was_sent(decided):
    call, chosen, _rejected, _undecided, _base = decided
    services.send_decisions(call=call)
    with pytest.raises(ValidationError):
        services.decide(proposal=chosen, status="not_selected")
    chosen.refresh_from_db()
    assert chosen.status == Proposal.Status.SHORTLISTED


def test_a_later_decision_is_sent_on_its_own(decided, django_capture_on_commit_callbacks):
    call, _chosen, _rejected, undecided, _base = decided
    with django_capture_on_commit_callbacks(execute=True):
        services.send_decisions(call=call)
    assert len(django_mail.outbox) == 2
    services.decide(proposal=undecided, status="not_selected")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_decisions(call=call) == 1
    assert [m.to for m in django_mail.outbox[2:]] == [[undecided.created_by.email]]
