"""The answer pages: /s/<token>/ (no login) and /surveys/<pk>/answer/ (a company's space)."""

import re

import pytest
from django.utils import timezone

from surveys.models import Answer, Response
from tests.factories import CompanyMemberFactory

from .support_s2 import closed_yesterday, invite, make_survey

pytestmark = pytest.mark.django_db

GOOD = {"role": "member", "satisfaction": "4"}


def url(invitation, suffix="") -> str:
    return f"/s/{invitation.token}/{suffix}"


def text_of(response) -> str:
    return response.content.decode()


def test_the_form_is_in_the_invitation_language_with_a_switch(client):
    survey = make_survey()
    english = invite(survey, language="en")
    page = text_of(client.get(url(english)))
    assert '<html lang="en">' in page
    assert "<h1>Network survey</h1>" in page
    assert "Question role (required)" in page
    assert "1 – schlecht" in page  # end labels without English fall back to German
    assert "Send answers" in page
    german = text_of(client.get(url(english) + "?lang=de"))
    assert '<html lang="de">' in german
    assert "Frage role (Pflichtangabe)" in german
    assert "Antworten senden" in german
    page = text_of(client.get(url(invite(survey))))
    assert "<h1>Netzwerkbefragung</h1>" in page and "Robotik" in page


def test_sections_help_and_conditions_are_shown_without_javascript(client):
    survey = make_survey()
    page = text_of(client.get(url(invite(survey))))
    assert '<h2 id="survey-section-1">Rolle</h2>' in page
    # The coordinator's help text is escaped, tied to its field group.
    assert "Ihre &lt;b&gt;Rolle&lt;/b&gt;" in page
    assert 'aria-describedby="id_role_helptext"' in page
    # A conditional question is in the page with its condition as a sentence and as data.
    assert "Nur wenn Sie bei „Frage other_lang“ „Ja“ geantwortet haben." in page
    assert 'data-show-if="other_lang" data-show-value="yes"' in page
    assert 'data-show-if="role" data-show-value="anchor"' in page  # the anchor section
    assert "js/survey-conditions.js" in page
    # Every matrix row is a labelled radio group inside the question's fieldset.
    assert page.count('name="factors__a"') == 5 and page.count('name="factors__b"') == 5


def test_answering_stores_the_response_and_thanks(client):
    survey = make_survey()
    invitation = invite(survey)
    response = client.post(
        url(invitation),
        {**GOOD, "reach": ["mail", "events"], "factors__a": "3", "comment": "Gut."},
    )
    assert response.status_code == 302
    assert response["Location"] == url(invitation, "thanks/") + "?lang=de"
    stored = Response.objects.get(survey=survey)
    assert sorted(stored.answers.values_list("question__code", "option")) == [
        ("comment", ""),
        ("factors", ""),
        ("reach", "events"),
        ("reach", "mail"),
        ("role", "member"),
        ("satisfaction", ""),
    ]
    thanks = client.get(response["Location"])
    assert "Vielen Dank für Ihre Antworten" in text_of(thanks)
    # The link is used now: a clear page without a form.
    again = client.get(url(invitation))
    assert again.status_code == 410
    assert "bereits beantwortet" in text_of(again) and '<form method="post" class="survey' not in (
        text_of(again)
    )
    assert client.post(url(invitation), GOOD).status_code == 410
    assert Response.objects.count() == 1


def test_errors_are_shown_per_question_with_a_summary_and_nothing_is_saved(client):
    survey = make_survey()
    invitation = invite(survey)
    page = client.post(
        url(invitation),
        {"role": "boss", "staff": "500", "other_lang": "yes", "comment": "x" * 10_000},
    )
    assert page.status_code == 200
    html = text_of(page)
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert "Bitte korrigieren Sie" in summary
    # Each entry links to its question's first input.
    for anchor in ("id_role_0", "id_satisfaction_0", "id_staff", "id_which", "id_comment"):
        assert f'href="#{anchor}"' in summary, anchor
        assert f'id="{anchor}"' in html
    assert "Bitte beantworten Sie diese Frage." in html  # satisfaction and which
    assert 'aria-describedby="id_staff_error"' in html
    assert Response.objects.count() == 0 and Answer.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.answered_at is None
    # The typed answers stay in the form.
    assert 'value="yes"' in html and "checked" in html


def test_a_hidden_question_may_stay_empty_without_javascript(client):
    survey = make_survey()
    invitation = invite(survey)
    response = client.post(url(invitation), {**GOOD, "other_lang": "no", "which": "Polnisch"})
    assert response.status_code == 302
    assert not Answer.objects.filter(question__code="which").exists()


def test_a_closed_survey_or_unknown_link_gets_a_clear_page(client):
    survey = make_survey()
    invitation = invite(survey)
    closed_yesterday(survey)
    page = client.get(url(invitation))
    assert page.status_code == 410
    assert "Diese Befragung ist geschlossen." in text_of(page)
    assert 'name="role"' not in text_of(page)
    assert client.get("/s/nicht-vorhanden/").status_code == 404
    assert client.get("/s/" + "x" * 3000 + "/").status_code == 404


