"""The coordinators' questionnaire pages as a coordinator uses them: the list, creating a copy,
building with a conditional question, bad input, versions, closing with confirmation, preview."""

import pytest

from surveys import questionnaires as q
from surveys.builder import services
from surveys.models import Answer, Question, Response, Section, Survey
from tests.surveys.support_s1 import answer, choice_question, make_survey, ready_made  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ready_made")]


@pytest.fixture
def client(coordinator_client, english):
    return coordinator_client


def _counts():
    return (Survey.objects.count(), Section.objects.count(), Question.objects.count())


def test_the_list_shows_surveys_with_their_response_counts_and_the_ready_made_ones(
    client, coordinator
):
    survey = make_survey(coordinator, title="Panel Nord", purpose="panel")
    section = services.add_section(survey=survey, title="Teil")
    question = choice_question(survey, section)
    for _ in range(3):
        answer(survey, question)
    make_survey(coordinator, title="Leere Umfrage")
    page = client.get("/surveys/").content.decode()
    row = page[page.index("Panel Nord") :].split("</tr>")[0]
    assert "panel survey" in row and "draft" in row and "<td>3</td>" in row
    assert "<td>0</td>" in page[page.index("Leere Umfrage") :].split("</tr>")[0]
    for template in Survey.objects.filter(is_template=True):
        assert f"/surveys/new/?copy={template.pk}" in page


def test_a_coordinator_creates_a_survey_as_a_copy_of_the_feedback_questionnaire(client):
    template = Survey.objects.get(is_template=True, purpose="feedback")
    form = client.get(f"/surveys/new/?copy={template.pk}").content.decode()
    assert f'<option value="{template.pk}" selected>' in form
    response = client.post(
        "/surveys/new/",
        {
            "title": "Feedback Robotik",
            "title_en": "Feedback robotics",
            "purpose": "feedback",
            "anonymity": "anonymous",
            "copy_of": template.pk,
        },
    )
    survey = Survey.objects.get(title="Feedback Robotik")
    assert response.url == f"/surveys/{survey.pk}/"
    codes = set(survey.current_version.questions.values_list("code", flat=True))
    assert {q.FEEDBACK_SATISFACTION, q.FEEDBACK_RECOMMEND} <= codes
    page = client.get(response.url).content.decode()
    assert "Wie zufrieden sind Sie insgesamt mit der Veranstaltung?" in page
    assert f"/surveys/{survey.pk}/questions/" in page  # editable


def test_a_ready_made_questionnaire_shows_without_edit_steps(client):
    template = Survey.objects.get(is_template=True, purpose="panel")
    page = client.get(f"/surveys/{template.pk}/").content.decode()
    assert "Welcher Art ist Ihr Netzwerk?" in page
    assert f"/surveys/{template.pk}/questions/" not in page
    assert f"/surveys/new/?copy={template.pk}" in page


