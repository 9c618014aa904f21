from datetime import date, timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from companies import services
from companies.models import Company, CompanyInvitation, CompanyMember, Consultation
from regiolab.mail import deliver_new
from tests.factories import (
    CompanyFactory,
    CompanyInvitationFactory,
    CompanyMemberFactory,
    ConsultationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "Hannoversche Zerspanung GmbH",
    "city": "Laatzen",
    "municipality": "Laatzen",
    "postcode": "30880",
    "sector": "C",
    "headcount": Decimal("12"),
    "annual_turnover": Decimal("1500000"),
}


def test_person_without_company_creates_one_and_becomes_owner():
    person = UserFactory()
    topic = TopicFactory()
    company = services.create_company(created_by=person, training_needs=[topic], **PROFILE)
    member = CompanyMember.objects.get(user=person)
    assert member.company == company
    assert member.role == CompanyMember.Role.OWNER
    assert member.status == CompanyMember.Status.ACTIVE
    assert company.size_class_stored == "small"
    assert list(company.training_needs.all()) == [topic]


def test_coordinator_creates_company_without_membership(coordinator):
    company = services.create_company(created_by=coordinator, **PROFILE)
    assert Company.objects.filter(pk=company.pk).exists()
    assert not CompanyMember.objects.exists()


def test_person_with_company_cannot_create_another():
    member = CompanyMemberFactory()
    with pytest.raises(ValidationError):
        services.create_company(created_by=member.user, **PROFILE)
    assert Company.objects.count() == 1


def test_create_company_validates_and_saves_nothing():
    person = UserFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.create_company(created_by=person, **{**PROFILE, "headcount": Decimal(-1)})
    assert "headcount" in excinfo.value.message_dict
    assert not Company.objects.exists()
    assert not CompanyMember.objects.exists()


def test_update_company_changes_profile_and_size_class():
    company = CompanyFactory(headcount=5, annual_turnover=Decimal(900_000))
    updated = services.update_company(
        company=company, updated_by=None, headcount=Decimal(60), city="Lehrte"
    )
    company.refresh_from_db()
    assert (company.city, company.size_class_stored) == ("Lehrte", "medium")
    assert updated.size_class == "medium"


def test_update_company_rejects_derived_fields():
    company = CompanyFactory()
    with pytest.raises(TypeError):
        services.update_company(company=company, updated_by=None, size_class_stored="micro")


def test_request_to_join_emails_owners_only(django_capture_on_commit_callbacks):
    owner = CompanyMemberFactory(user__email="chefin@example.org")
    CompanyMemberFactory(
        company=owner.company, role=CompanyMember.Role.MEMBER, user__email="kollege@example.org"
    )
    person = UserFactory(first_name="Jonas", last_name="Neu")
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.request_to_join(user=person, company=owner.company)
    assert membership.status == CompanyMember.Status.REQUESTED
    assert [m.to for m in mail.outbox] == [["chefin@example.org"]]
    body = mail.outbox[0].body
    assert "Jonas Neu" in body
    assert f"/companies/{owner.company.pk}/members/" in body


def test_request_to_join_twice_or_with_company_is_refused():
    company = CompanyFactory()
    person = UserFactory()
    services.request_to_join(user=person, company=company)
    with pytest.raises(ValidationError):
        services.request_to_join(user=person, company=CompanyFactory())
    member = CompanyMemberFactory()
    with pytest.raises(ValidationError):
        services.request_to_join(user=member.user, company=company)
    assert CompanyMember.objects.filter(status="requested").count() == 1


def test_coordinator_cannot_join(coordinator):
    with pytest.raises(ValidationError):
        services.request_to_join(user=coordinator, company=CompanyFactory())


