"""Answering a survey by the e-mailed link with the keyboard alone (Tab, arrows, Space, typing,
Enter), in Chromium with the page's script: a question that depends on an earlier answer
appears when that answer is given, the error summary takes the focus, and the answers arrive."""

import pytest

from surveys.models import Response
from tests.surveys.support_s2 import invite, make_survey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80

_FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  return {
    tag: element.tagName.toLowerCase(), name: element.name || '', value: element.value || '',
    id: element.id || '',
    visible: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== 'none',
  };
}"""


def _tab_to(page, name: str, *, tag: str = "") -> dict:
    """Press Tab until a field ``name`` (or an element ``tag``) has the focus; each stop must
    show that it has it."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        assert focused is not None, "Tab left the focus nowhere"
        assert focused["visible"], f"no visible focus on {focused}"
        if (name and focused["name"] == name) or (tag and focused["tag"] == tag and not name):
            return focused
    raise AssertionError(f"{name or tag} not reached by Tab")


def _tab_to_send(page) -> None:
    for _ in range(MAX_TABS):
        _tab_to(page, "", tag="button")
        if page.evaluate("() => document.activeElement.innerText") == "Antworten senden":
            return
    raise AssertionError("the send button not reached by Tab")


def _shown(page, code: str) -> bool:
    return page.locator(f'.survey-question[data-code="{code}"]').is_visible()


def test_a_respondent_answers_by_keyboard_with_a_conditional_question(page, live_server):
    page.set_default_timeout(10_000)
    survey = make_survey()
    invitation = invite(survey, language="de")
    page.goto(f"{live_server.url}/s/{invitation.token}/")
    # With the script the dependent question and section are hidden until their answer.
    assert not _shown(page, "which") and not _shown(page, "anchor_note")

    # Sent at once: the error summary takes the focus and links to the questions.
    _tab_to_send(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    assert "Bitte korrigieren Sie 2 Antworten" in page.locator("#error-summary").inner_text()

    _tab_to(page, "role")
    page.keyboard.press("ArrowDown")  # the second option: Anker
    assert _shown(page, "anchor_note")
    _tab_to(page, "satisfaction")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # 4
    _tab_to(page, "other_lang")
    page.keyboard.press("Space")  # Ja
    assert _shown(page, "which")
    _tab_to(page, "which")
    page.keyboard.type("Polnisch")
    _tab_to(page, "anchor_note")
    page.keyboard.type("Wir laden ein.")
    _tab_to_send(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Vielen Dank für Ihre Antworten" in page.content()

    response = Response.objects.get(survey=survey)
    answers = {
        a.question.code: a.option or a.text or a.number
        for a in response.answers.select_related("question")
    }
    assert answers == {
        "role": "anchor",
        "satisfaction": 4,
        "other_lang": "yes",
        "which": "Polnisch",
        "anchor_note": "Wir laden ein.",
    }


def test_every_question_type_passes_axe_and_reflows_at_320_px(page, live_server):
    """The world's survey in the matrix scan has one question; this one has every type, a
    hidden and a shown condition, and the error state."""
    from tests.e2e.test_accessibility import _axe, _reflow

    survey = make_survey()
    invitation = invite(survey, language="en")
    problems = []
    page.goto(f"{live_server.url}/s/{invitation.token}/")
    problems += _axe(page, "anonymous", "every question type")
    problems += _reflow(page, "every question type")
    page.goto(f"{live_server.url}/s/{invitation.token}/?lang=de")
    _tab_to_send(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator('input[name="role"][value="anchor"]').check()
    page.locator('input[name="other_lang"][value="yes"]').check()
    assert _shown(page, "which") and _shown(page, "anchor_note")
    problems += _axe(page, "anonymous", "errors, conditional questions shown")
    problems += _reflow(page, "errors")
    assert problems == []
