"""Surveys built directly in the database for the results tests (the builder and answering are
other parts' services; these helpers only write rows)."""

import uuid
from datetime import date
from decimal import Decimal

from surveys.models import Answer, Question, Response, Survey, SurveyVersion

OPTIONS = [
    {"value": "a", "label": "Mitglied", "label_en": "Member"},
    {"value": "b", "label": "Anker", "label_en": "Anchor"},
    {"value": "c", "label": "Gast", "label_en": "Guest"},
]


def make_survey(
    *, purpose="panel", anonymity="anonymous", status="open", title="Befragung", **extra
):
    survey = Survey.objects.create(
        title=title, purpose=purpose, anonymity=anonymity, status=status, **extra
    )
    version = SurveyVersion.objects.create(survey=survey, number=1)
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return survey


def add_question(survey, code, type, *, version=None, position=0, **fields):
    version = version or survey.current_version
    defaults = {"text": f"Frage {code}", "text_en": f"Question {code}"}
    if type in ("single", "multiple") and "options" not in fields:
        fields["options"] = OPTIONS
    if type in ("scale", "matrix") and "scale_max" not in fields:
        fields["scale_max"] = 5
    return Question.objects.create(
        version=version, code=code, type=type, position=position, **{**defaults, **fields}
    )


def new_version(survey, number=2):
    version = SurveyVersion.objects.create(survey=survey, number=number)
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return version


def respond(survey, answers: dict, *, version=None, answered_on=None, **segment) -> Response:
    """``answers``: code → value (a list for multiple/topic, a dict row → point for a matrix)."""
    version = version or survey.current_version
    response = Response.objects.create(
        id=uuid.uuid4(),
        survey=survey,
        version=version,
        answered_on=answered_on or date(2026, 5, 4),
        **segment,
    )
    questions = {q.code: q for q in version.questions.all()}
    rows = []
    for code, value in answers.items():
        question = questions[code]
        rows.extend(answer_rows(response, question, value))
    Answer.objects.bulk_create(rows)
    return response


def answer_rows(response, question, value) -> list[Answer]:
    kind = question.type
    if kind in ("multiple", "topic"):
        return [Answer(response=response, question=question, option=str(v)) for v in value]
    if kind == "single":
        return [Answer(response=response, question=question, option=str(value))]
    if kind in ("scale", "number"):
        return [Answer(response=response, question=question, number=Decimal(str(value)))]
    if kind == "matrix":
        return [
            Answer(response=response, question=question, row=row, number=Decimal(point))
            for row, point in value.items()
        ]
    return [Answer(response=response, question=question, text=value)]
