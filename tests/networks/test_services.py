"""Membership requests, decisions, members and roles; network create/update rules."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from companies.models import CompanyMember
from networks import services
from networks.models import NetworkMembership, TrainingNetwork
from regiolab.mail.models import OutboundEmail
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    NetworkMembershipFactory,
    TopicFactory,
    TrainingNetworkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- request_membership --------------------------------------------------------------------


def test_request_creates_requested_row_and_tells_coordinators(
    network, company, rep, coordinator, django_capture_on_commit_callbacks
):
    network.coordinators.add(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.request_membership(network=network, company=company, requested_by=rep)
    membership.refresh_from_db()
    assert membership.status == NetworkMembership.Status.REQUESTED
    assert membership.requested_by == rep
    assert membership.role == NetworkMembership.Role.MEMBER
    assert membership.joined_on is None
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert company.name in mail.outbox[0].subject
    assert f"/networks/{network.slug}/dashboard/" in mail.outbox[0].body


@pytest.mark.usefixtures("english")
def test_second_open_request_is_refused(network, company, rep):
    services.request_membership(network=network, company=company, requested_by=rep)
    with pytest.raises(services.DuplicateMembership, match="already asked"):
        services.request_membership(network=network, company=company, requested_by=rep)
    assert NetworkMembership.objects.filter(network=network, company=company).count() == 1


@pytest.mark.usefixtures("english")
def test_request_of_a_member_is_refused(network, company, rep):
    NetworkMembershipFactory(network=network, company=company)
    with pytest.raises(services.DuplicateMembership, match="already a member"):
        services.request_membership(network=network, company=company, requested_by=rep)


def test_request_again_after_decline_or_leaving_is_allowed(network, company, rep):
    NetworkMembershipFactory(network=network, company=company, status="declined")
    NetworkMembershipFactory(network=network, company=company, status="left")
    membership = services.request_membership(network=network, company=company, requested_by=rep)
    assert membership.status == "requested"


def test_partial_unique_constraint_backs_the_rule(network, company):
    NetworkMembershipFactory(network=network, company=company, status="requested")
    with pytest.raises(IntegrityError), transaction.atomic():
        NetworkMembership.objects.create(network=network, company=company, status="active")


@pytest.mark.parametrize("status", ["planned", "closed"])
def test_request_to_a_network_not_active_is_refused(company, rep, status):
    network = TrainingNetworkFactory(status=status)
    with pytest.raises(ValidationError):
        services.request_membership(network=network, company=company, requested_by=rep)
    assert not NetworkMembership.objects.exists()


# --- decide_membership ---------------------------------------------------------------------


@pytest.fixture
def open_request(network, company, rep):
    # A second active colleague and a colleague still waiting to join the company.
    CompanyMemberFactory(
        company=company, user=UserFactory(email="kollege@muster.example"), role="member"
    )
    CompanyMemberFactory(
        company=company,
        user=UserFactory(email="wartet@muster.example"),
        status=CompanyMember.Status.REQUESTED,
        role="member",
    )
    return services.request_membership(network=network, company=company, requested_by=rep)


def test_accept_activates_and_emails_active_members_once(
    open_request, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.decide_membership(
            membership=open_request, accept=True, decided_by=coordinator
        )
    membership.refresh_from_db()
    assert membership.status == NetworkMembership.Status.ACTIVE
    assert membership.joined_on == timezone.localdate()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "inhaberin@muster.example",
        "kollege@muster.example",
    ]
    # German unless the company keeps another language.
    assert all("Verbund Robotik" in m.subject for m in mail.outbox)
    assert "Muster Metallbau GmbH" in mail.outbox[0].body
    assert OutboundEmail.objects.filter(status="sent").count() == 2


def test_decline_marks_declined_and_emails_once(
    open_request, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_membership(membership=open_request, accept=False, decided_by=coordinator)
    open_request.refresh_from_db()
    assert open_request.status == NetworkMembership.Status.DECLINED
    assert open_request.joined_on is None
    assert len(mail.outbox) == 2
    html = mail.outbox[0].alternatives[0][0]
    assert "Verbund Robotik" in html


def test_deciding_twice_is_refused_and_sends_nothing_more(
    open_request, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_membership(membership=open_request, accept=True, decided_by=coordinator)
    sent = len(mail.outbox)
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        services.decide_membership(membership=open_request, accept=False, decided_by=coordinator)
    open_request.refresh_from_db()
    assert open_request.status == "active"
    assert len(mail.outbox) == sent


def test_decision_email_is_german_by_default(open_request, django_capture_on_commit_callbacks):
    # Companies keep no language field yet, so the office's language (German) is used.
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_membership(membership=open_request, accept=True)
    assert mail.outbox[0].subject == "Willkommen im Verbund Verbund Robotik"


# --- add, remove, role ---------------------------------------------------------------------


def test_add_member_directly(network, coordinator):
    company = CompanyFactory()
    membership = services.add_member(
        network=network, company=company, role="anchor", added_by=coordinator
    )
    membership.refresh_from_db()
    assert (membership.status, membership.role) == ("active", "anchor")
    assert membership.joined_on == timezone.localdate()


def test_add_member_accepts_an_open_request(
    open_request, network, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_member(network=network, company=company, role="chamber")
    assert NetworkMembership.objects.filter(network=network, company=company).count() == 1
    open_request.refresh_from_db()
    assert (open_request.status, open_request.role) == ("active", "chamber")
    assert len(mail.outbox) == 2


def test_add_member_twice_is_refused(network, company):
    services.add_member(network=network, company=company)
    with pytest.raises(services.DuplicateMembership):
        services.add_member(network=network, company=company)


def test_add_member_with_unknown_role_is_refused(network, company):
    with pytest.raises(ValidationError):
        services.add_member(network=network, company=company, role="king")
    assert not NetworkMembership.objects.exists()


def test_remove_member_sets_left_today(network, company):
    membership = NetworkMembershipFactory(network=network, company=company)
    services.remove_member(membership=membership)
    membership.refresh_from_db()
    assert membership.status == "left"
    assert membership.left_on == timezone.localdate()
    with pytest.raises(ValidationError):
        services.remove_member(membership=membership)


def test_change_role(network, company):
    membership = NetworkMembershipFactory(network=network, company=company)
    services.change_role(membership=membership, role="education_provider")
    membership.refresh_from_db()
    assert membership.role == "education_provider"
    with pytest.raises(ValidationError):
        services.change_role(membership=membership, role="nonsense")


# --- create / update network ---------------------------------------------------------------


def test_create_network_makes_slug_and_names_creator_coordinator(coordinator):
    topic = TopicFactory()
    network = services.create_network(
        name="Digitales Lernen Süd", topics=[topic], created_by=coordinator
    )
    assert network.slug == "digitales-lernen-sued"
    assert list(network.coordinators.all()) == [coordinator]
    assert list(network.topics.all()) == [topic]
    assert network.status == TrainingNetwork.Status.PLANNED


def test_create_network_numbers_a_taken_or_reserved_slug():
    TrainingNetworkFactory(slug="robotik")
    assert services.create_network(name="Robotik").slug == "robotik-2"
    assert services.create_network(name="New").slug == "new-2"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"slug": "new"}, "slug"),
        ({"description": "<script>alert(1)</script>"}, "description"),
        (
            {"start_date": datetime.date(2026, 5, 1), "end_date": datetime.date(2026, 4, 1)},
            "end_date",
        ),
    ],
)
def test_create_network_validates(values, field):
    with pytest.raises(ValidationError) as info:
        services.create_network(name="Verbund", **values)
    assert field in info.value.message_dict
    assert not TrainingNetwork.objects.exists()


def test_update_network_changes_fields_and_rejects_duplicate_slug(network):
    TrainingNetworkFactory(slug="besetzt")
    updated = services.update_network(network=network, name="Verbund Robotik 2", status="closed")
    assert (updated.name, updated.status) == ("Verbund Robotik 2", "closed")
    with pytest.raises(ValidationError) as info:
        services.update_network(network=network, slug="besetzt")
    assert "slug" in info.value.message_dict
    network.refresh_from_db()
    assert network.slug == "verbund-robotik"
