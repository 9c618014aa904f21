"""Read paths of stakeholder groups: whose groups a person sees, and the group page (members
by helix category, meetings, attendance by organisation) in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from policy.models import GroupMeeting, GroupMember, GroupPerson, HelixCategory, StakeholderGroup
from regiolab.permissions import is_coordinator
from workshops.models import Registration


def _verified_emails(user):
    from allauth.account.models import EmailAddress

    return (
        EmailAddress.objects.filter(user=user, verified=True)
        .annotate(email_lower=Lower("email"))
        .values("email_lower")
    )


def member_people(user) -> QuerySet[GroupPerson]:
    """The GroupPerson rows that are this user: linked to the account, or one of its verified
    addresses (people are stored lower-cased)."""
    if not user.is_authenticated:
        return GroupPerson.objects.none()
    return GroupPerson.objects.filter(Q(user=user) | Q(email__in=_verified_emails(user)))


def groups_of_member(user) -> QuerySet[StakeholderGroup]:
    return StakeholderGroup.objects.filter(pk__in=member_people(user).values("member__group_id"))


def groups_visible_to(user) -> QuerySet[StakeholderGroup]:
    """Coordinators see every group, members their own, everybody else none."""
    if not user.is_authenticated:
        return StakeholderGroup.objects.none()
    if is_coordinator(user):
        return StakeholderGroup.objects.all()
    return groups_of_member(user)


def group_list(user) -> QuerySet[StakeholderGroup]:
    return (
        groups_visible_to(user)
        .annotate(
            member_count=Count("members", distinct=True),
            meeting_count=Count("meetings", distinct=True),
        )
        .order_by("name", "pk")
    )


def visible_group(*, user, pk: int) -> StakeholderGroup:
    """StakeholderGroup.DoesNotExist (views answer 404) when the user may not see it."""
    return groups_visible_to(user).get(pk=pk)


@dataclass
class MemberRow:
    member: GroupMember
    people: list[GroupPerson]
    attended: list[bool] = field(default_factory=list)  # per meeting held

    @property
    def meetings_attended(self) -> int:
        return sum(self.attended)


@dataclass
class GroupPage:
    group: StakeholderGroup
    categories: list[tuple[str, str, list[MemberRow]]]
    meetings: list[GroupMeeting]
    held: list[GroupMeeting]
    upcoming: list[GroupMeeting]

    @property
    def member_rows(self) -> list[MemberRow]:
        return [row for _code, _label, rows in self.categories for row in rows]


def group_page(group: StakeholderGroup, *, now=None) -> GroupPage:
    """Members by category with their people, the meetings, and which member organisation was
    present at which held meeting: four queries however many members and meetings."""
    from django.utils import timezone

    now = now or timezone.now()
    members = list(
        GroupMember.objects.filter(group=group)
        .select_related("company")
        .prefetch_related(Prefetch("people", queryset=GroupPerson.objects.order_by("email")))
        .order_by("category", "company__name", "pk")
    )
    meetings = list(
        GroupMeeting.objects.filter(group=group)
        .select_related("workshop")
        .order_by("workshop__starts_at", "pk")
    )
    held = [
        m
        for m in meetings
        if m.workshop.ends_at <= now and m.workshop.status in ("published", "done")
    ]
    upcoming = [m for m in meetings if m not in held and m.workshop.status != "cancelled"]
    # Present at a meeting: a registration recorded as attended, for the organisation itself
    # or for one of its people's addresses.
    present: dict[int, set[int]] = defaultdict(set)  # workshop id → member ids
    by_company = {m.company_id: m.pk for m in members}
    by_email = {p.email.lower(): m.pk for m in members for p in m.people.all()}
    rows = Registration.objects.filter(
        workshop_id__in=[m.workshop_id for m in held], status=Registration.Status.ATTENDED
    ).values_list("workshop_id", "company_id", "email")
    for workshop_id, company_id, email in rows:
        member_id = by_company.get(company_id) or by_email.get((email or "").lower())
        if member_id:
            present[workshop_id].add(member_id)
    grouped: dict[str, list[MemberRow]] = defaultdict(list)
    for m in members:
        grouped[m.category].append(
            MemberRow(
                member=m,
                people=list(m.people.all()),
                attended=[m.pk in present[meeting.workshop_id] for meeting in held],
            )
        )
    categories = [(code, label, grouped.get(code, [])) for code, label in HelixCategory.choices]
    return GroupPage(group, categories, meetings, held, upcoming)


def meeting_of(*, group: StakeholderGroup, pk: int) -> GroupMeeting:
    return GroupMeeting.objects.select_related("workshop", "group").get(group=group, pk=pk)


def member_of(*, group: StakeholderGroup, pk: int) -> GroupMember:
    return GroupMember.objects.select_related("company").get(group=group, pk=pk)


def recipients_of(group: StakeholderGroup) -> list[GroupPerson]:
    return list(
        GroupPerson.objects.filter(member__group=group)
        .select_related("member")
        .order_by("email", "pk")
    )
