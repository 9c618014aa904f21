"""Programmes with organisations, reports and findings for the board's tests (H3)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from learning.models import (
    CycleReport,
    FindingTag,
    ProgrammeOrganisation,
    ProgrammePerson,
    ReportItem,
)
from learning.services import create_programme
from tests.factories import CompanyFactory, UserFactory

ACTOR_TYPES = ("firm", "public_sector", "education", "support")
# Headcount and turnover of a micro, small, medium and large enterprise.
SIZES = {
    "micro": (Decimal(5), Decimal(500_000)),
    "small": (Decimal(25), Decimal(4_000_000)),
    "medium": (Decimal(120), Decimal(30_000_000)),
    "large": (Decimal(600), Decimal(200_000_000)),
}


def programme(coordinator, *, title="Kompetenz Metall", days_ahead=30, **fields):
    return create_programme(
        title=title,
        start=timezone.localdate() + timedelta(days=days_ahead),
        created_by=coordinator,
        **fields,
    )


def organisation(programme, *, name, actor_type="firm", size="small", people=1, user=None):
    headcount, turnover = SIZES[size]
    company = CompanyFactory(
        name=name, headcount=headcount, annual_turnover=turnover, balance_sheet_total=turnover
    )
    org = ProgrammeOrganisation.objects.create(
        programme=programme, company=company, actor_type=actor_type
    )
    for index in range(people):
        ProgrammePerson.objects.create(
            organisation=org,
            email=f"{company.pk}-{index}@{name.split()[0].lower()}.example",
            first_name="Petra",
            last_name=f"Person{index}",
            user=user if index == 0 else None,
        )
    return org


def participant(programme, *, name="Teilnehmend GmbH", **options):
    user = UserFactory()
    org = organisation(programme, name=name, user=user, **options)
    return user, org


def report(cycle, org, *, status="submitted", items=()):
    """A report with ``items``: (section, text) or (section, text, options) tuples."""
    report = CycleReport.objects.create(
        cycle=cycle,
        organisation=org,
        status=status,
        submitted_at=timezone.now() if status == "submitted" else None,
    )
    made = []
    for position, entry in enumerate(items):
        section, text, *rest = entry
        options = dict(rest[0]) if rest else {}
        tags = options.pop("tags", ())
        item = ReportItem.objects.create(
            report=report, section=section, text=text, position=position, **options
        )
        for name in tags:
            item.tags.add(FindingTag.objects.get_or_create(programme=cycle.programme, name=name)[0])
        made.append(item)
    return report, made


def full_report(cycle, org, *, prefix: str, status="submitted"):
    """One item in each of the four sections, texts starting with ``prefix``."""
    return report(
        cycle,
        org,
        status=status,
        items=[
            ("activity", f"{prefix} Aktivität"),
            ("challenge", f"{prefix} Herausforderung"),
            ("obstacle", f"{prefix} Hindernis", {"tags": ["Fachkräfte"]}),
            ("opportunity", f"{prefix} Chance", {"tags": ["Ausbildung"]}),
        ],
    )