def test_building_a_questionnaire_with_a_conditional_question(client, coordinator):
    survey = make_survey(coordinator)
    client.post(f"/surveys/{survey.pk}/sections/new/", {"title": "Sprachen", "title_en": ""})
    section = survey.current_version.sections.get()
    response = client.post(
        f"/surveys/{survey.pk}/questions/new/",
        {
            "section": section.pk,
            "code": "sprachen",
            "type": "multiple",
            "text": "In welchen Sprachen?",
            "text_en": "Which languages?",
            "options": "de | Deutsch | German\nother | andere | other",
            "max_length": "500",
        },
    )
    assert response.status_code == 302
    source = Question.objects.get(code="sprachen")
    assert source.options[1] == {"value": "other", "label": "andere", "label_en": "other"}
    response = client.post(
        f"/surveys/{survey.pk}/questions/new/",
        {
            "section": section.pk,
            "code": "welche",
            "type": "short_text",
            "text": "Welche andere Sprache?",
            "max_length": "200",
            "show_if_question": source.pk,
            "show_if_value": "other",
        },
    )
    assert response.status_code == 302
    shown = Question.objects.get(code="welche")
    assert (shown.show_if_question, shown.show_if_value, shown.max_length) == (source, "other", 200)
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "Shown only if the answer to sprachen is or includes “other”." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"options": "a | A\nkaputt wert | B"}, "the value must be"),
        ({"options": "a | A | B | C"}, "more than three parts"),
        ({"text": "x" * 10000}, "at most 1000 characters"),
        ({"code": "mit leerzeichen"}, "slug"),
        ({"type": "kein-typ"}, "Select a valid choice"),
        ({"options": "a | A"}, "at least two options"),
        ({"type": "scale", "scale_max": "9"}, "Select a valid choice"),
        ({"type": "long_text", "max_length": "10000"}, "less than or equal to 2000"),
        ({"show_if_value": "a"}, "Choose the question the condition refers to"),
    ],
)
def test_bad_question_input_gets_a_clear_message_and_saves_nothing(
    client, coordinator, data, message
):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    before = _counts()
    form = {
        "section": section.pk,
        "code": "frage",
        "type": "single",
        "text": "Frage?",
        "options": "a | A\nb | B",
        "max_length": "500",
        **data,
    }
    response = client.post(f"/surveys/{survey.pk}/questions/new/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _counts() == before


def test_a_condition_on_a_later_question_is_refused_at_its_field(client, coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    first = choice_question(survey, section, code="erste")
    later = choice_question(survey, section, code="spaeter", values=("x", "y"))
    response = client.post(
        f"/surveys/{survey.pk}/questions/{first.pk}/edit/",
        {
            "section": section.pk,
            "code": "erste",
            "type": "single",
            "text": "Frage erste",
            "options": "a | A\nb | B",
            "max_length": "500",
            "show_if_question": later.pk,
            "show_if_value": "x",
        },
    )
    assert "A condition can only refer to an earlier question." in response.content.decode()
    first.refresh_from_db()
    assert first.show_if_question is None


def test_an_oversized_survey_title_is_refused(client):
    before = _counts()
    response = client.post(
        "/surveys/new/", {"title": "T" * 5000, "purpose": "panel", "anonymity": "anonymous"}
    )
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert _counts() == before


def test_editing_an_answered_question_in_a_breaking_way_makes_a_new_version(client, coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    question = choice_question(survey, section, code="rolle", values=("a", "b"))
    old_response = answer(survey, question, "b")
    response = client.post(
        f"/surveys/{survey.pk}/questions/{question.pk}/edit/",
        {
            "section": section.pk,
            "code": "rolle",
            "type": "single",
            "text": "Frage rolle",
            "options": "a | A\nc | C",
            "max_length": "500",
        },
        follow=True,
    )
    survey.refresh_from_db()
    assert survey.current_version.number == 2
    assert "this change made version 2" in response.content.decode()
    assert Response.objects.get(pk=old_response.pk).version.number == 1
    assert Answer.objects.get(response=old_response).question == question
    # A harmless edit (only the wording) stays in version 2, even with answers to it.
    current = survey.current_version.questions.get(code="rolle")
    answer(survey, current, "c")
    client.post(
        f"/surveys/{survey.pk}/questions/{current.pk}/edit/",
        {
            "section": survey.current_version.sections.get().pk,
            "code": "rolle",
            "type": "single",
            "text": "Neue Worte",
            "options": "a | A\nc | C",
            "max_length": "500",
        },
    )
    survey.refresh_from_db()
    assert survey.current_version.number == 2
    assert survey.current_version.questions.get(code="rolle").text == "Neue Worte"


def test_an_old_versions_question_is_not_found_in_the_builder(client, coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    question = choice_question(survey, section)
    answer(survey, question)
    services.delete_question(survey=survey, question=question)
    assert client.get(f"/surveys/{survey.pk}/questions/{question.pk}/edit/").status_code == 404


def test_deleting_asks_for_confirmation_first(client, coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    question = choice_question(survey, section)
    page = client.get(f"/surveys/{survey.pk}/questions/{question.pk}/delete/").content.decode()
    assert "Delete the question rolle?" in page and 'name="confirmed"' in page
    assert Question.objects.filter(pk=question.pk).exists()
    client.post(f"/surveys/{survey.pk}/questions/{question.pk}/delete/", {"confirmed": "1"})
    assert not Question.objects.filter(pk=question.pk).exists()
    page = client.get(f"/surveys/{survey.pk}/sections/{section.pk}/delete/").content.decode()
    assert "The section and its 0 questions are removed." in page
    client.post(f"/surveys/{survey.pk}/sections/{section.pk}/delete/", {"confirmed": "1"})
    assert not Section.objects.filter(pk=section.pk).exists()


def test_opening_and_closing_with_confirmation(client, coordinator):
    survey = make_survey(coordinator)
    response = client.post(f"/surveys/{survey.pk}/open/", follow=True)
    assert "Add at least one question before opening the survey." in response.content.decode()
    section = services.add_section(survey=survey, title="Teil")
    choice_question(survey, section)
    client.post(f"/surveys/{survey.pk}/open/")
    survey.refresh_from_db()
    assert survey.status == "open"
    page = client.get(f"/surveys/{survey.pk}/close/").content.decode()
    assert "Close the survey" in page and 'name="confirmed"' in page
    survey.refresh_from_db()
    assert survey.status == "open"
    client.post(f"/surveys/{survey.pk}/close/", {"confirmed": "1"})
    survey.refresh_from_db()
    assert survey.status == "closed"


def test_moving_questions_with_the_buttons(client, coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    choice_question(survey, section, code="eins")
    second = choice_question(survey, section, code="zwei")
    response = client.post(f"/surveys/{survey.pk}/questions/{second.pk}/move/", {"direction": "up"})
    # Back at the moved question, so the keyboard user carries on from there.
    assert response.url == f"/surveys/{survey.pk}/#question-{second.pk}"
    assert f'id="question-{second.pk}" tabindex="-1"' in client.get(response.url).content.decode()
    codes = [x.code for x in services.ordered_questions(survey.current_version)]
    assert codes == ["zwei", "eins"]


def test_the_preview_shows_the_questions_as_respondents_see_them(client, coordinator):
    survey = make_survey(coordinator, title="Vorschau")
    section = services.add_section(survey=survey, title="Teil eins", title_en="Part one")
    services.add_question(
        survey=survey,
        section=section,
        code="zufrieden",
        type="scale",
        text="Wie zufrieden?",
        text_en="How satisfied?",
        scale_max=5,
        low_label="gar nicht",
        high_label="sehr",
        required=True,
    )
    german = client.get(f"/surveys/{survey.pk}/preview/").content.decode()
    assert "Wie zufrieden?" in german and "Teil eins" in german
    english = client.get(f"/surveys/{survey.pk}/preview/?lang=en").content.decode()
    assert "How satisfied?" in english and "Part one" in english
    assert Response.objects.count() == 0


def test_the_builder_speaks_german_by_default(coordinator):
    from django.test import Client

    german = Client()
    german.force_login(coordinator)
    survey = make_survey(coordinator, title="Deutsch")
    section = services.add_section(survey=survey, title="Teil")
    choice_question(survey, section)
    page = german.get(f"/surveys/{survey.pk}/").content.decode()
    assert "Abschnitt hinzufügen" in page and "Frage hinzufügen" in page
    assert "Einfachauswahl" in page
    listing = german.get("/surveys/").content.decode()
    assert "Fertige Fragebögen" in listing and "Als neue Befragung verwenden" in listing


def test_a_survey_without_a_version_gets_one_with_its_first_section(client, coordinator):
    """A survey made elsewhere (e.g. by a script) without a version: the pages open and the
    first section makes version 1."""
    survey = Survey.objects.create(title="Ohne Version", purpose="other")
    for url in ("", "questions/new/", "sections/new/", "preview/"):
        assert client.get(f"/surveys/{survey.pk}/{url}").status_code == 200
    client.post(f"/surveys/{survey.pk}/sections/new/", {"title": "Erster Teil"})
    survey.refresh_from_db()
    assert survey.current_version.number == 1
    assert survey.current_version.sections.get().title == "Erster Teil"


def test_settings_with_a_close_before_the_opening_are_refused_at_the_field(client, coordinator):
    survey = make_survey(coordinator, title="Daten")
    response = client.post(
        f"/surveys/{survey.pk}/edit/",
        {
            "title": "Daten",
            "purpose": "other",
            "anonymity": "anonymous",
            "opens_at": "2027-03-01T09:00",
            "closes_at": "2027-02-01T09:00",
        },
    )
    assert "The survey must close after it opens." in response.content.decode()
    survey.refresh_from_db()
    assert survey.opens_at is None and survey.closes_at is None


def test_a_ready_made_questionnaires_settings_are_not_changed(client):
    template = Survey.objects.get(is_template=True, purpose="feedback")
    response = client.post(
        f"/surveys/{template.pk}/edit/",
        {"title": "Überschrieben", "purpose": "feedback", "anonymity": "anonymous"},
    )
    assert "A ready-made questionnaire is not changed." in response.content.decode()
    template.refresh_from_db()
    assert template.title == "Feedback zur Veranstaltung"


def test_hostile_text_is_shown_as_text(client, coordinator):
    survey = make_survey(coordinator, title="<script>alert(1)</script>")
    section = services.add_section(survey=survey, title="<img src=x onerror=alert(1)>")
    services.add_question(
        survey=survey,
        section=section,
        code="frei",
        type="short_text",
        text="<b>fett</b>",
    )
    for url in (f"/surveys/{survey.pk}/", f"/surveys/{survey.pk}/preview/", "/surveys/"):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x" not in page and "<b>fett</b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
