"""The meeting plans: each person gets one e-mail with their own meetings and one .ics per
meeting (parsed with Python's email package and the icalendar library), once; the matches are
recorded, with dated notes whose status changes are in the audit log; the funnel."""

import email
from datetime import timedelta
from email import policy

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from challenges.models import Match, Meeting
from challenges.pitch import selectors, services
from regiolab.mail import deliver_new
from tests.support.html_tree import parse

from .factories_pitch import make_call, make_challenge, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned():
    """Owner O meets providers P1 and P2 (accepted); P3's request is still open."""
    call = make_call("plan-tag")
    challenge, owner = make_challenge(call, title="Lager digital")
    (p1, u1), (p2, u2), (p3, u3) = (make_proposal(challenge) for _ in range(3))
    services.generate_slots(
        call=call, start=call.pitch_event.starts_at + timedelta(hours=1), slot_minutes=20,
        rounds=3, tables=1,
    )  # fmt: skip
    for proposal, user in ((p1, u1), (p2, u2)):
        meeting = services.request_meeting(proposal=proposal, requested_by=user)
        services.answer_meeting(meeting=meeting, user=owner, accept=True)
    services.request_meeting(proposal=p3, requested_by=u3)
    return {"call": call, "challenge": challenge, "owner": owner, "providers": [u1, u2, u3]}


def _send(call, capture, by=None):
    deliver_new()
    mail.outbox.clear()
    with capture(execute=True):
        count = services.send_plans(call=call, by=by)
    return count


def _parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def test_each_person_gets_their_own_plan_once_with_an_ics_per_meeting(
    planned, django_capture_on_commit_callbacks
):
    count = _send(planned["call"], django_capture_on_commit_callbacks)
    assert count == 3  # the owner and two providers; the open request is not in any plan
    by_address = {m.to[0]: _parsed(m) for m in mail.outbox}
    assert len(mail.outbox) == 3
    owner_mail = by_address[planned["owner"].email]
    assert "Gesprächsplan" in owner_mail["subject"]
    parts = [p for p in owner_mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 2
    meetings = Meeting.objects.filter(status="accepted").select_related("slot", "proposal__company")
    starts = set()
    for part in parts:
        assert part.get_filename().endswith(".ics")
        calendar = Calendar.from_ical(part.get_payload(decode=True))
        assert str(calendar["method"]) == "PUBLISH"
        [event] = calendar.walk("VEVENT")
        starts.add(event.decoded("dtstart"))
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=20)
        assert "Lager digital" in str(event["summary"])
        assert "Tisch 1" in str(event["location"])
    assert starts == {m.slot.starts_at for m in meetings}
    body = owner_mail.get_body(("plain",)).get_content()
    for meeting in meetings:
        assert meeting.proposal.company.name in body
    provider_mail = by_address[planned["providers"][0].email]
    [part] = list(provider_mail.iter_attachments())
    event = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    assert planned["challenge"].company.name in str(event["summary"])
    assert planned["providers"][2].email not in by_address
    # A second click: nobody gets a second e-mail, and the coordinator is told why.
    with pytest.raises(ValidationError, match="bereits"):
        _send(planned["call"], django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not Meeting.objects.filter(status="accepted", plan_sent_at__isnull=True).exists()


def test_sending_plans_records_matches_and_audit_entries(
    planned, coordinator, django_capture_on_commit_callbacks
):
    _send(planned["call"], django_capture_on_commit_callbacks, by=coordinator)
    matches = Match.objects.filter(challenge=planned["challenge"])
    assert matches.count() == 2
    assert set(matches.values_list("status", flat=True)) == {"talks"}
    sent_entries = [
        entry
        for entry in LogEntry.objects.get_for_model(Meeting)
        if entry.action == LogEntry.Action.UPDATE and "plan_sent_at" in entry.changes_dict
    ]
    assert len(sent_entries) == 2
    assert {entry.actor for entry in sent_entries} <= {coordinator, None}


def test_match_status_notes_and_funnel(planned, coordinator, django_capture_on_commit_callbacks):
    _send(planned["call"], django_capture_on_commit_callbacks)
    match = Match.objects.order_by("pk").first()
    today = timezone.localdate()
    services.record_match_status(match=match, status="nda", date=today - timedelta(days=3))
    services.record_match_status(match=match, status="pilot", date=today, text="Pilot ab März")
    match.refresh_from_db()
    assert match.status == "pilot"
    assert [n.status for n in match.notes.all()] == ["pilot", "nda"]
    with pytest.raises(ValidationError, match="Zukunft"):
        services.record_match_status(match=match, status="contract", date=today + timedelta(days=1))
    assert match.notes.count() == 2
    entries = LogEntry.objects.get_for_model(Match).filter(object_pk=str(match.pk))
    assert any("pilot" in str(e.changes) for e in entries)
    funnel = selectors.funnel(planned["call"])
    assert (funnel.challenges, funnel.proposals, funnel.shortlisted, funnel.met, funnel.agreements) == (
        1, 3, 3, 2, 1,
    )  # fmt: skip


def test_matches_page_shows_the_funnel_with_constant_queries(
    planned, coordinator_client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _send(planned["call"], django_capture_on_commit_callbacks)
    url = f"/challenges/{planned['call'].slug}/pitch-day/matches/"
    page = parse(coordinator_client.get(url).content)
    total = page.select_one('tr[data-funnel="total"]')
    assert total.select_one('[data-step="met"]').get_text(strip=True) == "2"
    assert len(page.select("article.match")) == 2
    match = Match.objects.order_by("pk").first()
    response = coordinator_client.post(
        url + f"{match.pk}/", {"status": "contract", "date": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == "contract"
    coordinator_client.get(url)  # shows the message of the POST once
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(url)
    services.generate_slots(
        call=planned["call"], start=planned["call"].pitch_event.starts_at + timedelta(hours=4),
        slot_minutes=20, rounds=3, tables=1,
    )  # fmt: skip
    for n in range(3):
        challenge, owner = make_challenge(planned["call"], title=f"Mehr {n}")
        proposal, provider = make_proposal(challenge)
        meeting = services.request_meeting(proposal=proposal, requested_by=provider)
        services.answer_meeting(meeting=meeting, user=owner, accept=True)
        services.record_match_status(
            match=Match.objects.create(challenge=challenge, company=proposal.company),
            status="nda", date=timezone.localdate(),
        )  # fmt: skip
    with django_assert_num_queries(len(few.captured_queries)):
        coordinator_client.get(url)


def test_send_plans_through_the_page(planned, coordinator_client):
    response = coordinator_client.post(f"/challenges/{planned['call'].slug}/pitch-day/send-plans/")
    assert response.status_code == 302
    assert Meeting.objects.filter(plan_sent_at__isnull=False).count() == 2
