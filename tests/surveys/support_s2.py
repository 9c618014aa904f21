"""A questionnaire with every question type and a display condition, for the answering tests."""

from django.utils import timezone

from surveys.models import Question, Section, Survey, SurveyInvitation, SurveyVersion
from tests.factories import TopicFactory

YES_NO = [{"value": "yes", "label": "Ja", "label_en": "Yes"}, {"value": "no", "label": "Nein"}]


def make_survey(*, purpose="panel", anonymity="anonymous", status="open", **fields) -> Survey:
    """Section 1: ``role`` (single, required), ``reach`` (multiple), ``satisfaction`` (scale 1–5,
    required), ``staff`` (number 0–100), ``topics`` (topic choice); section 2: ``other_lang``
    (single yes/no), ``which`` (short text, required, shown only if other_lang is "yes"),
    ``comment`` (long text, at most 2,000), ``factors`` (matrix rows a/b × 1–5); section 3
    (shown only if ``role`` is "anchor"): ``anchor_note`` (short text, required)."""
    survey = Survey.objects.create(
        title="Netzwerkbefragung",
        title_en="Network survey",
        purpose=purpose,
        anonymity=anonymity,
        status=status,
        **fields,
    )
    version = SurveyVersion.objects.create(survey=survey, number=1)
    one = Section.objects.create(version=version, position=1, title="Rolle", title_en="Role")
    two = Section.objects.create(
        version=version, position=2, title="Sprachen", title_en="Languages"
    )

    def question(code, kind, section, position, **extra):
        return Question.objects.create(
            version=version,
            section=section,
            code=code,
            type=kind,
            position=position,
            text=f"Frage {code}",
            text_en=f"Question {code}",
            **extra,
        )

    role = question(
        "role",
        "single",
        one,
        1,
        required=True,
        help="Ihre <b>Rolle</b>",
        options=[
            {"value": "member", "label": "Mitglied", "label_en": "Member"},
            {"value": "anchor", "label": "Anker", "label_en": "Anchor"},
        ],
    )
    question(
        "reach",
        "multiple",
        one,
        2,
        options=[{"value": "mail", "label": "E-Mail"}, {"value": "events", "label": "Termine"}],
    )
    question(
        "satisfaction",
        "scale",
        one,
        3,
        required=True,
        scale_max=5,
        low_label="schlecht",
        high_label="sehr gut",
    )
    question("staff", "number", one, 4, min_value=0, max_value=100)
    question("topics", "topic", one, 5)
    other = question("other_lang", "single", two, 1, options=YES_NO)
    question(
        "which",
        "short_text",
        two,
        2,
        required=True,
        max_length=100,
        show_if_question=other,
        show_if_value="yes",
    )
    question("comment", "long_text", two, 3, max_length=2000)
    question(
        "factors",
        "matrix",
        two,
        4,
        scale_max=5,
        rows=[{"value": "a", "label": "Zeit"}, {"value": "b", "label": "Geld"}],
    )
    three = Section.objects.create(
        version=version,
        position=3,
        title="Anker",
        show_if_question=role,
        show_if_value="anchor",
    )
    question("anchor_note", "short_text", three, 1, required=True)
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    TopicFactory(slug="robotik", name_de="Robotik", name_en="Robotics")
    TopicFactory(slug="ki", name_de="KI", name_en="AI")
    return survey


def invite(survey, **fields) -> SurveyInvitation:
    fields.setdefault("email", f"person{SurveyInvitation.objects.count()}@extern.example")
    return SurveyInvitation.objects.create(survey=survey, **fields)


VALID = {"role": "member", "satisfaction": 4}


def closed_yesterday(survey) -> Survey:
    survey.closes_at = timezone.now() - timezone.timedelta(days=1)
    survey.save(update_fields=["closes_at"])
    return survey
