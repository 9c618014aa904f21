"""Issue 18's browser test, end to end in Chromium: a coordinator builds a feedback
questionnaire with a conditional question; a workshop ends and its attendees get the feedback
e-mail (taken from the outbox, parsed as a mail program would); one attendee follows the link
and answers with the keyboard alone; the coordinator's results show the answer; and a segment
of 4 responses is hidden while one of 5 is shown. axe runs on every page on the way.

Set up without a browser: the built questionnaire is marked as the ready-made feedback
questionnaire (the builder does not make templates; the shipped one is flushed between browser
tests), and the other attendees answer through the ``submit_response`` contract."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from regiolab.permissions import COORDINATORS_GROUP
from surveys.distribution import services as distribution
from surveys.models import Question, Response, Survey, SurveyInvitation, WorkshopFeedback
from surveys.services import submit_response
from tests.e2e.test_accessibility import AXE_SCRIPT, EMAIL_AXE_OPTIONS, _axe
from tests.e2e.test_survey_answering_keyboard import _shown, _tab_to_send
from tests.e2e.test_survey_answering_keyboard import _tab_to as _tab_to_field
from tests.e2e.test_survey_builder import _activate, _sign_in, label
from tests.factories import CompanyFactory, RegistrationFactory, UserFactory, WorkshopFactory
from tests.support.mfa import enable_totp
from tests.surveys.support_s3 import delivered, html_of, text_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUESTION = "Würden Sie den Workshop weiterempfehlen?"
FOLLOW_UP = "Was hat Ihnen gefehlt?"
ANSWER = "Mehr Zeit an den Robotern"
SMALL, LARGE = "Kleinstadt", "Großstadt"


def _coordinator_context(browser, live_url):
    context = browser.new_context(base_url=live_url, locale="en-GB")
    context.set_default_timeout(15_000)
    context.add_init_script(script=AXE_SCRIPT)
    return context


def _build_questionnaire(page, live_url, coordinator, problems) -> Survey:
    """In the browser, without the mouse: a feedback survey, a section, a single choice and a
    short text shown only when the first answer is "nein"."""
    page.goto(f"{live_url}/surveys/new/")
    _sign_in(page, coordinator)
    expect(page.get_by_role("heading", level=1)).to_have_text("New survey")
    problems += _axe(page, "coordinator", "flow: new survey")
    page.get_by_label(label("Title")).first.fill("Workshop-Feedback 2027")
    page.get_by_label(label("Purpose")).select_option("feedback")
    _activate(page, page.get_by_role("button", name="Save"))
    survey = Survey.objects.get(title="Workshop-Feedback 2027")
    expect(page).to_have_url(f"{live_url}/surveys/{survey.pk}/")

    _activate(page, page.get_by_role("link", name="Add a section"))
    page.get_by_label(label("Title")).first.fill("Ihr Eindruck")
    _activate(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_role("heading", level=2, name="1. Ihr Eindruck")).to_be_visible()

    add_question = re.compile(r"^Add a question ?: Ihr Eindruck$")
    _activate(page, page.get_by_role("link", name=add_question))
    problems += _axe(page, "coordinator", "flow: new question")
    page.get_by_label(label("Code")).fill("empfehlen")
    page.get_by_label(label("Type")).select_option("single")
    page.get_by_label(label("Question")).fill(QUESTION)
    page.get_by_label(re.compile(r"^Options")).fill("ja | Ja | Yes\nnein | Nein | No")
    page.get_by_label(label("An answer is required")).check()
    _activate(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_text(QUESTION)).to_be_visible()

    _activate(page, page.get_by_role("link", name=add_question))
    page.get_by_label(label("Code")).fill("fehlte")
    page.get_by_label(label("Type")).select_option("short_text")
    page.get_by_label(label("Question")).fill(FOLLOW_UP)
    page.get_by_label(label("Show only if the answer to")).select_option(
        label=f"empfehlen: {QUESTION}"
    )
    page.get_by_label(label("is or includes the value")).fill("nein")
    _activate(page, page.get_by_role("button", name="Save"))
    expect(
        page.get_by_text("Shown only if the answer to empfehlen is or includes “nein”.")
    ).to_be_visible()
    problems += _axe(page, "coordinator", "flow: the built questionnaire")
    follow_up = Question.objects.get(version__survey=survey, code="fehlte")
    assert follow_up.show_if_question.code == "empfehlen" and follow_up.show_if_value == "nein"

    _activate(page, page.get_by_role("link", name="Preview"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview: Workshop-Feedback 2027")
    expect(page.get_by_text(FOLLOW_UP).first).to_be_attached()
    problems += _axe(page, "coordinator", "flow: preview")
    return survey


def _row(page, answer: str):
    """The cells of one answer's row in the data table beside the chart of "empfehlen"."""
    table = page.locator("table:has(#table-empfehlen-caption)")
    return (
        table.locator("tbody tr")
        .filter(has=page.get_by_role("rowheader", name=answer))
        .locator("th, td")
    )


def _done_workshop_with_attendees():
    """A workshop that ended two hours ago: 4 attendees from companies in the small
    municipality, 5 (the first is the keyboard user) from the large one."""
    end = timezone.now() - timedelta(hours=2)
    workshop = WorkshopFactory(
        title="Cobots in der Fertigung",
        status="done",
        starts_at=end - timedelta(hours=4),
        ends_at=end,
    )
    small = CompanyFactory(municipality=SMALL)
    large = CompanyFactory(municipality=LARGE)
    keyboard_user = RegistrationFactory(
        workshop=workshop, status="attended", company=large, email="tastatur@example.org"
    )
    others = [
        RegistrationFactory(workshop=workshop, status="attended", company=company)
        for company in [small] * 4 + [large] * 4
    ]
    return workshop, keyboard_user, others


