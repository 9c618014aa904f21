"""The Open Innovation Challenge's main journey through real requests, on whichever database the
run has (``make test`` runs it again on SQLite without Redis, as ``make run``):

a company representative drafts a challenge for her company in an open call and submits it; a
coordinator (password and authenticator code) approves it, which publishes it; a representative
of another company accepts the call's confidentiality terms, reads the confidential text and
submits a proposal with a PDF; the coordinator adds an external expert as reviewer and assigns
him; the expert sets his password from the invitation e-mail and scores the proposal without
seeing who proposed; the coordinator shortlists it and sends the decision e-mail; on the pitch
day the coordinator lays out the slots, the provider asks for a meeting, the owner accepts, the
coordinator sends the meeting plans, and each plan's .ics is read by ``icalendar``.

Everything is done on the pages, with the forms they show, except:

- the open call is set up by ``challenges.calls.services.save_call`` (with its pitch event; the
  call form has tests of its own) and its criteria are written as rows;
- the proposals deadline passing: a test cannot wait for it, so the deadline is moved to
  yesterday in the database (time passing, not a user's step).

The review and the pitch day are reached from the call's page (coordinators, the challenge
owner) and from the decision e-mail (the shortlisted provider).
"""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from challenges.calls.services import save_call
from challenges.models import (
    Call,
    CallReviewer,
    Challenge,
    Criterion,
    Match,
    Meeting,
    MeetingSlot,
    Proposal,
    ProposalAttachment,
    ReviewAssignment,
    TermsAcceptance,
)
from tests.challenges.support import tiny_pdf
from tests.factories import CompanyFactory, CompanyMemberFactory
from tests.journeys.support import (
    click,
    current_url,
    find_form,
    html,
    link_in,
    links,
    mails_to,
    open_link,
    sign_in,
    submit,
    text_of,
)

pytestmark = [pytest.mark.embedded, pytest.mark.django_db(transaction=True)]

TITLE = "Rüstzeiten halbieren in der Blechbearbeitung"
SUMMARY = "Wir suchen eine Lösung, die das Umrüsten unserer Abkantpressen beschleunigt."
CONFIDENTIAL = "VERTRAULICH: 14 Abkantpressen, mittlere Rüstzeit 47 Minuten je Auftrag."
APPROACH = "Digitale Rüstanweisungen mit Werkzeugerkennung per Kamera."
FEEDBACK = "Überzeugender Ansatz; bitte bringen Sie eine Live-Demo mit."
EXPERT = "gutachter@hochschule.example"
EXPERT_PASSWORD = "Gutachten-sicher-2026"


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


def open_call(coordinator) -> Call:
    """A call in its proposals phase (drafting still allowed), two weighted criteria and its
    pitch event the day after the review."""
    today = timezone.localdate()
    deadline = timezone.make_aware(datetime.combine(today + timedelta(days=10), time(23, 59)))
    call = save_call(
        call=Call(
            title="Innovationsaufruf Metall 2026",
            slug="metall-2026",
            description="Unternehmen der Region suchen Lösungen.",
            organiser="Regionalmanagement Hannover",
            collecting_from=today - timedelta(days=20),
            published_from=today - timedelta(days=10),
            proposals_from=today - timedelta(days=5),
            proposals_until=deadline,
            review_until=today + timedelta(days=20),
            follow_up_from=today + timedelta(days=40),
            confidentiality_terms="Alle Angaben vertraulich behandeln.",
            terms_version="2026-1",
        ),
        user=coordinator,
    )
    Criterion.objects.create(call=call, name="Innovationsgrad", weight=3, position=0)
    Criterion.objects.create(call=call, name="Machbarkeit", weight=1, position=1)
    return call


def press(client, response, button: tuple[str, str], data=None, *, action: str):
    """Send the form whose action matches ``action`` with the button ``button`` (name, value),
    which the page must offer; prefilled fields stay as rendered."""
    name, value = button
    assert re.search(rf'<button[^>]*name="{name}"[^>]*value="{value}"', html(response)), button
    form = find_form(response, action=action)
    data = data or {}
    missing = sorted(set(data) - set(form["fields"]))
    assert not missing, f"the form has no fields {missing}"
    values = {
        key: spec["value"]
        for key, spec in form["fields"].items()
        if spec["value"] is not None and spec["kind"] not in ("checkbox", "radio")
    }
    values.update(data, **{name: value})
    return client.post(form["action"] or current_url(response), values, follow=True)


