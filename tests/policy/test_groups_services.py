"""Stakeholder groups' rules: members and people, meetings as draft unlisted workshops of the
group, members invited when a meeting is published, minutes e-mailed once."""

import email
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from policy.groups import services
from policy.models import GroupMeeting, GroupMember, GroupPerson
from regiolab.mail.models import OutboundEmail
from tests.factories import CompanyFactory, UserFactory
from tests.policy.groups_support import held_meeting, make_group
from workshops.lifecycle.services import publish_workshop
from workshops.models import Invitation, Workshop

pytestmark = pytest.mark.django_db


def test_a_member_organisation_with_its_people_lower_cased_and_linked_to_accounts():
    group = make_group(members=0)
    user = UserFactory(email="Anna.Berg@Kassel.example")
    member = services.add_member(
        group=group,
        company=CompanyFactory(name="Stadt Kassel"),
        category="government",
        emails=["anna.berg@kassel.example", "ANNA.BERG@kassel.example", "amt@kassel.example"],
    )
    people = {p.email: p.user_id for p in member.people.all()}
    assert people == {"anna.berg@kassel.example": user.pk, "amt@kassel.example": None}


def test_an_organisation_twice_or_a_bad_address_is_refused_and_nothing_saved():
    group = make_group(members=1)
    company = group.members.get().company
    with pytest.raises(ValidationError) as exc:
        services.add_member(group=group, company=company, category="science", emails=["a@b.de"])
    assert "already a member" in str(exc.value) or "bereits" in str(exc.value)
    with pytest.raises(ValidationError):
        services.add_member(
            group=group, company=CompanyFactory(), category="science", emails=["kein-at"]
        )
    assert GroupMember.objects.filter(group=group).count() == 1
    assert GroupPerson.objects.filter(member__group=group).count() == 2


def test_a_meeting_is_a_draft_unlisted_workshop_and_publishing_invites_the_members(
    coordinator,
):
    group = make_group(members=2, people=2)
    start = timezone.now() + timedelta(days=20)
    meeting = services.schedule_meeting(
        group=group, title="Frühjahrssitzung", starts_at=start,
        ends_at=start + timedelta(hours=3), venue="Kassel", capacity=30, by=coordinator,
    )  # fmt: skip
    workshop = meeting.workshop
    assert workshop.status == Workshop.Status.DRAFT and workshop.listed is False
    assert GroupMeeting.objects.get(workshop=workshop).group == group
    assert not Invitation.objects.filter(workshop=workshop).exists()
    publish_workshop(workshop=workshop, by=coordinator)
    invited = set(Invitation.objects.filter(workshop=workshop).values_list("email", flat=True))
    assert invited == set(
        GroupPerson.objects.filter(member__group=group).values_list("email", flat=True)
    )
    # Inviting again invites nobody twice.
    assert services.invite_members(meeting=meeting) == 0
    assert Invitation.objects.filter(workshop=workshop).count() == 4


def test_the_suggested_next_meeting_follows_the_meetings_per_year():
    group = make_group(members=0)
    meeting = held_meeting(group, days_ago=10)
    suggestion = services.next_meeting_start(group)
    gap = suggestion - meeting.workshop.starts_at
    assert timedelta(days=180) < gap < timedelta(days=184)


def test_minutes_are_emailed_to_the_members_once(coordinator):
    group = make_group(members=2, people=2)
    meeting = held_meeting(group)
    assert services.record_minutes(
        meeting=meeting, minutes="Aktionsplan vorgestellt.", decisions="Maßnahme 2 starten.",
        by=coordinator,
    )  # fmt: skip
    rows = OutboundEmail.objects.filter(to__endswith="@example.org")
    assert rows.count() == 4
    message = email.message_from_string(rows.first().body_text)
    assert "Maßnahme 2 starten." in message.get_payload()
    assert f"/policy/groups/{group.pk}/" in message.get_payload()
    # Edited later: saved, nobody told again.
    assert not services.record_minutes(
        meeting=meeting, minutes="Korrigiert.", decisions="", by=coordinator
    )
    assert OutboundEmail.objects.filter(to__endswith="@example.org").count() == 4
    meeting.refresh_from_db()
    assert meeting.minutes == "Korrigiert." and meeting.minutes_sent_at is not None


def test_minutes_before_the_meeting_or_empty_are_refused():
    group = make_group(members=1)
    start = timezone.now() + timedelta(days=5)
    future = services.schedule_meeting(
        group=group, title="Bald", starts_at=start, ends_at=start + timedelta(hours=2),
        venue="Kassel", capacity=10,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="taken place|stattgefunden"):
        services.record_minutes(meeting=future, minutes="Zu früh", decisions="")
    with pytest.raises(ValidationError):
        services.record_minutes(meeting=held_meeting(group), minutes=" ", decisions="")
    assert not GroupMeeting.objects.exclude(minutes="").exists()
    assert not OutboundEmail.objects.exists()