def test_build_invite_answer_by_keyboard_and_read_the_results(browser, live_url):
    problems: list[str] = []
    coordinator = UserFactory(email="koordination@regiolab.example")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(coordinator)
    coordinator_context = _coordinator_context(browser, live_url)
    page = coordinator_context.new_page()

    # 1. The coordinator builds the questionnaire with a conditional question.
    built = _build_questionnaire(page, live_url, coordinator, problems)
    # The feedback round copies the first ready-made feedback questionnaire: make it this one
    # (the shipped one is there only while no browser test has flushed the database yet).
    Survey.objects.filter(is_template=True, purpose=Survey.Purpose.FEEDBACK).update(
        is_template=False
    )
    Survey.objects.filter(pk=built.pk).update(is_template=True)

    # 2. The workshop is done: the periodic job invites each attendee once, via the outbox.
    workshop, keyboard_user, others = _done_workshop_with_attendees()
    assert distribution.start_due_feedback() == 9
    distribution.send_pending_invitations()
    assert distribution.start_due_feedback() == 0  # the next run sends nothing again
    messages = delivered()
    assert sorted(m["To"] for m in messages) == sorted(r.email for r in [keyboard_user, *others])
    feedback = WorkshopFeedback.objects.get(workshop=workshop).survey
    assert feedback.current_version.questions.get(code="fehlte").show_if_value == "nein"
    message = next(m for m in messages if m["To"] == keyboard_user.email)
    assert workshop.title in message["Subject"]
    link = re.search(r"https?://\S+/s/[^/\s]+/", text_of(message)).group(0)
    assert link.startswith(live_url)
    assert link in html_of(message)

    attendee_context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    attendee_context.set_default_timeout(15_000)
    attendee_context.add_init_script(script=AXE_SCRIPT)
    attendee = attendee_context.new_page()
    attendee.set_content(html_of(message))
    problems += _axe(attendee, "anonymous", "flow: feedback e-mail", EMAIL_AXE_OPTIONS)

    # 3. The attendee follows the link and answers with the keyboard alone.
    attendee.goto(link)
    expect(attendee.locator("legend", has_text=QUESTION)).to_be_visible()
    assert not _shown(attendee, "fehlte")  # hidden until "nein" is chosen
    problems += _axe(attendee, "anonymous", "flow: feedback form")
    _tab_to_field(attendee, "empfehlen")
    attendee.keyboard.press("ArrowDown")  # the second option: Nein
    assert _shown(attendee, "fehlte")
    _tab_to_field(attendee, "fehlte")
    attendee.keyboard.type(ANSWER)
    _tab_to_send(attendee)
    with attendee.expect_navigation():
        attendee.keyboard.press("Enter")
    expect(attendee.get_by_text("Vielen Dank für Ihre Antworten")).to_be_visible()
    problems += _axe(attendee, "anonymous", "flow: thank you")
    invitation = SurveyInvitation.objects.get(survey=feedback, email=keyboard_user.email)
    assert invitation.answered_at is not None
    response = Response.objects.get(survey=feedback, municipality=LARGE)
    assert {a.question.code: a.option or a.text for a in response.answers.all()} == {
        "empfehlen": "nein",
        "fehlte": ANSWER,
    }
    assert response.invitation_id is None  # anonymous: no link back to the token

    # The other eight answer "ja" through the contract (4 small, 4 more large).
    for registration in others:
        token = SurveyInvitation.objects.get(survey=feedback, email=registration.email).token
        submit_response(survey=feedback, answers={"empfehlen": "ja"}, token=token)
    assert Response.objects.filter(survey=feedback, municipality=SMALL).count() == 4
    assert Response.objects.filter(survey=feedback, municipality=LARGE).count() == 5

    # 4. The coordinator's results show the answer.
    results = f"{live_url}/surveys/{feedback.pk}/results/"
    page.goto(results)
    main = page.get_by_role("main")
    expect(main).to_contain_text("9 responses.")
    expect(main).to_contain_text(ANSWER)
    expect(_row(page, "Yes")).to_have_text(["Yes", "8", "88.9 %"])
    expect(_row(page, "No")).to_have_text(["No", "1", "11.1 %"])
    expect(page.locator("svg.results-chart:has(#chart-empfehlen-title)")).to_be_visible()
    problems += _axe(page, "coordinator", "flow: results")

    # 5. A segment of 4 is hidden: no figures, no open answers, a clear message.
    page.goto(f"{results}?municipality={SMALL}")
    expect(main).to_contain_text("Results are shown only for at least 5 responses")
    assert page.locator(".results-question").count() == 0
    assert page.locator("#survey-results table, #survey-results svg").count() == 0
    expect(main).not_to_contain_text(ANSWER)
    problems += _axe(page, "coordinator", "flow: results, segment of 4")

    # ... one of 5 is shown, with the keyboard user's answer.
    page.goto(f"{results}?municipality={LARGE}")
    expect(main).to_contain_text("5 responses in this segment.")
    expect(main).not_to_contain_text("Results are shown only for at least")
    expect(_row(page, "Yes")).to_have_text(["Yes", "4", "80.0 %"])
    expect(_row(page, "No")).to_have_text(["No", "1", "20.0 %"])
    expect(main).to_contain_text(ANSWER)
    problems += _axe(page, "coordinator", "flow: results, segment of 5")

    coordinator_context.close()
    attendee_context.close()
    assert problems == []
