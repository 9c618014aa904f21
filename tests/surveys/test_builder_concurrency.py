"""Versions under real concurrency: coordinators changing the same answered question at the same
moment, each on their own PostgreSQL connection, make exactly one new version."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from surveys.builder import services
from surveys.models import Survey, SurveyVersion
from tests.factories import UserFactory
from tests.surveys.support_s1 import answer, choice_question, make_survey

pytestmark = pytest.mark.django_db(transaction=True)

EDITORS = 6


def test_simultaneous_breaking_edits_fork_the_version_once():
    coordinator = UserFactory()
    survey = make_survey(coordinator)
    section = services.add_section(survey=survey, title="Teil")
    question = choice_question(survey, section, code="rolle", values=("a", "b"))
    answer(survey, question, "a")
    barrier = threading.Barrier(EDITORS)
    outcomes = []

    def edit(number):
        try:
            stale = Survey.objects.get(pk=survey.pk)  # each loads the page's state first
            barrier.wait(timeout=30)
            fields = {name: getattr(question, name) for name in services.QUESTION_FIELDS}
            fields["options"] = [
                {"value": "a", "label": "A"},
                {"value": f"n{number}", "label": "N"},
            ]
            services.update_question(survey=stale, question=question, **fields)
            outcomes.append("saved")
        except ValidationError:
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 — reported by the test
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(EDITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(outcomes) == ["refused"] * (EDITORS - 1) + ["saved"]
    assert SurveyVersion.objects.filter(survey=survey).count() == 2
    survey.refresh_from_db()
    assert survey.current_version.number == 2
    question.refresh_from_db()
    assert [o["value"] for o in question.options] == ["a", "b"]  # version 1 untouched
