"""A learning programme with everything its final report shows: organisations of every actor
type, attendance at held cycles, task submissions, submitted reports with findings (one
continuing an earlier one, one resolved), tools and recommendations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from learning.models import (
    CycleReport,
    FindingTag,
    LearningProgramme,
    ProgrammeOrganisation,
    ReportItem,
    ResultSection,
    Task,
    TaskSubmission,
)
from learning.services import create_programme
from tests.factories import CompanyFactory, RegistrationFactory
from workshops.models import Registration, Workshop

ACTOR_TYPES = ["firm", "public_sector", "education", "support"]
KINDS = {"firm": "sme", "public_sector": "public_body", "education": "education_provider",
         "support": "chamber"}  # fmt: skip
LONG_NAME = (
    "Niedersächsische Landesarbeitsgemeinschaft für Qualifizierungs- und "
    "Weiterbildungsdienstleistungen im Metallhandwerk Region Hannover-Süd gGmbH"
)
COMPOUND = "Donaudampfschifffahrtsgesellschaftskapitän"  # 42 letters, no hyphen to break at


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Report files go to a temporary private storage, never into the checkout (autouse in
    the modules that import it)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@dataclass
class World:
    programme: LearningProgramme
    organisations: list[ProgrammeOrganisation]
    findings: list[str] = field(default_factory=list)
    sections: list[ResultSection] = field(default_factory=list)


def hold_cycles(programme: LearningProgramme, numbers, *, days_ago: int = 100) -> None:
    """Move the cycles' workshops into the past and mark them done, as if held."""
    for cycle in programme.cycles.filter(number__in=numbers).order_by("number"):
        day = timezone.localdate() - timedelta(days=days_ago - 50 * (cycle.number - 1))
        # 9:00 local time: a workshop begun in the evening would end on the next day.
        start = timezone.make_aware(datetime.combine(day, time(9)))
        Workshop.objects.filter(pk=cycle.workshop_id).update(
            starts_at=start, ends_at=start + timedelta(hours=7), status=Workshop.Status.DONE
        )


def build_programme(
    *,
    coordinator,
    organisations: int = 4,
    cycles: int = 3,
    long_names: bool = False,
    network=None,
    title: str = "Kompetenzsicherung Metall Region Hannover",
) -> World:
    programme = create_programme(
        title=title,
        start=timezone.localdate() + timedelta(days=30),
        cycles=cycles,
        created_by=coordinator,
        themes=["Fachkräfte finden", "Ausbildung stärken", "Weiterbildung verankern"],
        goal="Gemeinsam die Fachkräftesicherung der Metallbranche verbessern.",
        network=network,
    )
    orgs = []
    for i in range(organisations):
        actor = ACTOR_TYPES[i % len(ACTOR_TYPES)]
        name = f"{LONG_NAME} {i + 1:02d}" if long_names else f"Organisation {i + 1:02d} Metall"
        company = CompanyFactory(name=name, kind=KINDS[actor], headcount=5 + 40 * (i % 6))
        orgs.append(
            ProgrammeOrganisation.objects.create(
                programme=programme, company=company, actor_type=actor
            )
        )
    world = World(programme, orgs)

    hold_cycles(programme, [1, 2])
    cycle_list = list(programme.cycles.order_by("number"))
    # Attendance: everybody at cycle 1, every other organisation at cycle 2 (two people).
    for index, org in enumerate(orgs):
        for cycle in cycle_list[:2]:
            if cycle.number == 2 and index % 2:
                continue
            for _person in range(1 if cycle.number == 1 else 2):
                RegistrationFactory(
                    workshop=cycle.workshop,
                    company=org.company,
                    company_name=org.company.name,
                    status=Registration.Status.ATTENDED,
                )
    # Tasks: two in cycle 1; every organisation submits the first, half the second.
    tasks = [
        Task.objects.create(
            cycle=cycle_list[0], title=f"Aufgabe {n}", due_date=timezone.localdate()
        )
        for n in (1, 2)
    ]
    for index, org in enumerate(orgs):
        for task in tasks[: 1 + (index % 2 == 0)]:
            TaskSubmission.objects.create(
                task=task,
                organisation=org,
                text="Erledigt.",
                status=TaskSubmission.Status.SUBMITTED,
                submitted_at=timezone.now(),
            )
    # Findings: each organisation reports an obstacle and an opportunity in cycle 1; in cycle 2
    # the first organisation's obstacle continues, the second's is resolved.
    tag = FindingTag.objects.create(programme=programme, name="Ausbildung")
    first_items = {}
    for index, org in enumerate(orgs):
        report = CycleReport.objects.create(
            cycle=cycle_list[0], organisation=org, status="submitted", submitted_at=timezone.now()
        )
        obstacle = ReportItem.objects.create(
            report=report,
            section="obstacle",
            text=f"Hindernis {index + 1:02d}: zu wenige Bewerbungen ({COMPOUND})"
            if long_names
            else f"Hindernis {index + 1:02d}: zu wenige Bewerbungen",
        )
        obstacle.tags.add(tag)
        ReportItem.objects.create(
            report=report, section="opportunity", text=f"Chance {index + 1:02d}: Verbundausbildung"
        )
        ReportItem.objects.create(report=report, section="activity", text="Messebesuch")
        first_items[index] = obstacle
        world.findings += [obstacle.text, f"Chance {index + 1:02d}: Verbundausbildung"]
    if len(orgs) >= 2:
        for index, resolved in ((0, False), (1, True)):
            report = CycleReport.objects.create(
                cycle=cycle_list[1], organisation=orgs[index], status="submitted",
                submitted_at=timezone.now(),
            )  # fmt: skip
            text = f"Weiterhin: Hindernis {index + 1:02d}" if not resolved else "Gelöst: Azubis da"
            ReportItem.objects.create(
                report=report,
                section="obstacle",
                text=text,
                follows=first_items[index],
                resolved=resolved,
            )
            world.findings.append(text)
    # A draft report's item is not a finding of the report.
    if len(orgs) >= 3:
        draft = CycleReport.objects.create(
            cycle=cycle_list[1], organisation=orgs[2], status="draft"
        )
        ReportItem.objects.create(report=draft, section="obstacle", text="ENTWURF-GEHEIM")

    world.sections = [
        ResultSection.objects.create(
            programme=programme, kind="tool", title="Leitfaden Verbundausbildung",
            title_en="Guide to joint apprenticeships",
            body="Schritt für Schritt zur gemeinsamen Ausbildung.",
            body_en="Step by step to joint training.",
        ),
        ResultSection.objects.create(
            programme=programme, kind="recommendation", title="Berufsorientierung früher beginnen",
            body="Die Region sollte Praktika ab Klasse 7 fördern.",
        ),
    ]  # fmt: skip
    return world
