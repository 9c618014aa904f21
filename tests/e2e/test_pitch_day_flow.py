"""The pitch day in the browser, axe run on every page visited: the coordinator lays out the
meeting slots, a shortlisted provider asks the challenge owner for any free slot, the owner
accepts, the coordinator sends the plans, and the owner's e-mail carries the meeting's .ics."""

import email
import re
from datetime import timedelta
from email import policy

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from challenges.models import Meeting, MeetingSlot
from tests.challenges.factories_pitch import make_call, make_challenge, make_proposal
from tests.e2e.test_learning_flow import Axe

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_slots_request_accept_and_plans(browser, live_url, live_server, coordinator):
    call = make_call("pitch-browser")
    challenge, owner = make_challenge(call, title="Smart warehouse")
    proposal, provider = make_proposal(challenge)
    url = f"/challenges/{call.slug}/pitch-day/"
    problems = []

    context, page = _signed_in(browser, live_server, coordinator)
    axe = Axe(page)
    try:
        page.goto(url)
        axe("the pitch day without slots")
        start = timezone.localtime(call.pitch_event.starts_at + timedelta(hours=1))
        page.get_by_label("First meeting round starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Minutes per meeting").fill("20")
        page.get_by_label("Number of rounds").fill("3")
        page.get_by_label("Number of tables").fill("2")
        page.get_by_role("button", name="Lay out slots").click()
        expect(page.get_by_text("6 meeting slots have been laid out.")).to_be_visible()
        axe("the meeting plan with free slots")
    finally:
        problems += axe.problems
        context.close()
    assert MeetingSlot.objects.filter(call=call).count() == 6

    context, page = _signed_in(browser, live_server, provider)
    axe = Axe(page)
    try:
        page.goto(url)
        axe("the provider's pitch day")
        page.get_by_label("Meet about").select_option(str(proposal.pk))
        page.get_by_role("button", name="Ask for the meeting").click()
        expect(page.get_by_text("Your meeting request has been sent")).to_be_visible()
        axe("the provider's request sent")
    finally:
        problems += axe.problems
        context.close()

    context, page = _signed_in(browser, live_server, owner)
    axe = Axe(page)
    try:
        page.goto(url)
        page.get_by_role("button", name="Accept").click()
        expect(page.get_by_text("The meeting is in the plan.")).to_be_visible()
        axe("the owner's accepted meeting")
    finally:
        problems += axe.problems
        context.close()
    assert Meeting.objects.get().status == "accepted"

    context, page = _signed_in(browser, live_server, coordinator)
    axe = Axe(page)
    try:
        page.goto(url)
        page.get_by_role("button", name="Send plans").click()
        expect(page.get_by_text(re.compile("2 people get their meeting plans"))).to_be_visible()
        page.get_by_role("link", name="Matches and funnel").click()
        expect(page.locator('[data-step="met"]')).to_have_text("1")
        axe("the matches and the funnel")
    finally:
        problems += axe.problems
        context.close()

    [owner_mail] = [m for m in mail.outbox if m.to == [owner.email]]
    parsed = email.message_from_bytes(owner_mail.message().as_bytes(), policy=policy.default)
    [part] = [p for p in parsed.iter_attachments() if p.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("dtstart") == Meeting.objects.get().slot.starts_at
    assert "Smart warehouse" in str(event["summary"])
    assert problems == [], "\n".join(problems)
