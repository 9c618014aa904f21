"""seed_demo: a believable Region Hannover, the same after a second run, people who can log in."""

from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from companies.models import (
    MUNICIPALITIES,
    AssociatedEnterprise,
    Company,
    CompanyMember,
    Consultation,
)
from funding.models import Funder
from networks.models import NetworkMembership, TrainingNetwork
from regiolab.demo_data import DEMO_PASSWORD
from regiolab.models import Topic
from regiolab.permissions import COORDINATORS_GROUP
from workshops.models import Registration, Workshop

MODELS = [
    get_user_model(),
    EmailAddress,
    Group,
    Topic,
    Company,
    AssociatedEnterprise,
    CompanyMember,
    Consultation,
    TrainingNetwork,
    NetworkMembership,
    Workshop,
    Funder,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_second_run_changes_no_counts(seeded):
    first = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == first
    assert "0 created" in out.getvalue()
    print(first)


def test_prints_what_it_made_and_the_demo_passwords(seeded):
    for text in ("Topics: 12", "Companies: 4", "Networks: 3", "Workshops: 5", "1 open request"):
        assert text in seeded
    for email in (
        "coordinator@regiolab.example",
        "rep@regiolab.example",
        "funder@regiolab.example",
    ):
        assert f"{email} / {DEMO_PASSWORD}" in seeded


def test_companies_spread_over_the_region_and_all_size_classes(seeded):
    companies = list(Company.objects.all())
    # With the learning programme's city, vocational school and employment agency.
    assert 38 <= len(companies) <= 48
    municipalities = {c.municipality for c in companies}
    assert municipalities <= set(MUNICIPALITIES)
    assert len(municipalities) >= 10
    sizes = {c.size_class for c in companies}
    assert sizes == {"micro", "small", "medium", "large"}
    # The stored copy the filters use agrees with the computed class.
    assert all(c.size_class_stored == c.size_class for c in companies)
    assert all(c.sector_code and c.legal_form and c.postcode for c in companies)
    assert Company.objects.filter(training_needs__isnull=False).distinct().count() >= 35


def test_partner_and_linked_enterprises_count_towards_the_size_class(seeded):
    linked = Company.objects.get(name="Isernhagener Steuerungstechnik GmbH")
    assert linked.enterprise_type == "linked"
    assert linked.headcount < 250 and linked.associated_headcount == 400
    assert linked.size_class == "large"

    partner = Company.objects.get(name="Sensorik Laatzen GmbH")
    assert partner.enterprise_type == "partner"
    assert partner.associated_headcount == 30  # 30 % of 100
    assert partner.size_class == "medium"


def test_topics_have_german_and_english_names(seeded):
    for slug in ("digitalisation", "robotics", "3d-printing", "personnel-development",
                 "digital-learning", "ai", "it-security", "lean-production"):  # fmt: skip
        topic = Topic.objects.get(slug=slug)
        assert topic.name_de and topic.name_en and topic.name_de != slug


def test_networks_with_roles_an_anchor_company_and_one_open_request(seeded):
    assert TrainingNetwork.objects.filter(status="active").count() == 3
    anchor = NetworkMembership.objects.get(role="anchor", status="active")
    assert anchor.network.name == "Robotik & Automatisierung Region Hannover"
    assert anchor.company.size_class == "large" and "(Demo)" in anchor.company.name
    roles = set(NetworkMembership.objects.values_list("role", flat=True))
    assert {"member", "anchor", "education_provider", "chamber", "public_partner"} <= roles
    assert NetworkMembership.objects.filter(status="requested").count() == 1
    coordinator = get_user_model().objects.get(email="coordinator@regiolab.example")
    assert set(coordinator.coordinated_networks.all()) == set(TrainingNetwork.objects.all())


def test_consultations_with_open_follow_ups(seeded):
    assert Consultation.objects.count() == 8
    assert Consultation.objects.filter(follow_up_on__isnull=False, follow_up_done=False).exists()
    assert not Consultation.objects.filter(coordinator__isnull=True).exists()


def test_five_published_workshops_in_the_coming_weeks_without_registrations(seeded):
    # The learning programme's workshops are its own (tests/learning/test_demo.py); the past
    # ones (done, with their attendees' feedback) come from surveys/demo.py.
    # Stakeholder groups' meetings likewise (tests/policy/test_plans_demo.py), and the challenge
    # call's pitch day (tests/challenges/test_calls_demo.py, test_pitch_demo.py).
    workshops = list(
        Workshop.objects.filter(
            learning_cycle__isnull=True,
            stakeholder_meeting__isnull=True,
            challenge_call__isnull=True,
        )
        .exclude(status="done")
        .prefetch_related("topics")
    )
    assert len(workshops) == 5
    now = timezone.now()
    berlin = ZoneInfo("Europe/Berlin")
    for workshop in workshops:
        assert workshop.status == Workshop.Status.PUBLISHED
        assert now < workshop.starts_at < now + timedelta(days=60)
        assert workshop.starts_at.astimezone(berlin).minute == 0
        assert 8 <= workshop.starts_at.astimezone(berlin).hour <= 16
        assert 8 <= workshop.capacity <= 20 and workshop.seats_taken == 0
        assert workshop.topics.exists()
        assert workshop.registration_deadline < workshop.starts_at
    assert sum(1 for w in workshops if w.network_id) >= 3
    assert not Registration.objects.filter(workshop__in=workshops).exists()


def test_people_and_their_roles(seeded):
    User = get_user_model()
    coordinator = User.objects.get(email="coordinator@regiolab.example")
    assert coordinator.groups.filter(name=COORDINATORS_GROUP).exists()

    rep = User.objects.get(email="rep@regiolab.example")
    membership = CompanyMember.objects.get(user=rep)
    assert membership.role == "owner" and membership.status == "active"

    funder_user = User.objects.get(email="funder@regiolab.example")
    ministry = Funder.objects.get(
        name="Bundesministerium für Arbeit und Soziales – ESF Plus (Demo)"
    )
    assert ministry.level == "federal" and funder_user in ministry.users.all()
    assert Funder.objects.get(name="Region Hannover (Demo)").level == "region"
    for user in (coordinator, rep, funder_user):
        assert EmailAddress.objects.get(user=user).verified


@pytest.mark.parametrize(
    "email", ["coordinator@regiolab.example", "rep@regiolab.example", "funder@regiolab.example"]
)
def test_demo_people_can_log_in(seeded, client, email):
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(get_user_model().objects.get(email=email).pk)


# --- What a funder reading the demo would check ------------------------------------------------

FEDERAL_MINISTRY = "Bundesministerium für Arbeit und Soziales"


def demo_grant():
    from funding.demo import DEMO_REFERENCE
    from funding.models import Grant

    return Grant.objects.select_related("programme").get(reference=DEMO_REFERENCE)


def test_the_grant_is_paid_by_the_bodies_its_programme_names(seeded):
    grant = demo_grant()
    programme = grant.programme
    assert programme.name == "Aufbau von Weiterbildungsverbünden"
    assert FEDERAL_MINISTRY in programme.funding_body and "ESF Plus" in programme.funding_body
    shares = {s.funder.level: s for s in grant.shares.select_related("funder")}
    assert set(shares) == {"federal", "region"}
    federal, regional = shares["federal"], shares["region"]
    # The ministry of the programme (with its ESF Plus money), not another ministry.
    assert FEDERAL_MINISTRY in federal.funder.name and "ESF Plus" in federal.funder.name
    assert federal.percent == 70 and programme.funding_rate == federal.percent
    assert regional.percent == 30 and "Region Hannover" in regional.funder.name
    # No body that has nothing to do with the programme is left in the demo.
    assert not Funder.objects.filter(name__contains="Bildung und Forschung").exists()
    # The demo funder user works at the ministry that pays the grant.
    funder_user = get_user_model().objects.get(email="funder@regiolab.example")
    assert list(funder_user.funders.all()) == [federal.funder]


def test_the_eligible_costs_split_70_30_into_whole_cents(seeded):
    from decimal import Decimal

    from funding.selectors import share_amounts

    grant = demo_grant()
    assert grant.total_eligible_costs == Decimal("986000.00")
    amounts = {s.funder.level: a for s, a in share_amounts(grant=grant)}
    assert amounts == {"federal": Decimal("690200.00"), "region": Decimal("295800.00")}
    # Each part is exactly its percentage: no cent was pushed from one funder to the other.
    for share, amount in share_amounts(grant=grant):
        assert grant.total_eligible_costs * share.percent / 100 == amount
    # The budget plans exactly the eligible costs.
    assert sum(grant.budget_lines.values_list("amount", flat=True)) == grant.total_eligible_costs


def test_the_grant_page_shows_the_split_to_the_demo_funder(seeded, client):
    from tests.support.mfa import enable_totp

    grant = demo_grant()
    funder_user = get_user_model().objects.get(email="funder@regiolab.example")
    enable_totp(funder_user)  # funders' accounts need a second factor
    client.force_login(funder_user)
    response = client.get(f"/funding/grants/{grant.pk}/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    page = response.content.decode()
    assert "690.200,00" in page and "295.800,00" in page
    assert "986.000,00" in page and "986.000,01" not in page


def test_follow_ups_come_after_their_consultation(seeded):
    today = timezone.localdate()
    consultations = list(Consultation.objects.all())
    assert consultations
    for consultation in consultations:
        assert consultation.date <= today, consultation.minutes
        if consultation.follow_up_on is not None:
            assert consultation.follow_up_on > consultation.date, consultation.minutes
    # The demo still shows an overdue follow-up (due, not done) for the dashboard.
    assert Consultation.objects.filter(follow_up_on__lt=today, follow_up_done=False).exists()


def test_company_kinds_fit_their_sizes(seeded):
    wrong = [
        (c.name, c.kind, c.size_class, c.headcount + c.associated_headcount)
        for c in Company.objects.all()
        if (c.kind == Company.Kind.SME and c.size_class == "large")
        or (c.kind == Company.Kind.LARGE and c.size_class != "large")
    ]
    assert wrong == []
    assert Company.objects.filter(kind=Company.Kind.LARGE).count() >= 2
    assert Company.objects.filter(kind=Company.Kind.SME).count() >= 30


def test_a_rerun_repairs_a_demo_seeded_with_the_old_figures(seeded):
    from decimal import Decimal

    from funding.models import Grant

    grant = demo_grant()
    ministry = grant.shares.get(funder__level="federal").funder
    Funder.objects.filter(pk=ministry.pk).update(
        name="Bundesministerium für Bildung und Forschung (Demo)"
    )
    Grant.objects.filter(pk=grant.pk).update(total_eligible_costs=Decimal("986000.01"))
    Consultation.objects.filter(company__name="Sensorik Laatzen GmbH").update(
        follow_up_on=timezone.localdate() - timedelta(days=14)
    )

    call_command("seed_demo", stdout=StringIO())

    grant = demo_grant()
    assert grant.total_eligible_costs == Decimal("986000.00")
    ministry.refresh_from_db()  # renamed in place: its users and the grant's share stay
    assert ministry.name == "Bundesministerium für Arbeit und Soziales – ESF Plus (Demo)"
    assert not Funder.objects.filter(name__contains="Bildung und Forschung").exists()
    test_follow_ups_come_after_their_consultation(None)