def only(messages, subject_part: str):
    found = [m for m in messages if subject_part in m["Subject"]]
    assert len(found) == 1, [m["Subject"] for m in messages]
    return found[0]


def calendar_event(message):
    """The one .ics of the e-mail, read by icalendar: (calendar, its VEVENT)."""
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert (part.get_filename() or "").endswith(".ics")
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_from_the_drafted_challenge_to_the_pitch_day_meeting_plan(client, coordinator):
    call = open_call(coordinator)
    owner_member = CompanyMemberFactory(company=CompanyFactory(name="Blechtechnik Laatzen GmbH"))
    owner, owner_company = owner_member.user, owner_member.company
    provider_member = CompanyMemberFactory(company=CompanyFactory(name="Vision Systems Garbsen"))
    provider, provider_company = provider_member.user, provider_member.company
    call_url = f"/challenges/{call.slug}/"

    # --- The challenge owner drafts the challenge and submits it ---------------------------
    page = click(client, client.get(call_url), r"^/accounts/login/\?next=")
    page = sign_in(client, page, owner)
    assert current_url(page) == call_url
    page = click(client, page, rf"^/challenges/{call.slug}/new/$")
    page = submit(
        client,
        page,
        {
            "title": TITLE,
            "public_summary": SUMMARY,
            "problem": "Jeder Werkzeugwechsel an den Abkantpressen dauert zu lange.",
            "desired_outcome": "Rüstzeit unter 25 Minuten.",
            "offer_budget": "50k",
            "offer_pilot_site": "on",
            "confidential_text": CONFIDENTIAL,
        },
        field="public_summary",
    )
    challenge = Challenge.objects.get(title=TITLE)
    assert current_url(page) == f"/challenges/{call.slug}/{challenge.pk}/"
    assert (challenge.call_id, challenge.company_id, challenge.created_by_id) == (
        call.pk,
        owner_company.pk,
        owner.pk,
    )
    assert challenge.status == "draft" and challenge.offer_pilot_site
    assert CONFIDENTIAL in html(page)  # the owner reads her own confidential text
    page = submit(client, page, action=rf"/{challenge.pk}/submit/$")
    challenge.refresh_from_db()
    assert (challenge.status, challenge.submitted_at is not None) == ("submitted", True)
    # Not public yet: a visitor sees neither the challenge nor its page.
    visitor = Client()
    assert TITLE not in html(visitor.get(call_url))
    assert visitor.get(challenge.get_absolute_url()).status_code == 404

    # --- The coordinator approves it, which publishes it (the call is past "published") ----
    staff = Client()
    page = click(staff, staff.get(call_url), r"^/accounts/login/\?next=")
    page = sign_in(staff, page, coordinator)  # password, then the authenticator's code
    page = click(staff, page, rf"^/challenges/{call.slug}/{challenge.pk}/$")
    page = submit(
        staff,
        page,
        {"decision": "approval", "text": "Gut beschrieben, danke."},
        action=rf"/{challenge.pk}/decide/$",
    )
    challenge.refresh_from_db()
    assert challenge.status == "published" and challenge.published_at is not None
    assert list(challenge.comments.values_list("kind", "author_id")) == [
        ("approval", coordinator.pk)
    ]
    approved = only(mails_to(mail.outbox, owner.email), TITLE)
    assert "Gut beschrieben, danke." in text_of(approved)
    page = open_link(client, link_in(approved, rf"/challenges/{call.slug}/{challenge.pk}/$"))
    assert TITLE in html(page)

    # The call's public page shows the summary, never the confidential text.
    public = html(visitor.get(call_url))
    assert TITLE in public and SUMMARY in public and CONFIDENTIAL not in public
    assert CONFIDENTIAL not in html(visitor.get(challenge.get_absolute_url()))

    # --- A provider accepts the terms, reads the full text and proposes with a PDF ---------
    solver = Client()
    page = click(solver, solver.get(call_url), rf"^/challenges/{call.slug}/{challenge.pk}/$")
    page = click(solver, page, rf"^/accounts/login/\?next=/challenges/{call.slug}/{challenge.pk}/")
    page = sign_in(solver, page, provider)
    assert current_url(page) == challenge.get_absolute_url()
    assert CONFIDENTIAL not in html(page)
    assert call.confidentiality_terms in html(page)
    page = submit(solver, page, {"accept": "on"}, field="accept")
    assert current_url(page) == challenge.get_absolute_url()
    assert CONFIDENTIAL in html(page)
    acceptance = TermsAcceptance.objects.get(call=call, user=provider)
    assert (acceptance.terms_version, acceptance.company_id) == ("2026-1", provider_company.pk)

    pdf = tiny_pdf("Angebot Vision Systems")
    page = click(solver, page, rf"^/challenges/{call.slug}/{challenge.pk}/proposal/$")
    page = press(
        solver,
        page,
        ("action", "submit"),
        {
            "approach": APPROACH,
            "team": "Zwei Ingenieurinnen für Bildverarbeitung.",
            "cost_estimate": "38500.00",
            "timeline": "Pilot in drei Monaten.",
            "attachment": SimpleUploadedFile("Angebot.pdf", pdf, content_type="application/pdf"),
        },
        action=rf"^/challenges/{call.slug}/{challenge.pk}/proposal/$",
    )
    proposal = Proposal.objects.get(challenge=challenge, company=provider_company)
    assert current_url(page) == f"/challenges/proposals/{proposal.pk}/"
    assert (proposal.status, proposal.created_by_id) == ("submitted", provider.pk)
    assert proposal.cost_estimate == Decimal("38500.00") and proposal.approach == APPROACH
    [attachment] = ProposalAttachment.objects.filter(proposal=proposal)
    download = solver.get(links(page, rf"^/challenges/proposals/attachments/{attachment.pk}/$")[0])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == pdf
    received = only(mails_to(mail.outbox, provider.email), TITLE)
    assert link_in(received, rf"/challenges/proposals/{proposal.pk}/$")
    # The owner's company cannot open the provider's attachment.
    assert client.get(f"/challenges/proposals/attachments/{attachment.pk}/").status_code == 404

    # --- The deadline passes (moved to yesterday: time passing, see the docstring) ---------
    yesterday = timezone.localdate() - timedelta(days=1)
    Call.objects.filter(pk=call.pk).update(
        proposals_until=timezone.make_aware(datetime.combine(yesterday, time(23, 59)))
    )
    assert Call.objects.get(pk=call.pk).phase() == "review"

    # --- The coordinator adds an external expert and assigns him to the proposal -----------
    review_url = f"/challenges/{call.slug}/review/"
    page = click(staff, staff.get(f"/challenges/{call.slug}/"), rf"^{review_url}$")
    page = click(staff, page, rf"^{review_url}reviewers/$")
    page = submit(
        staff,
        page,
        {"email": EXPERT, "first_name": "Jonas", "last_name": "Gutachter"},
        field="email",
    )
    reviewer = CallReviewer.objects.select_related("user").get(call=call, user__email=EXPERT)
    expert = reviewer.user
    assert reviewer.external and not expert.has_usable_password()
    page = click(staff, page, rf"^{review_url}$")
    page = click(staff, page, rf"^{review_url}{proposal.pk}/manage/$")
    page = submit(staff, page, {"reviewer": str(expert.pk)}, action=r"/assign/$")
    assert current_url(page) == f"{review_url}{proposal.pk}/manage/"
    assignment = ReviewAssignment.objects.get(proposal=proposal)
    assert (assignment.reviewer_id, assignment.conflicts) == (expert.pk, [])

    # --- The expert sets his password from the invitation and scores the proposal ---------
    expert_client = Client()
    invitation = only(mails_to(mail.outbox, EXPERT), call.title)
    page = open_link(expert_client, link_in(invitation, r"/accounts/password/reset/key/"))
    page = submit(
        expert_client,
        page,
        {"password1": EXPERT_PASSWORD, "password2": EXPERT_PASSWORD},
        field="password1",
    )
    expert.refresh_from_db()
    assert expert.check_password(EXPERT_PASSWORD)
    page = open_link(expert_client, link_in(invitation, rf"{review_url}$"))
    assert "_auth_user_id" not in expert_client.session
    page = sign_in(expert_client, page, expert, password=EXPERT_PASSWORD)
    assert current_url(page) == review_url
    page = click(expert_client, page, rf"^{review_url}{proposal.pk}/$")
    text = html(page)
    assert APPROACH in text
    assert provider_company.name not in text  # the review is anonymous
    assert expert_client.get(f"{review_url}{proposal.pk}/manage/").status_code == 403
    innovation, feasibility = call.criteria.order_by("position")
    page = submit(
        expert_client,
        page,
        {
            f"score_{innovation.pk}": "4",
            f"note_{innovation.pk}": "Neu in der Region.",
            f"score_{feasibility.pk}": "5",
            "comment": "Klar umsetzbar.",
        },
        field=f"score_{innovation.pk}",
    )
    review = ReviewAssignment.objects.get(pk=assignment.pk).review
    assert review.submitted_at is not None and review.comment == "Klar umsetzbar."
    assert dict(review.scores.values_list("criterion__name", "score")) == {
        "Innovationsgrad": 4,
        "Machbarkeit": 5,
    }

    # --- The coordinator reads the ranking, shortlists and sends the decision e-mail -------
    page = staff.get(review_url)
    assert "4,25" in html(page)  # (4 × 3 + 5 × 1) / 4, in German
    page = click(staff, page, rf"^{review_url}{proposal.pk}/manage/$")
    page = submit(
        staff,
        page,
        {"status": "shortlisted", "feedback": FEEDBACK},
        action=rf"/{proposal.pk}/decision/$",
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_feedback) == ("shortlisted", FEEDBACK)
    assert proposal.decision_sent_at is None
    page = click(staff, page, rf"^{review_url}decisions/$")
    assert provider_company.name in html(page)
    page = submit(staff, page, action=rf"^{review_url}decisions/$")
    proposal.refresh_from_db()
    assert proposal.decision_sent_at is not None
    # The decision, as the provider's mail program reads it (Python's email package).
    [decision] = [
        m for m in mails_to(mail.outbox, provider.email) if m["Subject"] != received["Subject"]
    ]
    assert TITLE in decision["Subject"]
    assert decision["To"] == provider.email
    body = text_of(decision)
    assert provider_company.name in body and FEEDBACK in body
    assert call.pitch_event.title in body
    # A second visit offers nothing more to send; nobody is told twice.
    page = staff.get(f"{review_url}decisions/")
    with pytest.raises(AssertionError, match="no form"):
        find_form(page, action=rf"^{review_url}decisions/$")
    assert len(mails_to(mail.outbox, provider.email)) == 2  # received, decision

    # --- Pitch day: slots, a meeting request, its acceptance, the plans --------------------
    pitch_url = f"/challenges/{call.slug}/pitch-day/"
    page = click(staff, staff.get(f"/challenges/{call.slug}/"), rf"^{pitch_url}$")
    page = submit(
        staff,
        page,
        {"slot_minutes": "20", "rounds": "2", "tables": "2"},
        action=r"/pitch-day/slots/$",
    )
    slots = list(MeetingSlot.objects.filter(call=call).order_by("starts_at", "table"))
    assert len(slots) == 4
    event_start = Call.objects.get(pk=call.pk).pitch_event.starts_at
    # The meetings follow the one pitch of the day (10 minutes).
    assert slots[0].starts_at == event_start + timedelta(minutes=10)
    assert slots[-1].ends_at == slots[0].starts_at + timedelta(minutes=40)

    page = open_link(solver, link_in(decision, rf"{pitch_url}$"))
    assert TITLE in html(page) and owner_company.name in html(page)
    page = submit(
        solver,
        page,
        {"proposal": str(proposal.pk), "slot": ""},
        action=r"/pitch-day/meetings/$",
    )
    meeting = Meeting.objects.get(call=call)
    assert (meeting.status, meeting.requested_by_id) == ("requested", provider.pk)
    assert meeting.slot == slots[0]

    page = click(client, client.get(f"/challenges/{call.slug}/"), rf"^{pitch_url}$")
    page = press(client, page, ("answer", "accept"), action=rf"/meetings/{meeting.pk}/answer/$")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.owner_person_id, meeting.provider_person_id) == (
        "accepted",
        owner.pk,
        provider.pk,
    )

    page = staff.get(pitch_url)
    assert f"{owner_company.name} ↔ {provider_company.name}" in html(page)
    before = len(mail.outbox)
    page = submit(staff, page, action=r"/pitch-day/send-plans/$")
    assert len(mail.outbox) == before + 2
    match = Match.objects.get(challenge=challenge)
    assert (match.company_id, match.proposal_id, match.status) == (
        provider_company.pk,
        proposal.pk,
        "talks",
    )

    # Each person's plan carries the meeting's .ics, read by a second implementation.
    slot = meeting.slot
    for person, other in ((owner, provider_company), (provider, owner_company)):
        plan = only(mails_to(mail.outbox, person.email), call.title)
        assert slot.table in text_of(plan) and other.name in text_of(plan)
        calendar, event = calendar_event(plan)
        assert str(calendar["METHOD"]) == "PUBLISH"
        assert event.decoded("dtstart") == slot.starts_at
        assert event.decoded("dtend") == slot.ends_at
        assert str(event["SUMMARY"]) == f"Gespräch mit {other.name}: {TITLE}"
        assert str(event["STATUS"]) == "CONFIRMED"
