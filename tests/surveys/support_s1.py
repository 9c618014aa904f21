"""Helpers of the builder's tests: a survey with questions, and answers given to a version."""

import importlib

import pytest
from django.utils import timezone

from surveys.builder import services
from surveys.models import Answer, Response, Survey


def make_survey(coordinator, **fields):
    defaults = {"title": "Bedarfsumfrage", "purpose": "other", "anonymity": "anonymous"}
    return services.create_survey(created_by=coordinator, **{**defaults, **fields})


def choice_question(survey, section, code="rolle", values=("a", "b"), **fields):
    return services.add_question(
        survey=survey,
        section=section,
        code=code,
        type="single",
        text=f"Frage {code}",
        options=[{"value": v, "label": v.upper(), "label_en": ""} for v in values],
        **fields,
    )


def answer(survey, question, option="a"):
    response = Response.objects.create(
        survey=survey, version=question.version, answered_on=timezone.localdate()
    )
    Answer.objects.create(response=response, question=question, option=option)
    return response


@pytest.fixture
def ready_made(db):
    """The ready-made questionnaires of migration 0002. A transactional test earlier in the run
    (the browser tests) flushes the database and with it the migration's rows: build them again
    the migration's way when they are missing."""
    from django.apps import apps

    migration = importlib.import_module("surveys.migrations.0002_ready_made_questionnaires")
    migration.create_ready_made(apps, None)
    return {survey.purpose: survey for survey in Survey.objects.filter(is_template=True)}