def test_accept_join_request_emails_person(django_capture_on_commit_callbacks):
    owner = CompanyMemberFactory()
    person = UserFactory(email="neu@example.org")
    request = services.request_to_join(user=person, company=owner.company)
    deliver_new()  # the worker has sent what the setup queued
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_join_request(membership=request, decided_by=owner.user, accept=True)
    request.refresh_from_db()
    assert request.status == CompanyMember.Status.ACTIVE
    assert [m.to for m in mail.outbox] == [["neu@example.org"]]
    assert owner.company.name in mail.outbox[0].subject
    with pytest.raises(ValidationError):  # answered once only
        services.decide_join_request(membership=request, decided_by=owner.user, accept=False)


def test_decline_join_request_deletes_it_and_emails(django_capture_on_commit_callbacks):
    owner = CompanyMemberFactory()
    person = UserFactory(email="abgelehnt@example.org")
    request = services.request_to_join(user=person, company=owner.company)
    deliver_new()  # the worker has sent what the setup queued
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_join_request(membership=request, decided_by=owner.user, accept=False)
    assert not CompanyMember.objects.filter(user=person).exists()
    assert [m.to for m in mail.outbox] == [["abgelehnt@example.org"]]
    assert "declined" in mail.outbox[0].body or "abgelehnt" in mail.outbox[0].body
    # Free to ask again or register their own company.
    services.create_company(created_by=person, **PROFILE)


def test_invite_colleague_sends_link_once_per_open_invitation(django_capture_on_commit_callbacks):
    owner = CompanyMemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_colleague(
            company=owner.company, email="Kollegin@Example.org", invited_by=owner.user
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Kollegin@Example.org"]
    assert f"/companies/invitations/{invitation.token}/" in mail.outbox[0].body
    assert f"/companies/invitations/{invitation.token}/" in mail.outbox[0].alternatives[0][0]
    # Inviting the same address again re-sends the open invitation, no second row.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.invite_colleague(
            company=owner.company, email="kollegin@example.org", invited_by=owner.user
        )
    assert again.pk == invitation.pk
    assert CompanyInvitation.objects.count() == 1
    assert len(mail.outbox) == 2


def test_invite_existing_member_is_refused():
    owner = CompanyMemberFactory(user__email="chef@example.org")
    with pytest.raises(ValidationError) as excinfo:
        services.invite_colleague(
            company=owner.company, email="CHEF@example.org", invited_by=owner.user
        )
    assert "email" in excinfo.value.message_dict
    assert not CompanyInvitation.objects.exists()


def test_accept_invitation_with_verified_matching_email():
    invitation = CompanyInvitationFactory(email="Neu@Example.org")
    user = UserFactory(email="neu@example.org")
    membership = services.accept_invitation(invitation=invitation, user=user)
    assert membership.company == invitation.company
    assert membership.role == CompanyMember.Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    with pytest.raises(ValidationError):  # used once only
        services.accept_invitation(invitation=invitation, user=user)


def test_accept_invitation_refuses_other_or_unverified_email():
    invitation = CompanyInvitationFactory(email="eingeladen@example.org")
    other = UserFactory(email="jemand@example.org")
    with pytest.raises(ValidationError):
        services.accept_invitation(invitation=invitation, user=other)
    unverified = UserFactory(email="x@example.org")
    EmailAddress.objects.create(user=unverified, email="eingeladen@example.org", verified=False)
    with pytest.raises(ValidationError):
        services.accept_invitation(invitation=invitation, user=unverified)
    assert not CompanyMember.objects.exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_accept_invitation_refuses_member_of_other_company_and_expired():
    member = CompanyMemberFactory(user__email="vergeben@example.org")
    invitation = CompanyInvitationFactory(email="vergeben@example.org")
    with pytest.raises(ValidationError):
        services.accept_invitation(invitation=invitation, user=member.user)
    old = CompanyInvitationFactory(email="spaet@example.org")
    CompanyInvitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=services.INVITATION_VALID_DAYS + 1)
    )
    with pytest.raises(ValidationError):
        services.accept_invitation(invitation=old, user=UserFactory(email="spaet@example.org"))
    assert CompanyMember.objects.count() == 1


