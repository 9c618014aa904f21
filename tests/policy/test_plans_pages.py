"""Action plan pages: plans, actions (a grant the coordinator cannot see is refused with a
clear message, nothing saved), indicators that update themselves or take values with a date
(history kept), and the plan page's queries constant in the number of actions."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from policy.models import Action, ActionIndicator, ActionPlan, IndicatorValue
from policy.plans import selectors, services
from tests.factories import UserFactory, WorkshopFactory
from tests.policy.plans_support import make_grant, make_plan
from tests.policy.test_figures import held

pytestmark = pytest.mark.django_db


def test_the_coordinator_creates_a_plan_and_an_action(coordinator_client):
    today = date.today()
    response = coordinator_client.post(
        reverse("policy:plan_create"),
        {"title": "Aktionsplan Latium", "region": "Latium",
         "period_start": today.isoformat(), "period_end": (today + timedelta(days=700)).isoformat()},
    )  # fmt: skip
    plan = ActionPlan.objects.get(title="Aktionsplan Latium")
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    grant = make_grant()
    response = coordinator_client.post(
        reverse("policy:action_create", args=[plan.pk]),
        {"title": "Innovation Lab gründen", "status": "planned", "grant": grant.pk,
         "estimated_cost": "25000", "starts_on": today.isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    action = plan.actions.get()
    assert action.grant == grant and action.position == 0


def test_a_grant_the_user_cannot_see_is_refused_and_nothing_saved(client, coordinator):
    plan = make_plan(actions=0)
    grant = make_grant()
    outsider = UserFactory()  # sees no grant (not a coordinator, no funder)
    with pytest.raises(ValidationError) as exc:
        services.save_action(action=Action(plan=plan, title="X", grant=grant), by=outsider)
    assert "Förderprojekt" in str(exc.value) or "grant" in str(exc.value)
    assert not Action.objects.filter(plan=plan).exists()
    # Through the form: a grant that does not exist (or is hidden) gets the same message.
    client.force_login(coordinator)
    response = client.post(
        reverse("policy:action_create", args=[plan.pk]),
        {"title": "Y", "status": "planned", "grant": grant.pk + 999},
    )
    assert response.status_code == 200
    assert str(services.GRANT_NOT_VISIBLE) in response.content.decode()
    assert not Action.objects.filter(plan=plan).exists()


def test_a_grant_indicator_of_a_hidden_grant_is_refused():
    plan = make_plan(actions=1)
    grant = make_grant()
    indicator = ActionIndicator(
        action=plan.actions.get(), name="Workshops", target=3,
        source=ActionIndicator.Source.GRANT_INDICATOR,
        grant_indicator=grant.indicators.get(),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.save_indicator(indicator=indicator, by=UserFactory())
    assert not ActionIndicator.objects.filter(name="Workshops").exists()


def test_values_entered_by_hand_keep_their_history(coordinator_client):
    plan = make_plan(actions=1)
    indicator = ActionIndicator.objects.get(action__plan=plan, source="manual")
    url = reverse("policy:indicator_value_create", args=[plan.pk, indicator.pk])
    today = date.today()
    response = coordinator_client.post(url, {"value": "11", "measured_on": today.isoformat()})
    assert response.status_code == 302
    assert list(indicator.values.values_list("value", flat=True)) == [11, 8, 5]
    # A date in the future: refused with a message, nothing saved.
    response = coordinator_client.post(
        url, {"value": "99", "measured_on": (today + timedelta(days=3)).isoformat()}
    )
    assert response.status_code == 200
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 3
    row = selectors.plan_rows(plan)[0]
    status = row.indicators[0]
    assert status.value == 11 and status.percent == 55 and len(status.history) == 3
    # A live indicator takes no value by hand.
    live = ActionIndicator.objects.get(action__plan=plan, source="workshops_held")
    with pytest.raises(ValidationError):
        services.record_value(indicator=live, value=1, measured_on=today)


def test_linked_indicators_update_themselves(coordinator):
    grant = make_grant()
    plan = make_plan(actions=2, grant=grant)
    held(date.today() - timedelta(days=20))
    held(date.today() - timedelta(days=30), network=None)
    rows = selectors.plan_rows(plan)
    figure = [s for s in rows[0].indicators if s.indicator.source == "workshops_held"][0]
    assert figure.live and figure.value == 2 and figure.percent == 50
    grant_status = [s for s in rows[0].indicators if s.indicator.source == "grant_indicator"][0]
    assert grant_status.live and grant_status.value == 0  # the grant has no networks
    held(date.today() - timedelta(days=5))
    figure = [s for s in selectors.plan_rows(plan)[0].indicators if s.live][0]
    assert figure.value == 3


def _queries(client, url) -> int:
    from django.core.cache import cache

    cache.clear()  # cold: the actions section is built, not read from the cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_plan_page_queries_do_not_grow_with_the_actions(coordinator_client):
    grant = make_grant()
    few = make_plan(actions=2, grant=grant, title="Wenig")
    many = make_plan(actions=15, grant=grant, title="Viel")
    assert _queries(coordinator_client, few.get_absolute_url()) == _queries(
        coordinator_client, many.get_absolute_url()
    )
    html = coordinator_client.get(many.get_absolute_url()).content.decode()
    assert "Maßnahme 15" in html and "verzögert" in html


def test_the_cached_actions_follow_a_new_value_and_a_workshop_that_ends(coordinator_client):
    plan = make_plan(actions=1)
    url = plan.get_absolute_url()
    assert "Workshops durchgeführt" in coordinator_client.get(url).content.decode()
    indicator = ActionIndicator.objects.get(action__plan=plan, source="manual")
    services.record_value(indicator=indicator, value=17, measured_on=date.today())
    page = coordinator_client.get(url)
    status = {s.indicator.pk: s for s in page.context["actions_section"]().rows[0].indicators}
    assert status[indicator.pk].value == 17
    assert "85 %" in page.content.decode()
    # A workshop ending changes "workshops held" without any write: the key moves.
    ended = coordinator_client.get(url).context["ended"]
    held(date.today() - timedelta(days=1))
    assert coordinator_client.get(url).context["ended"] == ended + 1


def test_the_cached_plan_page_follows_its_group_and_practices(coordinator_client):
    from tests.policy.groups_support import make_group
    from tests.policy.practices_support import make_practice

    plan = make_plan(actions=1)
    url = plan.get_absolute_url()
    assert "Regionale Stakeholdergruppe" not in coordinator_client.get(url).content.decode()
    group = make_group(members=0)
    services.save_plan(plan=plan, practices=[make_practice(1)])
    plan.group = group
    services.save_plan(plan=plan)
    html = coordinator_client.get(url).content.decode()
    assert "Regionale Stakeholdergruppe Nordhessen" in html
    assert "Offene Innovationsaufgabe 1" in html
    group.name = "Beirat Nordhessen"
    group.save(update_fields=["name"])
    assert "Beirat Nordhessen" in coordinator_client.get(url).content.decode()


def test_a_warm_plan_page_reads_no_workshops(coordinator_client):
    """Workshops held so far (the cached part's key) come from their cached ends, so a warm
    page does not count the workshops in the database."""
    plan = make_plan(actions=3)
    for days_ago in (3, 2, 1):
        held(date.today() - timedelta(days=days_ago))
    url = plan.get_absolute_url()
    coordinator_client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert coordinator_client.get(url).context["ended"] == 3
    assert not [q for q in ctx.captured_queries if "workshops_workshop" in q["sql"]]


def test_workshops_ended_so_far_move_with_time_alone():
    plan = make_plan(actions=0)
    now = timezone.now()
    WorkshopFactory(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    before = selectors.ended_so_far(plan, now=now)
    with CaptureQueriesContext(connection) as ctx:
        later = selectors.ended_so_far(plan, now=now + timedelta(hours=3))
    assert later == before + 1
    assert len(ctx.captured_queries) == 0  # the same cached ends, bisected at a later time
