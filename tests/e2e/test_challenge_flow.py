"""The Open Innovation Challenge across its parts in the browser, axe run on every page visited:
a company representative drafts a challenge and submits it; a coordinator (password and
authenticator code) approves it, which publishes it; another company's representative
downloads the call's deadlines (.ics), accepts the confidentiality terms, reads the full text
and submits a proposal with a PDF; the coordinator adds an external expert as reviewer and
assigns him; the expert sets his password from the e-mailed link and scores the proposal; the
coordinator shortlists it and sends the decision; on the pitch day the coordinator lays out the
slots, the provider asks for a meeting, the owner accepts, the coordinator sends the plans, and
the .ics attached to the owner's plan is read by icalendar. (tests/e2e/test_pitch_day_flow.py
covers the pitch-day leg alone.)

Set up outside the browser: the open call (``save_call``, as tests/journeys/test_challenges.py
does) and the passing of the proposals deadline (moved to yesterday in the database). The
review and pitch-day pages are opened by their addresses (the call's page links to them;
tests/journeys/test_challenges.py follows those links).

Each person has a browser context of their own and signs in on the login page. The browser
runs in English; the e-mails go out in the portal's default language (German).
"""

import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from challenges.models import (
    Call,
    CallReviewer,
    Challenge,
    Match,
    Meeting,
    MeetingSlot,
    Proposal,
    ReviewAssignment,
    TermsAcceptance,
)
from tests.challenges.support import tiny_pdf
from tests.e2e.test_learning_flow import Axe, _sign_in
from tests.factories import CompanyFactory, CompanyMemberFactory
from tests.journeys.support import link_in, mails_to
from tests.journeys.test_challenges import open_call

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Smart bending line"
CONFIDENTIAL = "CONFIDENTIAL: 14 press brakes, 47 minutes of set-up per order."
APPROACH = "Camera-based tool recognition with digital set-up sheets."
EXPERT = "expert@university.example"
EXPERT_PASSWORD = "Review-safely-2026"


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


def label(text: str) -> re.Pattern:
    """A field's label as Django renders it (its suffix ":"), in any case."""
    return re.compile(rf"^{re.escape(text)}:?$", re.I)