def test_accept_invitation_replaces_open_join_request():
    person = UserFactory(email="wechsel@example.org")
    services.request_to_join(user=person, company=CompanyFactory())
    invitation = CompanyInvitationFactory(email="wechsel@example.org")
    services.accept_invitation(invitation=invitation, user=person)
    assert list(CompanyMember.objects.filter(user=person).values_list("company", "status")) == [
        (invitation.company_id, "active")
    ]


def test_last_owner_can_neither_be_removed_nor_demoted():
    owner = CompanyMemberFactory()
    with pytest.raises(ValidationError):
        services.remove_member(membership=owner, removed_by=owner.user)
    with pytest.raises(ValidationError):
        services.change_member_role(membership=owner, role="member", changed_by=owner.user)
    owner.refresh_from_db()
    assert owner.role == CompanyMember.Role.OWNER


def test_change_role_and_remove_with_a_second_owner():
    owner = CompanyMemberFactory()
    colleague = CompanyMemberFactory(company=owner.company, role=CompanyMember.Role.MEMBER)
    services.change_member_role(membership=colleague, role="owner", changed_by=owner.user)
    services.change_member_role(membership=owner, role="member", changed_by=owner.user)
    owner.refresh_from_db()
    colleague.refresh_from_db()
    assert (owner.role, colleague.role) == ("member", "owner")
    services.remove_member(membership=owner, removed_by=colleague.user)
    assert list(CompanyMember.objects.values_list("pk", flat=True)) == [colleague.pk]


def test_pending_request_does_not_count_as_owner():
    owner = CompanyMemberFactory()
    CompanyMemberFactory(company=owner.company, role="owner", status="requested")
    with pytest.raises(ValidationError):
        services.remove_member(membership=owner, removed_by=owner.user)


def test_change_role_rejects_unknown_role():
    owner = CompanyMemberFactory()
    colleague = CompanyMemberFactory(company=owner.company, role=CompanyMember.Role.MEMBER)
    with pytest.raises(ValidationError):
        services.change_member_role(membership=colleague, role="admin", changed_by=owner.user)


def test_log_consultation(coordinator):
    company = CompanyFactory()
    consultation = services.log_consultation(
        company=company,
        coordinator=coordinator,
        date=date(2026, 3, 2),
        channel=Consultation.Channel.ON_SITE,
        subjects=["funding", "network"],
        minutes="Förderung besprochen.",
        follow_up_on=date(2026, 3, 16),
    )
    consultation.refresh_from_db()
    assert consultation.subjects == ["funding", "network"]
    assert consultation.get_subjects_display() == ["Förderung", "Verbund"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"follow_up_on": date(2026, 3, 1)}, "follow_up_on"),
        ({"subjects": ["astrology"]}, "subjects"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_log_consultation_rejects_bad_input(coordinator, changes, field):
    values = {
        "date": date(2026, 3, 2),
        "channel": "phone",
        "subjects": ["funding"],
        **changes,
    }
    with pytest.raises(ValidationError) as excinfo:
        services.log_consultation(company=CompanyFactory(), coordinator=coordinator, **values)
    assert field in excinfo.value.message_dict
    assert not Consultation.objects.exists()


def test_follow_up_on_the_consultation_day_is_allowed(coordinator):
    services.log_consultation(
        company=CompanyFactory(),
        coordinator=coordinator,
        date=date(2026, 3, 2),
        channel="phone",
        subjects=["funding"],
        follow_up_on=date(2026, 3, 2),
    )
    assert Consultation.objects.count() == 1


def test_complete_follow_up_is_idempotent(coordinator):
    consultation = ConsultationFactory(follow_up_on=date(2026, 4, 1))
    services.complete_follow_up(consultation=consultation, done_by=coordinator)
    services.complete_follow_up(consultation=consultation, done_by=coordinator)
    consultation.refresh_from_db()
    assert consultation.follow_up_done is True
    without = ConsultationFactory(follow_up_on=None)
    with pytest.raises(ValidationError):
        services.complete_follow_up(consultation=without, done_by=coordinator)
