"""seed_demo's stakeholder group (two meetings) and action plan (three actions, German texts),
idempotent; seed_scale's 50 action plans × 10 actions and their flush."""

import io

import pytest

from policy.demo import seed_policy_demo
from policy.groups.demo import GROUP_NAME
from policy.models import ActionIndicator, ActionPlan, IndicatorValue, StakeholderGroup
from policy.plans.demo import PLAN_TITLE
from policy.plans.scale import MARK, flush_scale_plans, seed_scale_plans
from policy.scale import seed_scale_policy
from tests.factories import CompanyFactory
from workshops.models import Invitation

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_group_with_two_meetings_and_a_plan_with_three_actions(
    coordinator_client,
):
    for kind in ("public_body", "sme", "sme", "research", "chamber", "sme"):
        CompanyFactory(kind=kind)
    seed_policy_demo(io.StringIO())
    seed_policy_demo(io.StringIO())  # idempotent
    group = StakeholderGroup.objects.get(name=GROUP_NAME)
    assert group.meetings.count() == 2
    assert set(group.members.values_list("category", flat=True)) == {
        "government", "business", "science", "civil_society"
    }  # fmt: skip
    upcoming = group.meetings.filter(workshop__status="published").get()
    assert Invitation.objects.filter(workshop=upcoming.workshop).count() == 10  # 5 × 2
    plan = ActionPlan.objects.get(title=PLAN_TITLE)
    assert plan.group == group and plan.actions.count() == 3
    page = coordinator_client.get(plan.get_absolute_url())
    assert page.status_code == 200
    assert "Pitch-Tage und Vermittlung" in page.content.decode()
    group_page = coordinator_client.get(group.get_absolute_url()).content.decode()
    assert (
        "Frühjahrssitzung" in group_page and "Die Open Innovation Challenge startet" in group_page
    )


class _Seeder:
    import random

    rng = random.Random(7)
    topic_ids = []


def test_scale_plans_are_bulk_written_and_flushed(django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        written = seed_scale_plans(_Seeder())
    assert ActionPlan.objects.filter(title__startswith=MARK).count() == 50
    assert ActionIndicator.objects.filter(action__plan__title__startswith=MARK).count() == 1000
    assert IndicatorValue.objects.count() == 1500
    assert written == 50 + 500 + 1000 + 1500
    flush_scale_plans()
    assert not ActionPlan.objects.exists()
    assert seed_scale_policy(_Seeder()) >= 3050
