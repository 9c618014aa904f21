"""The questionnaire builder's services: creating and copying, sections and questions of every
type, display conditions on earlier answers, and versions once a questionnaire has answers."""

from datetime import UTC

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import questionnaires as q
from surveys.builder import services
from surveys.models import Answer, Question, Section, Survey, SurveyVersion
from tests.factories import TopicFactory
from tests.surveys.support_s1 import answer, choice_question, make_survey, ready_made  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ready_made")]


# --- ready-made questionnaires ----------------------------------------------------------------


def test_the_three_ready_made_questionnaires_ship_with_their_stable_codes():
    templates = {s.purpose: s for s in Survey.objects.filter(is_template=True)}
    assert set(templates) == {"feedback", "training_needs", "panel"}
    expected = {
        "feedback": [
            q.FEEDBACK_SATISFACTION,
            q.FEEDBACK_RECOMMEND,
            q.FEEDBACK_RATINGS,
            q.FEEDBACK_IMPROVE,
            q.FEEDBACK_NEXT_TOPICS,
        ],
        "training_needs": [
            q.NEEDS_TOPICS,
            q.NEEDS_FORMATS,
            q.NEEDS_MONTHS,
            q.NEEDS_TIMES,
            q.NEEDS_STAFF,
            q.NEEDS_LANGUAGES,
            q.NEEDS_OTHER_LANGUAGE,
        ],
        "panel": [
            q.PANEL_NETWORK_TYPE,
            q.PANEL_NETWORK_SIZE,
            q.PANEL_SME_SHARE,
            q.PANEL_SME_ROLES,
            q.PANEL_SME_REACH,
            q.PANEL_SUCCESS_FACTORS,
            q.PANEL_OBSTACLES,
            q.PANEL_OBSTACLES_TEXT,
            q.PANEL_SUPPORT,
        ],
    }
    for purpose, codes in expected.items():
        survey = templates[purpose]
        assert survey.title and survey.title_en
        ordered = services.ordered_questions(survey.current_version)
        assert [question.code for question in ordered] == codes
        assert all(question.text and question.text_en for question in ordered)
    feedback = templates["feedback"].current_version.questions
    satisfaction = feedback.get(code=q.FEEDBACK_SATISFACTION)
    assert (satisfaction.type, satisfaction.scale_max) == ("scale", 5)
    ratings = feedback.get(code=q.FEEDBACK_RATINGS)
    assert [row["value"] for row in ratings.rows] == ["content", "trainer", "organisation"]
    needs = templates["training_needs"].current_version.questions
    months = needs.get(code=q.NEEDS_MONTHS)
    assert [o["value"] for o in months.options] == [str(m) for m in range(1, 13)]
    staff = needs.get(code=q.NEEDS_STAFF)
    assert (staff.min_value, staff.max_value) == (0, 10000)
    other = needs.get(code=q.NEEDS_OTHER_LANGUAGE)
    assert other.show_if_question == needs.get(code=q.NEEDS_LANGUAGES)
    assert other.show_if_value == "other"
    share = templates["panel"].current_version.questions.get(code=q.PANEL_SME_SHARE)
    assert (share.min_value, share.max_value) == (0, 100)


def test_a_copy_of_a_ready_made_questionnaire_is_an_editable_draft_with_its_own_rows(coordinator):
    template = Survey.objects.get(is_template=True, purpose="training_needs")
    copy = services.create_survey(
        created_by=coordinator,
        copy_of=template,
        title="Bedarf 2027",
        purpose="training_needs",
        anonymity="identified",
    )
    assert (copy.status, copy.is_template, copy.current_version.number) == ("draft", False, 1)
    copied = copy.current_version.questions
    assert copied.count() == template.current_version.questions.count()
    other = copied.get(code=q.NEEDS_OTHER_LANGUAGE)
    # The condition points into the copy, not into the template.
    assert other.show_if_question == copied.get(code=q.NEEDS_LANGUAGES)
    assert other.section.version == copy.current_version
    assert copy.current_version.sections.count() == 2
    services.delete_question(survey=copy, question=other)
    assert template.current_version.questions.filter(code=q.NEEDS_OTHER_LANGUAGE).exists()