def test_the_link_page_is_never_cached(client):
    page = client.get(url(invite(make_survey())))
    assert "no-store" in page["Cache-Control"]


# --- the company's space ------------------------------------------------------------------------


@pytest.fixture
def member(client):
    member = CompanyMemberFactory(company__name="Alpha GmbH")
    client.force_login(member.user)
    return member


def test_a_company_answers_its_round_and_edits_it(client, member):
    survey = make_survey(purpose="training_needs")
    page = client.get(f"/surveys/{survey.pk}/answer/")
    assert "Sie antworten für Alpha GmbH." in text_of(page)
    response = client.post(f"/surveys/{survey.pk}/answer/", {**GOOD, "reach": ["mail"]})
    assert response.status_code == 302
    stored = Response.objects.get(survey=survey)
    assert stored.company == member.company
    page = text_of(client.get(f"/surveys/{survey.pk}/answer/"))
    assert "Ihre Antworten wurden gespeichert." in page
    assert re.search(r'value="mail"[^>]*checked', page)  # the saved answer is filled in
    # A colleague changes the same response.
    colleague = CompanyMemberFactory(company=member.company, role="member")
    client.force_login(colleague.user)
    client.post(
        f"/surveys/{survey.pk}/answer/",
        {"role": "anchor", "satisfaction": "2", "anchor_note": "Ja"},
    )
    assert Response.objects.filter(survey=survey).count() == 1
    assert stored.answers.get(question__code="role").option == "anchor"
    assert not stored.answers.filter(question__code="reach").exists()


def test_another_company_sees_nothing_of_the_first_ones_answer(client, member):
    survey = make_survey(purpose="training_needs")
    client.post(f"/surveys/{survey.pk}/answer/", {**GOOD, "comment": "Geheimer Bedarf"})
    other = CompanyMemberFactory(company__name="Beta KG")
    client.force_login(other.user)
    page = text_of(client.get(f"/surveys/{survey.pk}/answer/"))
    assert "Beta KG" in page and "Geheimer Bedarf" not in page and "Alpha GmbH" not in page


def test_a_closed_round_shows_no_form(client, member):
    survey = make_survey(purpose="training_needs")
    closed_yesterday(survey)
    page = client.get(f"/surveys/{survey.pk}/answer/")
    assert page.status_code == 200
    assert "Diese Befragung ist geschlossen." in text_of(page)
    assert 'name="role"' not in text_of(page)
    assert client.post(f"/surveys/{survey.pk}/answer/", GOOD).status_code == 200
    assert Response.objects.count() == 0


def test_only_training_needs_rounds_are_answered_in_the_company_space(client, member):
    panel = make_survey(purpose="panel")
    assert client.get(f"/surveys/{panel.pk}/answer/").status_code == 404
    draft = make_survey(purpose="training_needs", status="draft")
    assert client.get(f"/surveys/{draft.pk}/answer/").status_code == 404
    later = make_survey(
        purpose="training_needs", opens_at=timezone.now() + timezone.timedelta(days=3)
    )
    assert "noch nicht begonnen" in text_of(client.get(f"/surveys/{later.pk}/answer/"))


def test_the_home_of_a_representative_lists_the_open_rounds(client, member):
    survey = make_survey(purpose="training_needs")
    make_survey(purpose="training_needs", status="closed")
    make_survey(purpose="panel")
    page = text_of(client.get("/"))
    assert "Befragungen zum Weiterbildungsbedarf" in page
    assert f'href="/surveys/{survey.pk}/answer/"' in page
    assert page.count("/answer/") == 1
    assert "noch nicht beantwortet" in page
    client.post(f"/surveys/{survey.pk}/answer/", GOOD)
    assert "beantwortet; Sie können die Antworten noch ändern" in text_of(client.get("/"))


def test_the_home_of_a_person_without_company_has_no_rounds(client):
    from tests.factories import UserFactory

    make_survey(purpose="training_needs")
    client.force_login(UserFactory())
    assert "Weiterbildungsbedarf" not in text_of(client.get("/"))


def test_the_site_language_switch_also_switches_the_questionnaire(client):
    invitation = invite(make_survey(), language="en")
    client.post("/i18n/setlang/", {"language": "de", "next": url(invitation)})
    page = text_of(client.get(url(invitation)))
    assert "<h1>Netzwerkbefragung</h1>" in page
    assert "<h1>Network survey</h1>" in text_of(client.get(url(invitation) + "?lang=en"))


def test_the_shared_form_renders_as_a_preview_without_sending():
    """The builder's preview includes the same template with preview=True."""
    from django.template.loader import render_to_string

    from surveys.answering.forms import build_form

    survey = make_survey()
    html = render_to_string(
        "surveys/answering/_form.html",
        {"form": build_form(survey.current_version, language="en"), "preview": True},
    )
    assert "Question role (required)" in html and 'name="factors__b"' in html
    assert 'method="post"' not in html and "csrfmiddlewaretoken" not in html
    assert "<button" not in html
