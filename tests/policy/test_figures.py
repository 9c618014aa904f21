"""The live portal figures of policy/figures.py: each counts what it says, narrowed by its
scope, in one aggregate query; many scopes together cost one query per figure."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from challenges.models import Call, Challenge, Match
from funding.models import Expenditure, Grant
from policy import figures
from policy.figures import Scope
from tests.factories import (
    CompanyFactory,
    RegistrationFactory,
    TopicFactory,
    TrainingNetworkFactory,
    WorkshopFactory,
)

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db


def held(day: date, **kwargs):
    starts = datetime(day.year, day.month, day.day, 9, tzinfo=BERLIN)
    return WorkshopFactory(starts_at=starts, ends_at=starts + timedelta(hours=3), **kwargs)


@pytest.fixture
def portal():
    robotics = TopicFactory(slug="robotik", name_de="Robotik")
    printing = TopicFactory(slug="3d-druck", name_de="3D-Druck")
    network = TrainingNetworkFactory(name="Verbund Robotik")
    a = held(date(2026, 2, 10), network=network)
    a.topics.add(robotics)
    b = held(date(2026, 5, 10))
    b.topics.add(robotics, printing)
    # Never counted: a draft, a cancelled one, one still ahead.
    held(date(2026, 3, 1), status="draft").topics.add(robotics)
    held(date(2026, 3, 2), status="cancelled").topics.add(robotics)
    WorkshopFactory().topics.add(robotics)
    acme, beta = CompanyFactory(name="Acme GmbH"), CompanyFactory(name="Beta AG")
    RegistrationFactory(workshop=a, status="attended", company=acme)
    RegistrationFactory(workshop=a, status="no_show", company=acme)
    RegistrationFactory(workshop=b, status="attended", company=beta)
    RegistrationFactory(workshop=b, status="cancelled", company=CompanyFactory())
    RegistrationFactory(workshop=b, status="attended")  # no company in the portal
    return {"robotics": robotics, "printing": printing, "network": network, "acme": acme}


def test_registry_has_the_five_figures_with_labels_and_scopes():
    assert set(figures.FIGURES) == {
        "workshops_held",
        "participants",
        "companies_reached",
        "grant_spent",
        "challenges_matched",
    }
    assert str(figures.figure("grant_spent").label) == "ausgegebene Mittel eines Förderprojekts"
    assert figures.figure("grant_spent").scope == ("grant_id", "since", "until")
    assert "topic_id" in figures.figure("workshops_held").scope
    assert [code for code, _label in figures.choices()][0] == "workshops_held"


def test_workshops_held(portal, django_assert_num_queries):
    fig = figures.figure("workshops_held")
    with django_assert_num_queries(1):
        assert fig.compute() == 2
    assert fig.compute(Scope(topic_id=portal["printing"].pk)) == 1
    assert fig.compute(Scope(network_id=portal["network"].pk)) == 1
    assert fig.compute(Scope(topic_id=portal["robotics"].pk, since=date(2026, 3, 1))) == 1
    assert fig.compute(Scope(until=date(2026, 2, 10))) == 1
    # A scope part the figure does not take is ignored.
    assert fig.compute(Scope(grant_id=999)) == 2


def test_participants_are_recorded_attendance(portal, django_assert_num_queries):
    fig = figures.figure("participants")
    with django_assert_num_queries(1):
        assert fig.compute() == 3
    assert fig.compute(Scope(network_id=portal["network"].pk)) == 1
    assert fig.compute(Scope(topic_id=portal["printing"].pk)) == 2


def test_companies_reached_counts_each_company_once(portal, django_assert_num_queries):
    fig = figures.figure("companies_reached")
    with django_assert_num_queries(1):
        # acme twice (attended, no-show), beta once; the cancelled company is not reached
        assert fig.compute() == 2
    assert fig.compute(Scope(network_id=portal["network"].pk)) == 1


def test_money_spent_from_a_grant(django_assert_num_queries):
    grant = Grant.objects.create(
        reference="FKZ 1", title="Förderung", start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31), total_eligible_costs=Decimal(1000),
    )  # fmt: skip
    other = Grant.objects.create(
        reference="FKZ 2", title="Andere", start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31), total_eligible_costs=Decimal(1000),
    )  # fmt: skip
    for g, day, amount in [
        (grant, date(2026, 1, 5), "100.50"),
        (grant, date(2026, 6, 5), "200.25"),
        (other, date(2026, 6, 5), "999"),
    ]:
        Expenditure.objects.create(
            grant=g, date=day, category="travel", payee="Bahn", purpose="Fahrt",
            amount=Decimal(amount), receipt_reference="B-1",
        )  # fmt: skip
    fig = figures.figure("grant_spent")
    assert fig.is_money
    with django_assert_num_queries(1):
        assert fig.compute(Scope(grant_id=grant.pk)) == Decimal("300.75")
    assert fig.compute(Scope(grant_id=grant.pk, since=date(2026, 2, 1))) == Decimal("200.25")
    assert fig.compute() == 0  # no grant, no money


def _challenge(call, n):
    return Challenge.objects.create(
        call=call, company=CompanyFactory(), title=f"Challenge {n}", problem="Problem",
        desired_outcome="Ergebnis", public_summary="Kurz",
    )  # fmt: skip


def test_challenges_matched_counts_agreed_matches(django_assert_num_queries):
    today = timezone.localdate()
    call = Call.objects.create(
        title="Open Innovation Challenge", slug="oic", collecting_from=today,
        published_from=today, proposals_from=today, proposals_until=timezone.now(),
        review_until=today, follow_up_from=today,
    )  # fmt: skip
    other_call = Call.objects.create(
        title="Andere", slug="andere", collecting_from=today, published_from=today,
        proposals_from=today, proposals_until=timezone.now(), review_until=today,
        follow_up_from=today,
    )  # fmt: skip
    for n, (c, status) in enumerate(
        [(call, "contract"), (call, "pilot"), (call, "talks"), (call, "ended"), (other_call, "nda")]
    ):
        Match.objects.create(challenge=_challenge(c, n), company=CompanyFactory(), status=status)
    fig = figures.figure("challenges_matched")
    with django_assert_num_queries(1):
        assert fig.compute() == 3
    assert fig.compute(Scope(call_id=call.pk)) == 2
    assert fig.compute(Scope(since=today + timedelta(days=1))) == 0


def test_many_scopes_cost_one_query_per_figure(portal, django_assert_num_queries):
    pairs = [
        ("workshops_held", Scope(topic_id=t.pk)) for t in (portal["robotics"], portal["printing"])
    ]
    pairs += [("participants", Scope()), ("workshops_held", Scope())]
    with django_assert_num_queries(2):
        values = figures.values_for(pairs)
    assert values[("workshops_held", Scope(topic_id=portal["robotics"].pk))] == 2
    assert values[("workshops_held", Scope(topic_id=portal["printing"].pk))] == 1
    assert values[("workshops_held", Scope())] == 2
    assert values[("participants", Scope())] == 3