def test_ready_made_questionnaires_are_not_changed_in_place(coordinator):
    template = Survey.objects.get(is_template=True, purpose="feedback")
    question = template.current_version.questions.get(code=q.FEEDBACK_IMPROVE)
    with pytest.raises(ValidationError):
        services.delete_question(survey=template, question=question)
    with pytest.raises(ValidationError):
        services.open_survey(survey=template)
    assert template.current_version.questions.filter(pk=question.pk).exists()


# --- questions of every type ------------------------------------------------------------------


def test_every_question_type_can_be_built(coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil 1", title_en="Part 1")
    common = {"survey": survey, "section": section}
    services.add_question(
        **common,
        code="s",
        type="single",
        text="S",
        options=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
    )
    services.add_question(
        **common,
        code="m",
        type="multiple",
        text="M",
        options=[{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}],
    )
    services.add_question(
        **common,
        code="scale7",
        type="scale",
        text="Skala",
        scale_max=7,
        low_label="schlecht",
        high_label="gut",
    )
    services.add_question(**common, code="n", type="number", text="Zahl", min_value=0, max_value=50)
    services.add_question(**common, code="st", type="short_text", text="Kurz", max_length=200)
    services.add_question(**common, code="lt", type="long_text", text="Lang", max_length=2000)
    services.add_question(
        **common,
        code="mx",
        type="matrix",
        text="Matrix",
        scale_max=5,
        rows=[{"value": "r1", "label": "Zeile"}],
    )
    services.add_question(**common, code="t", type="topic", text="Themen", required=True)
    questions = services.ordered_questions(survey.current_version)
    assert [x.code for x in questions] == ["s", "m", "scale7", "n", "st", "lt", "mx", "t"]
    assert [x.type for x in questions] == [
        "single",
        "multiple",
        "scale",
        "number",
        "short_text",
        "long_text",
        "matrix",
        "topic",
    ]
    assert questions[2].scale_max == 7 and questions[2].low_label == "schlecht"
    assert questions[-1].required


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "single", "options": [{"value": "a", "label": "A"}]}, "options"),
        ({"type": "scale", "scale_max": 6}, "scale_max"),
        ({"type": "matrix", "scale_max": 5, "rows": []}, "rows"),
        ({"type": "number", "min_value": 10, "max_value": 1}, "max_value"),
        ({"type": "long_text", "max_length": 10000}, "max_length"),
        (
            {
                "type": "single",
                "options": [{"value": "a", "label": "A"}, {"value": "a", "label": "B"}],
            },
            "options",
        ),
    ],
)
def test_a_malformed_question_is_refused_and_nothing_is_saved(coordinator, fields, field):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    with pytest.raises(ValidationError) as error:
        services.add_question(survey=survey, section=section, code="x", text="X", **fields)
    assert field in error.value.message_dict
    assert not Question.objects.filter(version=survey.current_version).exists()


