"""The funders' learning figures: computed by learning.selectors for a grant's networks and any
period, returned by funding.selectors.grant_indicators, shown on the grant page and in the
progress report's PDF and XLSX like every indicator with a target."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funding import reports as funding_reports
from funding.models import Grant, Indicator, IndicatorCode, ProgressReport
from funding.selectors import grant_indicators
from learning.models import TaskSubmission
from learning.selectors import grant_learning_figures
from tests.factories import TrainingNetworkFactory
from tests.learning.results_support import (
    _private_files_in_tmp,  # noqa: F401
    build_programme,
    hold_cycles,
)
from tests.support.libreoffice import read_xlsx, records
from tests.support.pdf_geometry import _with_file
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

LEARNING_CODES = [
    "learning_organisations",
    "learning_every_cycle",
    "learning_tasks_submitted",
    "learning_workshops_held",
]


def _whole_year() -> tuple[date, date]:
    today = timezone.localdate()
    return today - timedelta(days=300), today + timedelta(days=60)


@pytest.fixture
def network():
    return TrainingNetworkFactory(name="Verbund Metall")


@pytest.fixture
def grant(network):
    start, end = _whole_year()
    grant = Grant.objects.create(
        reference="FKZ 01LK26001",
        title="Lernzyklen Metall",
        start_date=start,
        end_date=end,
        total_eligible_costs=Decimal("985894.00"),
    )
    grant.networks.add(network)
    return grant


def test_the_figures_of_a_programme_in_the_grants_network(coordinator, network, grant):
    # 4 organisations; cycles 1 and 2 held (all at cycle 1, every other one at cycle 2).
    world = build_programme(coordinator=coordinator, organisations=4, network=network)
    # A programme of another network and one without a network count for nothing here.
    build_programme(coordinator=coordinator, organisations=3, title="Anderswo",
                    network=TrainingNetworkFactory())  # fmt: skip
    build_programme(coordinator=coordinator, organisations=2, title="Ohne Verbund")
    start, end = _whole_year()
    figures = grant_learning_figures([network.pk], start, end)
    assert figures == {
        "learning_organisations": 4,
        "learning_every_cycle": 2,  # organisations 01 and 03 came to both cycles held
        "learning_tasks_submitted": 6,  # 4 × the first task, 2 × the second
        "learning_workshops_held": 2,  # cycle 3 is still a draft in the future
    }
    values = grant_indicators(grant=grant, period_start=start, period_end=end)
    assert {code: values[code] for code in LEARNING_CODES} == figures
    assert set(LEARNING_CODES) <= set(IndicatorCode.values)  # targets can be set for them

    # Cycle 3 held too, nobody came: nobody has attended every cycle any more.
    hold_cycles(world.programme, [3], days_ago=110)  # cycle 3 ten days ago
    figures = grant_learning_figures([network.pk], start, end)
    assert figures["learning_every_cycle"] == 0
    assert figures["learning_workshops_held"] == 3


def test_the_period_decides(coordinator, network):
    world = build_programme(coordinator=coordinator, organisations=4, network=network)
    cycle_1 = world.programme.cycles.get(number=1).workshop
    cycle_2 = world.programme.cycles.get(number=2).workshop
    day_1 = timezone.localdate(cycle_1.starts_at)
    day_2 = timezone.localdate(cycle_2.starts_at)
    # Only cycle 1 in the period: all four attended "every cycle" so far.
    figures = grant_learning_figures([network.pk], day_1, day_1)
    assert figures["learning_workshops_held"] == 1
    assert figures["learning_every_cycle"] == 4
    assert figures["learning_organisations"] == 4
    # Only cycle 2: every cycle held so far is 1 and 2, which two organisations attended.
    figures = grant_learning_figures([network.pk], day_2, day_2)
    assert (figures["learning_workshops_held"], figures["learning_every_cycle"]) == (1, 2)
    # Task submissions count in the period they were handed in.
    TaskSubmission.objects.update(submitted_at=timezone.now() - timedelta(days=400))
    assert (
        grant_learning_figures([network.pk], day_2, timezone.localdate())[
            "learning_tasks_submitted"
        ]
        == 0
    )
    # A period before anything happened, and no networks at all.
    long_ago = day_1 - timedelta(days=500)
    assert set(grant_learning_figures([network.pk], long_ago, long_ago).values()) == {0}
    assert set(grant_learning_figures([], day_1, day_2).values()) == {0}


def test_cancelled_and_draft_workshops_are_not_held(coordinator, network):
    world = build_programme(coordinator=coordinator, organisations=2, network=network)
    Workshop.objects.filter(learning_cycle__programme=world.programme, learning_cycle__number=2
                            ).update(status=Workshop.Status.CANCELLED)  # fmt: skip
    start, end = _whole_year()
    figures = grant_learning_figures([network.pk], start, end)
    assert figures["learning_workshops_held"] == 1
    assert figures["learning_every_cycle"] == 2  # cycle 1 is every cycle held


@pytest.mark.parametrize("organisations", [3, 30])
def test_the_query_count_does_not_grow_with_the_organisations(
    coordinator, network, organisations, django_assert_num_queries
):
    build_programme(coordinator=coordinator, organisations=organisations, network=network)
    start, end = _whole_year()
    with django_assert_num_queries(6):
        grant_learning_figures([network.pk], start, end)


def test_grant_page_and_progress_report_show_the_learning_indicators(
    client, coordinator, network, grant
):
    build_programme(coordinator=coordinator, organisations=4, network=network)
    Indicator.objects.create(grant=grant, code="learning_every_cycle", target=3)
    Indicator.objects.create(grant=grant, code="learning_workshops_held", target=6)
    client.force_login(coordinator)
    page = client.get(reverse("funding:grant_detail", args=[grant.pk])).content.decode()
    assert "Organisationen, die an jedem Zyklus teilgenommen haben" in page
    assert 'data-code="learning_every_cycle">2<' in page
    assert 'data-code="learning_workshops_held">2<' in page

    report = ProgressReport.objects.create(
        grant=grant, kind="final", period_start=grant.start_date, period_end=grant.end_date
    )
    context = funding_reports.context_for(report)
    pdf = funding_reports.build_pdf(context, "de")
    text = " ".join(_with_file(pdf, ["pdftotext"]).split())
    assert "durchgeführte Lernwerkstätten" in text
    sheets = read_xlsx(funding_reports.build_xlsx(context))
    rows = {r["Code"].shown: r for r in records(sheets["Indikatoren"])}
    assert rows["learning_every_cycle"]["Istwert"].value == "2"
    assert rows["learning_workshops_held"]["Zielwert"].value == "6"
