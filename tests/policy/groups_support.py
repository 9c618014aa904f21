"""A stakeholder group with members of every helix category, their people and meetings."""

from datetime import timedelta

from django.utils import timezone

from policy.groups import services
from policy.models import StakeholderGroup
from tests.factories import CompanyFactory, RegistrationFactory
from workshops.models import Workshop

CATEGORIES = ["government", "business", "science", "civil_society"]


def make_group(name="Regionale Stakeholdergruppe Nordhessen", *, members=4, people=2):
    group = StakeholderGroup.objects.create(
        name=name, purpose="Die Umsetzung des Aktionsplans begleiten.", region="Nordhessen"
    )
    for i in range(members):
        company = CompanyFactory(name=f"{name[:20]} Organisation {i}")
        services.add_member(
            group=group,
            company=company,
            category=CATEGORIES[i % 4],
            emails=[f"p{j}.o{i}.g{group.pk}@example.org" for j in range(people)],
        )
    return group


def held_meeting(group, *, days_ago=30, title="Sitzung", attended=()):
    """A meeting that took place, with attended registrations of the given members."""
    start = timezone.now() - timedelta(days=days_ago)
    meeting = services.schedule_meeting(
        group=group,
        title=title,
        starts_at=timezone.now() + timedelta(days=10),
        ends_at=timezone.now() + timedelta(days=10, hours=3),
        venue="Kassel",
        capacity=40,
    )
    Workshop.objects.filter(pk=meeting.workshop_id).update(
        starts_at=start, ends_at=start + timedelta(hours=3), status=Workshop.Status.DONE
    )
    meeting.workshop.refresh_from_db()
    for member in attended:
        RegistrationFactory(workshop=meeting.workshop, company=member.company, status="attended")
    return meeting
