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
    assert 38 <= len(companies) <= 45
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
    workshops = list(Workshop.objects.prefetch_related("topics"))
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
    assert not Registration.objects.exists()


def test_people_and_their_roles(seeded):
    User = get_user_model()
    coordinator = User.objects.get(email="coordinator@regiolab.example")
    assert coordinator.groups.filter(name=COORDINATORS_GROUP).exists()

    rep = User.objects.get(email="rep@regiolab.example")
    membership = CompanyMember.objects.get(user=rep)
    assert membership.role == "owner" and membership.status == "active"

    funder_user = User.objects.get(email="funder@regiolab.example")
    bmbf = Funder.objects.get(name="Bundesministerium für Bildung und Forschung (Demo)")
    assert bmbf.level == "federal" and funder_user in bmbf.users.all()
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