def test_a_code_is_used_once_per_version(coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    choice_question(survey, section, code="rolle")
    with pytest.raises(ValidationError) as error:
        choice_question(survey, section, code="rolle")
    assert "code" in error.value.message_dict


# --- display conditions -----------------------------------------------------------------------


def test_a_question_may_depend_on_an_earlier_answer(coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    source = choice_question(survey, section, code="sprache", values=("de", "other"))
    shown = services.add_question(
        survey=survey,
        section=section,
        code="welche",
        type="short_text",
        text="Welche?",
        show_if_question=source,
        show_if_value="other",
    )
    assert (shown.show_if_question, shown.show_if_value) == (source, "other")
    later = services.add_section(
        survey=survey, title="Nur für andere", show_if_question=source, show_if_value="other"
    )
    assert later.show_if_question == source


def test_a_condition_must_name_an_earlier_question_of_the_same_version_and_a_possible_value(
    coordinator,
):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    first = choice_question(survey, section, code="erste", values=("ja", "nein"))
    second = choice_question(survey, section, code="zweite", values=("x", "y"))
    text = services.add_question(
        survey=survey, section=section, code="frei", type="short_text", text="Frei"
    )
    other_survey = make_survey(coordinator, title="Andere")
    other_section = services.add_section(survey=other_survey, title="Teil")
    foreign = choice_question(other_survey, other_section, code="fremd")

    def refused(question, source, value, field):
        with pytest.raises(ValidationError) as error:
            services.update_question(
                survey=survey,
                question=question,
                show_if_question=source,
                show_if_value=value,
                **{name: getattr(question, name) for name in ("code", "type", "text", "options")},
            )
        assert field in error.value.message_dict, error.value.message_dict

    refused(first, second, "x", "show_if_question")  # a later question
    refused(first, first, "ja", "show_if_question")  # itself
    refused(second, foreign, "a", "show_if_question")  # another survey's question
    refused(second, first, "vielleicht", "show_if_value")  # not a possible answer
    refused(second, first, "", "show_if_value")  # no value
    with pytest.raises(ValidationError) as error:
        services.add_question(
            survey=survey,
            section=section,
            code="danach",
            type="long_text",
            text="D",
            show_if_question=text,
            show_if_value="egal",
        )
    assert "show_if_question" in error.value.message_dict  # free text has no fixed values
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.show_if_question is None and second.show_if_question is None
    # A section cannot depend on a question of itself or of a later section.
    with pytest.raises(ValidationError):
        services.update_section(
            survey=survey, section=section, title="Teil", show_if_question=first, show_if_value="ja"
        )


def test_scale_and_topic_conditions_take_their_points_and_topic_keys(coordinator):
    TopicFactory(slug="robotik")
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    scale = services.add_question(
        survey=survey, section=section, code="zufrieden", type="scale", text="Z", scale_max=5
    )
    topics = services.add_question(
        survey=survey, section=section, code="themen", type="topic", text="T"
    )
    services.add_question(
        survey=survey,
        section=section,
        code="warum",
        type="long_text",
        text="Warum?",
        show_if_question=scale,
        show_if_value="1",
    )
    services.add_question(
        survey=survey,
        section=section,
        code="robotik_wie",
        type="long_text",
        text="Wie?",
        show_if_question=topics,
        show_if_value="robotik",
    )
    with pytest.raises(ValidationError):
        services.add_question(
            survey=survey,
            section=section,
            code="x",
            type="long_text",
            text="X",
            show_if_question=scale,
            show_if_value="6",
        )


def test_reordering_never_puts_a_question_before_the_answer_it_depends_on(coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    source = choice_question(survey, section, code="quelle")
    shown = services.add_question(
        survey=survey,
        section=section,
        code="folge",
        type="short_text",
        text="F",
        show_if_question=source,
        show_if_value="a",
    )
    with pytest.raises(ValidationError):
        services.move_question(survey=survey, question=shown, up=True)
    assert [x.code for x in services.ordered_questions(survey.current_version)] == [
        "quelle",
        "folge",
    ]
    free = services.add_question(
        survey=survey, section=section, code="frei", type="short_text", text="Frei"
    )
    services.move_question(survey=survey, question=free, up=True)
    assert [x.code for x in services.ordered_questions(survey.current_version)] == [
        "quelle",
        "frei",
        "folge",
    ]
    with pytest.raises(ValidationError):  # a source with a dependent cannot go
        services.delete_question(survey=survey, question=source)


def test_sections_reorder_and_their_questions_follow(coordinator):
    survey = make_survey(coordinator)
    first = services.add_section(survey=survey, title="Eins")
    second = services.add_section(survey=survey, title="Zwei")
    choice_question(survey, first, code="a1")
    choice_question(survey, second, code="b1")
    choice_question(survey, first, code="a2")  # appended to the first section
    assert [x.code for x in services.ordered_questions(survey.current_version)] == [
        "a1",
        "a2",
        "b1",
    ]
    services.move_section(survey=survey, section=second, up=True)
    assert [x.code for x in services.ordered_questions(survey.current_version)] == [
        "b1",
        "a1",
        "a2",
    ]


# --- versions ---------------------------------------------------------------------------------


def _edit(survey, question, **changes):
    fields = {name: getattr(question, name) for name in services.QUESTION_FIELDS}
    return services.update_question(survey=survey, question=question, **{**fields, **changes})


def test_harmless_edits_stay_in_the_version_that_has_answers(coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    question = choice_question(survey, section, code="rolle", values=("a", "b"))
    answer(survey, question, "a")
    version = survey.current_version
    question = _edit(
        survey,
        question,
        text="Neue Formulierung",
        help="Hilfe",
        text_en="New wording",
        options=[*question.options, {"value": "c", "label": "C", "label_en": ""}],
    )
    services.add_question(survey=survey, section=section, code="neu", type="short_text", text="Neu")
    services.add_section(survey=survey, title="Noch ein Teil")
    survey.refresh_from_db()
    assert survey.current_version == version
    assert SurveyVersion.objects.filter(survey=survey).count() == 1
    question.refresh_from_db()
    assert question.text == "Neue Formulierung" and len(question.options) == 3


@pytest.mark.parametrize(
    "change",
    [
        {"options": [{"value": "a", "label": "A"}, {"value": "z", "label": "Z"}]},  # b removed
        {"type": "multiple"},
        {"code": "funktion"},
    ],
)
def test_a_change_that_would_make_answers_wrong_makes_a_new_version(coordinator, change):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    question = choice_question(survey, section, code="rolle", values=("a", "b"))
    kept = services.add_question(
        survey=survey,
        section=section,
        code="warum",
        type="short_text",
        text="Warum?",
        show_if_question=question,
        show_if_value="a",
    )
    response = answer(survey, question, "b")
    old_version = survey.current_version
    new_question = _edit(survey, question, **change)
    survey.refresh_from_db()
    assert survey.current_version.number == 2
    assert new_question.version == survey.current_version
    # The old version and its answers are untouched.
    question.refresh_from_db()
    assert (question.version, question.type, question.code) == (old_version, "single", "rolle")
    assert [o["value"] for o in question.options] == ["a", "b"]
    assert response.version == old_version
    assert Answer.objects.get(response=response).question == question
    # The new version holds a copy of everything, conditions included.
    copy = survey.current_version.questions.get(code="warum")
    assert copy.pk != kept.pk and copy.show_if_question == new_question
    assert Section.objects.filter(version=survey.current_version).count() == 1


def test_scale_points_and_narrower_bounds_make_a_new_version(coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    scale = services.add_question(
        survey=survey, section=section, code="skala", type="scale", text="S", scale_max=5
    )
    number = services.add_question(
        survey=survey,
        section=section,
        code="zahl",
        type="number",
        text="Z",
        min_value=0,
        max_value=100,
    )
    answer(survey, scale, "")
    _edit(survey, scale, scale_max=7)
    survey.refresh_from_db()
    assert survey.current_version.number == 2
    number = survey.current_version.questions.get(code="zahl")
    _edit(survey, number, max_value=200)  # wider: harmless
    survey.refresh_from_db()
    assert survey.current_version.number == 2
    answer(survey, survey.current_version.questions.get(code="skala"), "")
    _edit(survey, survey.current_version.questions.get(code="zahl"), max_value=50)
    survey.refresh_from_db()
    assert survey.current_version.number == 3


def test_removing_a_question_with_answers_makes_a_new_version_and_keeps_the_old_answers(
    coordinator,
):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    question = choice_question(survey, section, code="rolle")
    choice_question(survey, section, code="bleibt")
    response = answer(survey, question, "a")
    services.delete_question(survey=survey, question=question)
    survey.refresh_from_db()
    assert survey.current_version.number == 2
    assert list(survey.current_version.questions.values_list("code", flat=True)) == ["bleibt"]
    assert Question.objects.filter(pk=question.pk).exists()
    assert response.answers.get().question_id == question.pk


def test_without_answers_even_a_breaking_change_stays_in_the_version(coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    question = choice_question(survey, section, code="rolle")
    _edit(survey, question, type="multiple")
    services.delete_question(survey=survey, question=survey.current_version.questions.get())
    survey.refresh_from_db()
    assert survey.current_version.number == 1
    assert not survey.current_version.questions.exists()


def test_an_option_a_condition_tests_for_cannot_be_removed(coordinator):
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    question = choice_question(survey, section, code="rolle", values=("a", "b"))
    services.add_question(
        survey=survey,
        section=section,
        code="folge",
        type="short_text",
        text="F",
        show_if_question=question,
        show_if_value="b",
    )
    with pytest.raises(ValidationError):
        _edit(
            survey, question, options=[{"value": "a", "label": "A"}, {"value": "c", "label": "C"}]
        )
    question.refresh_from_db()
    assert [o["value"] for o in question.options] == ["a", "b"]


# --- opening and closing ----------------------------------------------------------------------


def test_open_and_close(coordinator):
    survey = make_survey(coordinator)
    with pytest.raises(ValidationError):  # nothing to answer yet
        services.open_survey(survey=survey)
    section = services.add_section(survey=survey, title="Teil")
    choice_question(survey, section)
    services.open_survey(survey=survey)
    survey.refresh_from_db()
    assert survey.status == "open"
    services.close_survey(survey=survey)
    survey.refresh_from_db()
    assert survey.status == "closed"
    with pytest.raises(ValidationError):
        services.close_survey(survey=survey)


def test_a_survey_must_close_after_it_opens(coordinator):
    from datetime import datetime

    with pytest.raises(ValidationError) as error:
        make_survey(
            coordinator,
            opens_at=datetime(2027, 3, 1, tzinfo=UTC),
            closes_at=datetime(2027, 2, 1, tzinfo=UTC),
        )
    assert "closes_at" in error.value.message_dict
    assert not Survey.objects.filter(is_template=False).exists()


def test_an_edit_of_a_question_a_new_version_has_replaced_is_refused(coordinator):
    """Two coordinators edit the same answered question: the first change makes version 2 (under
    the survey's lock); the second, sent from the page of version 1, is refused, not forked again."""
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    question = choice_question(survey, section, code="rolle", values=("a", "b"))
    answer(survey, question, "a")
    stale = Survey.objects.get(pk=survey.pk)
    _edit(survey, question, type="multiple")
    with translation.override("en"), pytest.raises(ValidationError, match="earlier version"):
        _edit(stale, question, options=[{"value": "a", "label": "A"}])
    assert SurveyVersion.objects.filter(survey=survey).count() == 2


@given(st.text(max_size=400))
@settings(max_examples=80, deadline=None)
def test_option_lines_parse_into_valid_entries_or_a_clear_error(text):
    from django import forms

    from surveys.builder.forms import OPTION_VALUE, parse_entries

    try:
        with translation.override("en"):
            entries = parse_entries(text, value_length=40)
    except forms.ValidationError as error:
        assert error.messages and all(message.startswith("Line") for message in error.messages)
        return
    for entry in entries:
        assert OPTION_VALUE.match(entry["value"]) and len(entry["value"]) <= 40
        assert 1 <= len(entry["label"]) <= 200


@pytest.mark.parametrize(("field", "value"), [("anonymity", "identified"), ("purpose", "panel")])
def test_anonymity_and_purpose_stay_once_there_are_answers(coordinator, field, value):
    """People answered under the survey's promise of anonymity (or not) and for its purpose."""
    survey = make_survey(coordinator, anonymity="anonymous", purpose="other")
    section = services.add_section(survey=survey, title="Teil")
    answer(survey, choice_question(survey, section))
    with pytest.raises(ValidationError) as error:
        services.update_survey(survey=survey, **{field: value})
    assert field in error.value.message_dict
    survey.refresh_from_db()
    assert (survey.anonymity, survey.purpose) == ("anonymous", "other")
    services.update_survey(survey=survey, title="Neuer Titel")  # other settings still change
    survey.refresh_from_db()
    assert survey.title == "Neuer Titel"
