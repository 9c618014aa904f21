"""seed_scale's learning programmes: programmes × organisations × 3 cycles with reports and
items, deterministic, removed by --flush."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from learning.models import (
    Cycle,
    CycleReport,
    LearningProgramme,
    ProgrammeOrganisation,
    ReportItem,
)
from workshops.models import Registration, Workshop

SMALL = {
    "companies": 40, "networks": 2, "workshops": 4, "registrations": 20, "invitations": 4,
    "grants": 1, "expenditures": 4, "consultations": 4, "programmes": 3,
    "programme_organisations": 5, "calls": 1,
}  # fmt: skip


def _seed(**options):
    call_command("seed_scale", seed=5, stdout=StringIO(), **{**SMALL, **options})


@pytest.mark.django_db(transaction=True)
def test_programmes_with_organisations_cycles_reports_and_items():
    _seed()
    assert LearningProgramme.objects.count() == 3
    assert Cycle.objects.count() == 9
    assert ProgrammeOrganisation.objects.count() == 15
    assert CycleReport.objects.filter(status="submitted").count() == 3 * 5 * 3
    for report in CycleReport.objects.annotate(n=Count("items")):
        assert report.n == 4
    # Findings continue across cycles and carry tags.
    assert ReportItem.objects.filter(follows__isnull=False).exists()
    assert ReportItem.objects.filter(tags__isnull=False).exists()
    # An item continues its own organisation's finding of the cycle before.
    continued = ReportItem.objects.filter(follows__isnull=False)
    assert not continued.exclude(follows__report__organisation=F("report__organisation")).exists()
    assert not continued.exclude(
        follows__report__cycle__number=F("report__cycle__number") - 1
    ).exists()
    # Every cycle has its own learning workshop; seats match the registrations.
    held = Q(registrations__status__in=Registration.SEAT_HOLDING)
    for workshop in Workshop.objects.filter(learning_cycle__isnull=False).annotate(
        held=Count("registrations", filter=held)
    ):
        assert workshop.seats_taken == workshop.held <= workshop.capacity


@pytest.mark.django_db(transaction=True)
def test_same_seed_same_programmes_and_flush_removes_them():
    _seed()
    first = list(
        ProgrammeOrganisation.objects.order_by(
            "programme__slug", "company__register_number"
        ).values_list("programme__slug", "company__register_number", "actor_type")
    )
    _seed(flush=True)
    again = list(
        ProgrammeOrganisation.objects.order_by(
            "programme__slug", "company__register_number"
        ).values_list("programme__slug", "company__register_number", "actor_type")
    )
    assert again == first
    _seed(flush=True, programmes=0)
    assert not LearningProgramme.objects.exists()
    assert not Workshop.objects.filter(learning_cycle__isnull=False).exists()
