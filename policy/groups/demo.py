"""Demo data for stakeholder groups: a regional stakeholder group of the demo's own
organisations (government, business, science, civil society; two people each) with two
meetings, one held (attendance, minutes) and one ahead (published, members invited).
Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from companies.models import Company
from policy.models import GroupMeeting, StakeholderGroup
from workshops.models import Registration, Workshop

from . import services

GROUP_NAME = "Regionale Stakeholdergruppe Region Hannover"
# The demo's own organisations, by kind, in the quadruple-helix category they represent.
CATEGORY_KINDS = [
    ("government", ["public_body"], 1),
    ("business", ["sme", "large"], 2),
    ("science", ["research", "education_provider"], 1),
    ("civil_society", ["chamber"], 1),
]


def _address(company: Company, n: int) -> str:
    local = "".join(c for c in company.name.lower() if c.isascii() and c.isalnum())[:20]
    return f"stakeholder{n}.{local or company.pk}@regiolab-demo.example"


def seed_groups_demo(stdout) -> StakeholderGroup:
    group, created = StakeholderGroup.objects.get_or_create(
        name=GROUP_NAME,
        defaults={
            "region": "Region Hannover",
            "purpose": "Die Stakeholdergruppe begleitet die Übertragung der Open Innovation "
            "Challenge aus Latium in die Region Hannover und die Umsetzung des Aktionsplans. "
            "Sie trifft sich zweimal im Jahr.",
        },
    )
    if not created:
        return group
    members, taken = [], set()
    for category, kinds, count in CATEGORY_KINDS:
        for company in (
            Company.objects.filter(kind__in=kinds).exclude(pk__in=taken).order_by("name")[:count]
        ):
            taken.add(company.pk)
            members.append(
                services.add_member(
                    group=group, company=company, category=category,
                    emails=[_address(company, 1), _address(company, 2)],
                )
            )  # fmt: skip
    now = timezone.now()
    held_start = timezone.localtime(now - timedelta(days=60)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    held = services.schedule_meeting(
        group=group, title="Frühjahrssitzung der Stakeholdergruppe Region Hannover",
        starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=3),
        venue="Haus der Region, Hildesheimer Straße 18, 30169 Hannover", capacity=30,
    )  # fmt: skip
    Workshop.objects.filter(pk=held.workshop_id).update(
        starts_at=held_start, ends_at=held_start + timedelta(hours=3),
        status=Workshop.Status.DONE, published_at=held_start - timedelta(days=30),
    )  # fmt: skip
    for member in members[:4]:
        person = member.people.order_by("email").first()
        Registration.objects.create(
            workshop_id=held.workshop_id, first_name="Mitglied", last_name=member.company.name[:90],
            email=person.email, company=member.company, status=Registration.Status.ATTENDED,
            confirmed_at=held_start - timedelta(days=7), attendance_marked_at=held_start,
        )  # fmt: skip
    GroupMeeting.objects.filter(pk=held.pk).update(
        minutes="Die Gruppe hat den Entwurf des Aktionsplans beraten. Die Bildungseinrichtungen "
        "stellen Räume für die Pitch-Tage bereit; die Koordinierungsstelle betreut die Calls.",
        decisions="1. Die Open Innovation Challenge startet im Herbst.\n"
        "2. Die Förderung wird bei der Region Hannover beantragt.",
        minutes_sent_at=held_start + timedelta(days=2),
    )
    next_start = services.next_meeting_start(group)
    upcoming = services.schedule_meeting(
        group=group, title="Herbstsitzung der Stakeholdergruppe Region Hannover",
        starts_at=next_start, ends_at=next_start + timedelta(hours=3),
        venue="Neues Rathaus Hannover, Trammplatz 2, 30159 Hannover", capacity=30,
    )  # fmt: skip
    from workshops.lifecycle.services import publish_workshop

    publish_workshop(workshop=upcoming.workshop)  # invites the members (publish hook)
    stdout.write(f"Stakeholder group: {group.name} with {len(members)} members, two meetings")
    return group
