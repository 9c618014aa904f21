"""Answers have random keys: the answer table tells the order of arrival no more than the
responses do. The migration that gave them random keys keeps the answers already stored."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from surveys.models import Answer
from surveys.services import submit_response

from .support_s2 import VALID, make_survey


def _key_migration() -> tuple[str, str]:
    loader = MigrationExecutor(connection).loader
    names = [n for app, n in loader.disk_migrations if app == "surveys"]
    return ("surveys", next(n for n in names if n.endswith("S2_answer_random_key")))


@pytest.mark.django_db
def test_answer_keys_are_random():
    survey = make_survey()
    for _ in range(6):
        submit_response(survey=survey, answers=VALID)
    keys = list(Answer.objects.values_list("pk", flat=True))
    assert all(isinstance(k, uuid.UUID) and k.version == 4 for k in keys)


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_stored_answers():
    target = _key_migration()
    executor = MigrationExecutor(connection)
    before = [
        p.key for p in executor.loader.graph.node_map[target].parents if p.key[0] == "surveys"
    ]
    # Back to just before the migration (later surveys migrations unapplied first).
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        Survey = old.get_model("surveys", "Survey")
        Version = old.get_model("surveys", "SurveyVersion")
        Question = old.get_model("surveys", "Question")
        Response = old.get_model("surveys", "Response")
        OldAnswer = old.get_model("surveys", "Answer")
        survey = Survey.objects.create(title="Alt", purpose="panel")
        version = Version.objects.create(survey=survey, number=1)
        question = Question.objects.create(version=version, code="q", type="single", text="?")
        response = Response.objects.create(survey=survey, version=version, answered_on="2026-01-01")
        OldAnswer.objects.create(response=response, question=question, option="a")
        OldAnswer.objects.create(response=response, question=question, number=3, text="t")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    kept = sorted(
        Answer.objects.filter(response__survey__title="Alt").values_list("option", "number", "text")
    )
    assert [(o, n and int(n), t) for o, n, t in kept] == [("", 3, "t"), ("a", None, "")]
    assert all(isinstance(k, uuid.UUID) for k in Answer.objects.values_list("pk", flat=True))