class Person:
    """One person's browser context, page and axe."""

    def __init__(self, browser, live_url):
        self.context = browser.new_context(base_url=live_url, locale="en-GB", accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.axe = Axe(self.page)

    def goto(self, path: str, what: str):
        self.page.goto(path)
        self.axe(what)
        return self.page

    def said(self, text):
        expect(self.page.get_by_text(text).first).to_be_visible()


def test_challenge_from_draft_to_the_meeting_plan(browser, live_url, coordinator):
    call = open_call(coordinator)
    owner_member = CompanyMemberFactory(company=CompanyFactory(name="Laatzen Sheet Metal GmbH"))
    owner, owner_company = owner_member.user, owner_member.company
    provider_member = CompanyMemberFactory(company=CompanyFactory(name="Garbsen Vision GmbH"))
    provider, provider_company = provider_member.user, provider_member.company
    call_url = f"/challenges/{call.slug}/"
    review_url = f"/challenges/{call.slug}/review/"
    pitch_url = f"/challenges/{call.slug}/pitch-day/"
    people = []

    def person():
        people.append(Person(browser, live_url))
        return people[-1]

    try:
        # --- The owner drafts the challenge and submits it -------------------------------
        ann = person()
        page = ann.goto(call_url, "the call's public page")
        page.get_by_role("link", name="Log in to take part").click()
        _sign_in(page, owner)
        expect(page).to_have_url(re.compile(rf"{call_url}$"))
        page.get_by_role("link", name="Describe a challenge of your company").click()
        ann.axe("the challenge form")
        page.get_by_label(label("Title")).fill(TITLE)
        page.get_by_label(label("Public summary")).fill("Faster set-up of our press brakes.")
        page.get_by_label(label("Problem")).fill("Every tool change takes too long.")
        page.get_by_label(label("Desired outcome")).fill("Set-up under 25 minutes.")
        page.get_by_label(label("Confidential full text")).fill(CONFIDENTIAL)
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        ann.axe("the drafted challenge")
        challenge = Challenge.objects.get(title=TITLE)
        assert (challenge.company_id, challenge.status) == (owner_company.pk, "draft")
        page.get_by_role("button", name="Submit for approval").click()
        ann.said("The challenge has been submitted")
        ann.axe("the submitted challenge")
        challenge.refresh_from_db()
        assert challenge.status == "submitted"

        # --- The coordinator approves it ---------------------------------------------------
        cora = person()
        page = cora.goto(call_url, "the call's page before signing in")
        page.get_by_role("link", name="Log in to take part").click()
        _sign_in(page, coordinator, second_factor=True)
        cora.axe("the call's page for coordinators")
        page.get_by_role("main").get_by_role("link", name=TITLE).click()
        cora.axe("the submitted challenge for the coordinator")
        page.get_by_role("radio", name="approve", exact=True).check()
        page.get_by_label(label("Comment to the company")).fill("Well described.")
        page.get_by_role("button", name="Save decision").click()
        cora.said("The challenge has been approved")
        cora.axe("the approved challenge")
        challenge.refresh_from_db()
        assert challenge.status == "published"

        # --- A provider: deadlines .ics, terms, full text, proposal with a PDF -------------
        pia = person()
        page = pia.goto(call_url, "the call with its published challenge")
        with page.expect_download() as download:
            page.get_by_role("link", name="Deadlines for your calendar (.ics)").click()
        assert download.value.suggested_filename == f"{call.slug}.ics"
        deadlines = Calendar.from_ical(Path(download.value.path()).read_bytes())
        starts = {str(e["SUMMARY"]): e.decoded("dtstart") for e in deadlines.walk("VEVENT")}
        assert starts[f"{call.title}: proposals deadline"] == call.proposals_until
        assert starts[f"{call.title}: pitch day"] == call.pitch_event.starts_at
        page.get_by_role("main").get_by_role("link", name=TITLE).click()
        pia.axe("the published challenge for a visitor")
        expect(page.get_by_role("main")).not_to_contain_text(CONFIDENTIAL)
        page.get_by_role("main").get_by_role("link", name="Log in").click()
        _sign_in(page, provider)
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        pia.axe("the challenge with the confidentiality terms")
        expect(page.get_by_role("main")).not_to_contain_text(CONFIDENTIAL)
        page.get_by_label(label("I accept the confidentiality terms of this call.")).check()
        page.get_by_role("button", name="Accept the terms and show the full text").click()
        expect(page.get_by_role("main")).to_contain_text(CONFIDENTIAL)
        pia.axe("the challenge's full text")
        assert TermsAcceptance.objects.filter(call=call, user=provider).exists()
        page.get_by_role("link", name="Propose a solution").click()
        pia.axe("the proposal form")
        page.get_by_label(label("Approach")).fill(APPROACH)
        page.get_by_label(label("Cost estimate (EUR)")).fill("38500")
        page.get_by_label(label("Attach a PDF")).set_input_files(
            {"name": "offer.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("Offer")}
        )
        page.get_by_role("button", name="Submit the proposal").click()
        pia.said("The proposal has been submitted")
        pia.axe("the submitted proposal")
        expect(page.get_by_role("link", name="offer.pdf")).to_be_visible()
        proposal = Proposal.objects.get(challenge=challenge, company=provider_company)
        assert proposal.status == "submitted" and proposal.attachments.count() == 1

        # --- The deadline passes (see the docstring) ---------------------------------------
        yesterday = timezone.localdate() - timedelta(days=1)
        Call.objects.filter(pk=call.pk).update(
            proposals_until=timezone.make_aware(datetime.combine(yesterday, time(23, 59)))
        )

        # --- The coordinator adds an external expert and assigns him -----------------------
        page = cora.goto(review_url, "the review ranking before the reviews")
        page.get_by_role("link", name="Reviewers and automatic assignment", exact=True).click()
        cora.axe("the reviewers page")
        page.get_by_label(label("E-mail address")).fill(EXPERT)
        page.get_by_label(label("First name")).fill("Jonas")
        page.get_by_label(label("Last name")).fill("Expert")
        page.get_by_role("button", name="Add and invite").click()
        cora.said(f"{EXPERT} is now a reviewer of this call")
        cora.axe("the reviewers page with the expert")
        expert = CallReviewer.objects.get(call=call, user__email=EXPERT).user
        page.get_by_role("link", name="Back to the ranking").click()
        page.get_by_role("link", name=provider_company.name).click()
        cora.axe("the proposal's review overview")
        page.get_by_label(label("Reviewer")).select_option(str(expert.pk))
        page.get_by_role("button", name="Assign", exact=True).click()
        cora.said("The reviewer has been assigned.")
        cora.axe("the proposal with its reviewer")
        assignment = ReviewAssignment.objects.get(proposal=proposal)
        assert assignment.reviewer_id == expert.pk

        # --- The expert sets his password and scores the proposal --------------------------
        jonas = person()
        [invitation] = mails_to(mail.outbox, EXPERT)
        page = jonas.goto(link_in(invitation, r"/accounts/password/reset/key/"), "set password")
        page.get_by_label(re.compile(r"^(New )?Password:?$", re.I)).fill(EXPERT_PASSWORD)
        again = page.get_by_label(re.compile(r"^(New )?Password \(again\):?$", re.I))
        again.fill(EXPERT_PASSWORD)
        again.press("Enter")
        expect(page).not_to_have_url(re.compile(r"/set-password/"))
        page.goto(link_in(invitation, rf"{review_url}$"))
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
        page.get_by_label(re.compile(r"^E-?mail", re.I)).fill(EXPERT)
        page.get_by_label(re.compile(r"^Password", re.I)).fill(EXPERT_PASSWORD)
        page.get_by_label(re.compile(r"^Password", re.I)).press("Enter")
        expect(page).to_have_url(re.compile(rf"{review_url}$"))
        jonas.axe("the expert's assignments")
        page.get_by_role("link", name=f"Proposal no. {proposal.pk}").click()
        jonas.axe("the review form")
        expect(page.get_by_role("main")).to_contain_text(APPROACH)
        expect(page.get_by_role("main")).not_to_contain_text(provider_company.name)
        page.get_by_label(re.compile(r"^Innovationsgrad \(weight 3\)")).fill("4")
        page.get_by_label(re.compile(r"^Machbarkeit \(weight 1\)")).fill("5")
        page.get_by_role("button", name="Submit the review").click()
        jonas.said("Your review has been saved.")
        jonas.axe("the submitted review")
        assignment.refresh_from_db()
        assert assignment.review.submitted_at is not None

        # --- The coordinator shortlists the proposal and sends the decision ----------------
        page = cora.goto(review_url, "the ranking with the review")
        expect(page.get_by_role("table", name=TITLE)).to_contain_text("4.25")
        page.get_by_role("link", name=provider_company.name).click()
        page.get_by_role("combobox", name=label("Decision")).select_option("shortlisted")
        page.get_by_label(re.compile(r"^Feedback to the proposer")).fill("Bring a live demo.")
        page.get_by_role("button", name="Save the decision").click()
        cora.said("The decision has been saved.")
        page.get_by_role("link", name="Send the decisions").click()
        cora.axe("the decisions to send")
        page.get_by_role("button", name="Send 1 decision e-mail").click()
        cora.said("1 decision e-mail is being sent.")
        cora.axe("the ranking after the decisions")
        proposal.refresh_from_db()
        assert proposal.status == "shortlisted" and proposal.decision_sent_at is not None
        decisions = [m for m in mails_to(mail.outbox, provider.email) if TITLE in m["Subject"]]
        assert any("Bring a live demo." in m.get_body(("plain",)).get_content() for m in decisions)

        # --- Pitch day: slots, a request, its acceptance, the plans -------------------------
        page = cora.goto(pitch_url, "the pitch day without slots")
        page.get_by_label(label("Minutes per meeting")).fill("20")
        page.get_by_label(label("Number of rounds")).fill("2")
        page.get_by_label(label("Number of tables")).fill("2")
        page.get_by_role("button", name="Lay out slots").click()
        cora.said("4 meeting slots have been laid out.")
        cora.axe("the meeting plan with free slots")
        assert MeetingSlot.objects.filter(call=call).count() == 4

        page = pia.goto(pitch_url, "the provider's pitch day")
        page.get_by_label(label("Meet about")).select_option(str(proposal.pk))
        page.get_by_role("button", name="Ask for the meeting").click()
        pia.said("Your meeting request has been sent")
        pia.axe("the provider's request sent")

        page = ann.goto(pitch_url, "the owner's pitch day with the request")
        page.get_by_role("button", name="Accept").click()
        ann.said("The meeting is in the plan.")
        ann.axe("the owner's accepted meeting")
        meeting = Meeting.objects.select_related("slot").get(call=call)
        assert meeting.status == "accepted"

        page = cora.goto(pitch_url, "the meeting plan with the meeting")
        expect(page.get_by_role("table", name=re.compile("Times × tables"))).to_contain_text(
            f"{owner_company.name} ↔ {provider_company.name}"
        )
        page.get_by_role("button", name="Send plans").click()
        cora.said(re.compile("2 people get their meeting plans"))
        cora.axe("the pitch day after sending the plans")
        assert Match.objects.filter(challenge=challenge, company=provider_company).exists()
    finally:
        problems = [problem for p in people for problem in p.axe.problems]
        scanned = sum(len(p.axe.scanned) for p in people)
        for p in people:
            p.context.close()

    # The owner's plan, as her mail program reads it, carries the meeting's .ics.
    [plan] = [m for m in mails_to(mail.outbox, owner.email) if call.title in m["Subject"]]
    [part] = [p for p in plan.iter_attachments() if p.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert event.decoded("dtstart") == meeting.slot.starts_at
    assert str(event["SUMMARY"]) == f"Gespräch mit {provider_company.name}: {TITLE}"
    assert scanned == 34  # every page visited above
    assert problems == [], "\n".join(problems)
