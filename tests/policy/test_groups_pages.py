"""The stakeholder group pages: coordinators create groups, add members, schedule meetings and
record minutes through the forms; the group page shows members by category and attendance by
organisation in constant queries; members see their own groups only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from policy.models import GroupMeeting, GroupMember, StakeholderGroup
from tests.factories import CompanyFactory, UserFactory
from tests.policy.groups_support import held_meeting, make_group
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


def test_the_coordinator_creates_a_group_and_adds_a_member(coordinator_client):
    response = coordinator_client.post(
        reverse("policy:group_create"),
        {"name": "Stakeholdergruppe Latium", "purpose": "Transfer", "region": "Latium",
         "meetings_per_year": 2},
    )  # fmt: skip
    group = StakeholderGroup.objects.get(name="Stakeholdergruppe Latium")
    assert response.status_code == 302 and response.url == group.get_absolute_url()
    company = CompanyFactory(name="Universität Rom")
    response = coordinator_client.post(
        reverse("policy:group_member_add", args=[group.pk]),
        {"company": company.pk, "category": "science", "people": "a@uni.example\nb@uni.example"},
    )
    assert response.status_code == 302
    assert group.members.get().people.count() == 2
    # The same organisation again: the form says so, nothing is saved.
    response = coordinator_client.post(
        reverse("policy:group_member_add", args=[group.pk]),
        {"company": company.pk, "category": "business", "people": "c@uni.example"},
    )
    assert response.status_code == 200
    assert "bereits Mitglied" in response.content.decode()
    assert GroupMember.objects.get(group=group).category == "science"


def test_scheduling_a_meeting_creates_a_draft_workshop_of_the_group(coordinator_client):
    group = make_group(members=1)
    start = timezone.localtime(timezone.now() + timedelta(days=30)).replace(second=0)
    response = coordinator_client.post(
        reverse("policy:group_meeting_add", args=[group.pk]),
        {"title": "Herbstsitzung", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
         "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
         "venue": "Kassel", "capacity": 25},
    )  # fmt: skip
    meeting = GroupMeeting.objects.get(group=group)
    assert response.status_code == 302
    assert response.url == reverse("workshops:edit", args=[meeting.workshop.slug])
    assert meeting.workshop.status == Workshop.Status.DRAFT and not meeting.workshop.listed
    # The form suggests a date (a year divided by the meetings per year).
    page = coordinator_client.get(reverse("policy:group_meeting_add", args=[group.pk]))
    assert "Sitzung" in page.content.decode() or "Meeting" in page.content.decode()


def test_the_minutes_form_saves_and_informs_once(coordinator_client, mailoutbox):
    from regiolab.mail.models import OutboundEmail

    group = make_group(members=1, people=3)
    meeting = held_meeting(group)
    url = reverse("policy:group_minutes", args=[group.pk, meeting.pk])
    assert coordinator_client.get(url).status_code == 200
    response = coordinator_client.post(url, {"minutes": "Protokoll", "decisions": "Beschluss"})
    assert response.status_code == 302
    assert OutboundEmail.objects.count() == 3
    coordinator_client.post(url, {"minutes": "Protokoll v2", "decisions": "Beschluss"})
    assert OutboundEmail.objects.count() == 3
    # Empty: refused with a message, nothing changed.
    response = coordinator_client.post(url, {"minutes": "", "decisions": ""})
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.minutes == "Protokoll v2"


def test_the_group_page_shows_members_by_category_and_attendance(coordinator_client):
    group = make_group(members=4, people=1)
    members = list(group.members.order_by("pk"))
    held_meeting(group, days_ago=200, title="Erste Sitzung", attended=members[:3])
    held_meeting(group, days_ago=20, title="Zweite Sitzung", attended=members[:1])
    response = coordinator_client.get(group.get_absolute_url())
    html = response.content.decode()
    for label in ("Politik und Verwaltung", "Wirtschaft", "Wissenschaft", "Zivilgesellschaft"):
        assert label in html or label.lower() in html
    page = response.context["page"]
    attendance = {row.member.pk: row.meetings_attended for row in page.member_rows}
    assert attendance == {members[0].pk: 2, members[1].pk: 1, members[2].pk: 1, members[3].pk: 0}
    assert [m.workshop.title for m in page.held] == ["Erste Sitzung", "Zweite Sitzung"]


def _count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_group_page_queries_do_not_grow_with_members_and_meetings(
    coordinator_client, django_assert_max_num_queries
):
    small = make_group("Kleine Gruppe", members=1, people=1)
    held_meeting(small, attended=small.members.all()[:1])
    big = make_group("Große Gruppe", members=12, people=3)
    for days in (400, 200, 20):
        held_meeting(big, days_ago=days, attended=list(big.members.all()[:6]))
    few = _count_queries(coordinator_client, small.get_absolute_url(), None)
    many = _count_queries(coordinator_client, big.get_absolute_url(), None)
    assert few == many


def test_members_see_their_own_groups_and_nothing_of_others(client):
    mine = make_group("Meine Gruppe", members=1, people=1)
    other = make_group("Andere Gruppe", members=1, people=1)
    person = mine.members.get().people.get()
    user = UserFactory(email=person.email)
    client.force_login(user)
    listing = client.get(reverse("policy:groups"))
    assert listing.status_code == 200
    assert "Meine Gruppe" in listing.content.decode()
    assert "Andere Gruppe" not in listing.content.decode()
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    # Managing stays the coordinators'.
    assert client.get(reverse("policy:group_edit", args=[mine.pk])).status_code == 403
    # Somebody in no group: no list, no group.
    client.force_login(UserFactory())
    assert client.get(reverse("policy:groups")).status_code == 403
    assert client.get(mine.get_absolute_url()).status_code == 404
