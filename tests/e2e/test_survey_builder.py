"""A coordinator builds a questionnaire with a conditional question in the browser, without a
mouse and with JavaScript switched off: a section, a multiple-choice question, a short text
shown only when the first answer includes "other"; a condition on a value the question cannot
have is refused at its field; the preview shows both questions.

The browser runs in English so the labels are the source strings."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from regiolab.permissions import COORDINATORS_GROUP
from surveys.models import Question, Survey
from tests.factories import UserFactory
from tests.support.mfa import code_for, enable_totp

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="en-GB", java_script_enabled=False),
]

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(10_000)


def label(text):
    return re.compile(rf"^{re.escape(text)}:?$")


def _sign_in(page, user):
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label(re.compile(r"^E-?mail", re.IGNORECASE)).fill(user.email)
    password = page.get_by_label(re.compile(r"^Password", re.IGNORECASE))
    password.fill(PASSWORD)
    password.press("Enter")
    code = page.get_by_label(re.compile(r"^Code", re.IGNORECASE))
    code.fill(code_for(user))
    code.press("Enter")


def _tab_to(page, target, *, limit=120):
    """Press Tab until the target has the focus, as a keyboard user would."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached with {limit} Tab presses")


def _activate(page, target):
    _tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_coordinator_builds_a_questionnaire_with_a_conditional_question(page, live_url):
    coordinator = UserFactory(email="koordination@regiolab.example")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(coordinator)

    page.goto(f"{live_url}/surveys/new/")
    _sign_in(page, coordinator)
    expect(page.get_by_role("heading", level=1)).to_have_text("New survey")
    page.get_by_label(label("Title")).first.fill("Sprachen im Betrieb")
    page.get_by_label(label("Purpose")).select_option("panel")
    _activate(page, page.get_by_role("button", name="Save"))
    survey = Survey.objects.get(title="Sprachen im Betrieb")
    expect(page).to_have_url(f"{live_url}/surveys/{survey.pk}/")

    _activate(page, page.get_by_role("link", name="Add a section"))
    page.get_by_label(label("Title")).first.fill("Sprachen")
    _activate(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_role("heading", level=2, name="1. Sprachen")).to_be_visible()

    _activate(page, page.get_by_role("link", name=re.compile(r"^Add a question ?: Sprachen$")))
    page.get_by_label(label("Code")).fill("sprachen")
    page.get_by_label(label("Type")).select_option("multiple")
    page.get_by_label(label("Question")).fill("In welchen Sprachen lernen Ihre Leute?")
    page.get_by_label(re.compile(r"^Options")).fill("de | Deutsch | German\nother | andere | other")
    _activate(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_text("In welchen Sprachen lernen Ihre Leute?")).to_be_visible()

    _activate(page, page.get_by_role("link", name=re.compile(r"^Add a question ?: Sprachen$")))
    page.get_by_label(label("Code")).fill("welche")
    page.get_by_label(label("Type")).select_option("short_text")
    page.get_by_label(label("Question")).fill("Welche andere Sprache?")
    page.get_by_label(label("Show only if the answer to")).select_option(
        label="sprachen: In welchen Sprachen lernen Ihre Leute?"
    )
    value = page.get_by_label(label("is or includes the value"))
    value.fill("klingonisch")  # not an option of the question
    _activate(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_text(re.compile("“klingonisch” is not a possible answer"))).to_be_visible()
    assert not Question.objects.filter(code="welche").exists()
    page.get_by_label(label("is or includes the value")).fill("other")
    _activate(page, page.get_by_role("button", name="Save"))

    expect(
        page.get_by_text("Shown only if the answer to sprachen is or includes “other”.")
    ).to_be_visible()
    shown = Question.objects.get(code="welche")
    assert shown.show_if_question.code == "sprachen" and shown.show_if_value == "other"

    _activate(page, page.get_by_role("link", name="Preview"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview: Sprachen im Betrieb")
    expect(page.get_by_text("In welchen Sprachen lernen Ihre Leute?").first).to_be_visible()
    expect(page.get_by_text("Welche andere Sprache?").first).to_be_visible()


@pytest.mark.browser_context_args(locale="en-GB", java_script_enabled=True)
def test_the_question_form_shows_the_fields_of_the_chosen_type(page, live_url):
    coordinator = UserFactory(email="koordination@regiolab.example")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(coordinator)
    survey = Survey.objects.create(title="Typen", purpose="other")
    page.goto(f"{live_url}/surveys/{survey.pk}/questions/new/")
    _sign_in(page, coordinator)
    options = page.get_by_label(re.compile(r"^Options"))
    scale = page.get_by_label(re.compile(r"^Scale points"))
    expect(options).to_be_visible()  # single choice is the first type
    expect(scale).to_be_hidden()
    page.get_by_label(label("Type")).select_option("scale")
    expect(options).to_be_hidden()
    expect(scale).to_be_visible()
    expect(page.get_by_label(label("Label of the lowest point"))).to_be_visible()
    page.get_by_label(label("Type")).select_option("number")
    expect(page.get_by_label(label("Smallest number"))).to_be_visible()
    expect(scale).to_be_hidden()
