"""seed_demo adds answered feedback for past demo workshops and a training-needs round;
seed_scale adds feedback responses and training-needs answers in bulk."""

from io import StringIO

import pytest
from django.core.management import call_command

from surveys.models import Response, Survey
from surveys.results.demand import demand_cells
from surveys.selectors import survey_results

pytestmark = pytest.mark.django_db


def test_seed_demo_answers_feedback_and_training_needs_once():
    call_command("seed_demo", stdout=StringIO())
    feedback = Survey.objects.get(purpose="feedback", title__contains="Demo")
    past = {r.workshop.slug for r in feedback.responses.select_related("workshop")}
    assert past == {"lean-grundlagen-demo", "arbeitsschutz-digital-demo"}
    assert all(r.workshop.status == "done" for r in feedback.responses.all())
    results = survey_results(survey=feedback)
    assert not results["suppressed"]
    assert results["questions"]["satisfaction"]["mean"] >= 3
    needs = Survey.objects.get(purpose="training_needs", title__contains="Demo")
    assert needs.responses.count() > 10
    assert demand_cells()
    counts = Response.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Response.objects.count() == counts


def test_seed_scale_writes_feedback_and_needs_in_bulk():
    call_command(
        "seed_scale", stdout=StringIO(), companies=40, networks=2, workshops=8,
        registrations=120, invitations=0, grants=0, expenditures=0, consultations=0,
        feedback_responses=300, needs_answers=25, calls=1, seed=5,
    )  # fmt: skip
    feedback = Survey.objects.get(title="Scale Workshop-Feedback")
    assert feedback.responses.count() == 300
    assert feedback.responses.filter(workshop__status="done").count() == 300
    assert Survey.objects.get(title="Scale Weiterbildungsbedarf").responses.count() == 25
    call_command(
        "seed_scale", stdout=StringIO(), flush=True, companies=40, networks=2, workshops=8,
        registrations=120, invitations=0, grants=0, expenditures=0, consultations=0,
        feedback_responses=50, needs_answers=5, calls=1, seed=5,
    )  # fmt: skip
    assert Survey.objects.get(title="Scale Workshop-Feedback").responses.count() == 50
