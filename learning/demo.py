"""The demo's learning programme (called by ``manage.py seed_demo``): "Kompetenzsicherung
Metall Region Hannover", cycle 1 done (attendance, every organisation's submitted report with
items in all four sections, tagged findings), cycle 2 running (tasks, some drafts, a few
reports begun), cycle 3 ahead. Safe to run again: every row is written with
``update_or_create`` on its natural key; dates stay relative to today. Works on SQLite."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from companies.models import Company
from networks.models import TrainingNetwork
from regiolab import demo_data as data
from workshops.models import Invitation, Registration, Workshop

from .models import (
    Cycle,
    CycleReport,
    FindingTag,
    LearningProgramme,
    ProgrammeOrganisation,
    ProgrammePerson,
    ReportItem,
    Task,
    TaskSubmission,
)
from .services import WORKSHOP_ENDS, WORKSHOP_STARTS

SECTIONS = ("activity", "challenge", "obstacle", "opportunity")
VENUE = "Neues Rathaus Hannover, Trammplatz 2, 30159 Hannover"


def _local(day, moment):
    return timezone.make_aware(datetime.combine(day, moment))


def _companies() -> dict[str, Company]:
    for row in data.LEARNING_COMPANIES:
        (name, legal_form, municipality, postcode, street, sector, code, kind,
         headcount, turnover, balance) = row  # fmt: skip
        Company.objects.update_or_create(
            name=name,
            defaults={
                "legal_form": legal_form,
                "street": street,
                "postcode": postcode,
                "city": municipality,
                "municipality": municipality,
                "sector": sector,
                "sector_code": code,
                "kind": kind,
                "headcount": headcount,
                "annual_turnover": turnover,
                "balance_sheet_total": balance,
                "figures_year": 2025,
                "enterprise_type": Company.EnterpriseType.AUTONOMOUS,
                "contact_consent": True,
            },
        )
    names = [row[0] for row in data.LEARNING_ORGANISATIONS]
    return {c.name: c for c in Company.objects.filter(name__in=names)}


def _cycles(programme, coordinator, spec) -> list[Cycle]:
    today = timezone.localdate()
    first = today - timedelta(days=spec["first_workshop_days_ago"])
    now = timezone.now()
    cycles = []
    for number, (theme, theme_en) in enumerate(spec["themes"], start=1):
        day = first + timedelta(weeks=spec["interval_weeks"] * (number - 1))
        starts_at = _local(day, WORKSHOP_STARTS)
        done = starts_at < now
        fields = {
            "title": f"{programme.title} – Lernworkshop {number}",
            "title_en": f"{programme.title} – learning workshop {number}",
            "description": programme.goal,
            "network": programme.network,
            "venue": VENUE,
            "starts_at": starts_at,
            "ends_at": _local(day, WORKSHOP_ENDS),
            "registration_deadline": starts_at - timedelta(days=3),
            "status": Workshop.Status.DONE if done else Workshop.Status.PUBLISHED,
            "listed": False,
        }
        workshop, _created = Workshop.objects.update_or_create(
            slug=f"{programme.slug}-lernworkshop-{number}",
            defaults=fields,
            create_defaults={
                **fields,
                "capacity": 30,
                "created_by": coordinator,
                "published_at": now,
            },
        )
        cycle, _created = Cycle.objects.update_or_create(
            programme=programme,
            number=number,
            defaults={"theme": theme, "theme_en": theme_en, "workshop": workshop},
        )
        cycles.append(cycle)
    return cycles


def _organisations(programme, companies, coordinator) -> dict[str, ProgrammeOrganisation]:
    User = get_user_model()
    organisations = {}
    for name, actor_type, people, *_rest in data.LEARNING_ORGANISATIONS:
        organisation, _created = ProgrammeOrganisation.objects.update_or_create(
            programme=programme,
            company=companies[name],
            defaults={"actor_type": actor_type, "added_by": coordinator},
        )
        for first, last, email in people:
            ProgrammePerson.objects.update_or_create(
                organisation=organisation,
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "user": User.objects.filter(email__iexact=email).first(),
                },
            )
        organisations[name] = organisation
    return organisations


def _invitations_and_attendance(cycles, organisations, coordinator) -> None:
    """Everybody was invited to every cycle (sent); everybody attended cycle 1."""
    now = timezone.now()
    invited_at = min(c.workshop.starts_at for c in cycles) - timedelta(days=30)
    done = [c for c in cycles if c.workshop.status == Workshop.Status.DONE]
    for organisation in organisations.values():
        people = list(organisation.people.all())
        for cycle in cycles:
            for person in people:
                Invitation.objects.update_or_create(
                    workshop=cycle.workshop,
                    email=person.email,
                    defaults={
                        "company": organisation.company,
                        "status": Invitation.Status.SENT,
                        "sent_at": invited_at,
                        "invited_by": coordinator,
                        "language": "de",
                    },
                )
        for cycle in done:
            for person in people:
                Registration.objects.update_or_create(
                    workshop=cycle.workshop,
                    email=person.email,
                    defaults={
                        "first_name": person.first_name,
                        "last_name": person.last_name,
                        "company": organisation.company,
                        "company_name": organisation.company.name,
                        "status": Registration.Status.ATTENDED,
                        "confirmed_at": invited_at,
                        "attendance_marked_at": cycle.workshop.starts_at,
                    },
                )
        if organisation.invited_at is None:
            organisation.invited_at = invited_at
            organisation.save(update_fields=["invited_at"])
    for cycle in cycles:
        taken = Registration.objects.filter(
            workshop=cycle.workshop,
            status__in=(
                Registration.Status.CONFIRMED,
                Registration.Status.ATTENDED,
                Registration.Status.NO_SHOW,
            ),
        ).count()
        Workshop.objects.filter(pk=cycle.workshop_id).update(seats_taken=taken, updated_at=now)


def _reports(programme, cycles, organisations) -> int:
    """Cycle 1: every organisation's submitted report, all four sections, tagged findings.
    Cycle 2: drafts begun by two organisations that follow up their cycle-1 obstacle."""
    first, second = cycles[0], cycles[1]
    submitted_at = first.workshop.starts_at - timedelta(days=2)
    tags = {}
    items = 0
    for (
        name,
        _actor,
        _people,
        texts,
        obstacle_tags,
        opportunity_tags,
    ) in data.LEARNING_ORGANISATIONS:
        organisation = organisations[name]
        report, _created = CycleReport.objects.update_or_create(
            cycle=first,
            organisation=organisation,
            defaults={"status": CycleReport.Status.SUBMITTED, "submitted_at": submitted_at},
        )
        for position, (section, text) in enumerate(zip(SECTIONS, texts, strict=True)):
            item, _created = ReportItem.objects.update_or_create(
                report=report, section=section, position=position, defaults={"text": text}
            )
            items += 1
            names = {"obstacle": obstacle_tags, "opportunity": opportunity_tags}.get(section, [])
            for tag_name in names:
                if tag_name not in tags:
                    tags[tag_name], _created = FindingTag.objects.get_or_create(
                        programme=programme, name=tag_name
                    )
            item.tags.set([tags[n] for n in names])
    for name in data.LEARNING_SUBMITTED:
        organisation = organisations[name]
        earlier = ReportItem.objects.get(
            report__cycle=first, report__organisation=organisation, section="obstacle"
        )
        report, _created = CycleReport.objects.update_or_create(
            cycle=second, organisation=organisation, defaults={"status": CycleReport.Status.DRAFT}
        )
        ReportItem.objects.update_or_create(
            report=report,
            section="obstacle",
            position=0,
            defaults={"text": f"Weiterhin: {earlier.text}", "follows": earlier},
        )
    return items


def _tasks(cycles, organisations, coordinator) -> int:
    second, third = cycles[1], cycles[2]
    due = timezone.localtime(third.workshop.starts_at).date() - timedelta(days=1)
    due_first = timezone.localtime(second.workshop.starts_at).date() - timedelta(days=1)
    count = 0
    for index, (title, instructions) in enumerate(data.LEARNING_TASKS):
        task, _created = Task.objects.update_or_create(
            cycle=second,
            title=title,
            defaults={
                "instructions": instructions,
                "due_date": due_first if index == 0 else due,
                "created_by": coordinator,
            },
        )
        count += 1
        if index:
            continue
        for names, status in (
            (data.LEARNING_SUBMITTED, TaskSubmission.Status.SUBMITTED),
            (data.LEARNING_DRAFTS, TaskSubmission.Status.DRAFT),
        ):
            for name in names:
                TaskSubmission.objects.update_or_create(
                    task=task,
                    organisation=organisations[name],
                    person=None,
                    defaults={
                        "status": status,
                        "text": "2026: zwei Zerspanungsmechaniker, ein Industriemechaniker.",
                        "submitted_at": (
                            timezone.now() if status == TaskSubmission.Status.SUBMITTED else None
                        ),
                    },
                )
    return count


def seed_learning_demo(stdout) -> LearningProgramme:
    spec = data.LEARNING_PROGRAMME
    coordinator = get_user_model().objects.filter(email=data.COORDINATOR["email"]).first()
    companies = _companies()
    today = timezone.localdate()
    programme, created = LearningProgramme.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            "title": spec["title"],
            "goal": spec["goal"],
            "description": spec["description"],
            "network": TrainingNetwork.objects.filter(slug=spec["network"]).first(),
            "status": LearningProgramme.Status.RUNNING,
            "start": today - timedelta(days=spec["first_workshop_days_ago"]),
            "interval_weeks": spec["interval_weeks"],
            "public_summary": spec["public_summary"],
            "summary_published": True,
        },
        create_defaults={
            "title": spec["title"],
            "slug": spec["slug"],
            "goal": spec["goal"],
            "description": spec["description"],
            "network": TrainingNetwork.objects.filter(slug=spec["network"]).first(),
            "status": LearningProgramme.Status.RUNNING,
            "start": today - timedelta(days=spec["first_workshop_days_ago"]),
            "interval_weeks": spec["interval_weeks"],
            "public_summary": spec["public_summary"],
            "summary_published": True,
            "created_by": coordinator,
        },
    )
    cycles = _cycles(programme, coordinator, spec)
    organisations = _organisations(programme, companies, coordinator)
    _invitations_and_attendance(cycles, organisations, coordinator)
    items = _reports(programme, cycles, organisations)
    tasks = _tasks(cycles, organisations, coordinator)
    people = ProgrammePerson.objects.filter(organisation__programme=programme)
    linked = people.filter(~Q(user=None)).count()
    stdout.write(
        f"Learning programme: {programme.title} ({'created' if created else 'updated'}); "
        f"{len(organisations)} organisations, {people.count()} people ({linked} with an "
        f"account), {len(cycles)} cycles, {items} report items, {tasks} tasks"
    )
    return programme
