"""Figures mean what they say: a workshop counts as held only once it is over (ended, within the
period, not cancelled), and only recorded attendance makes participants. The grant page,
grant_indicators, the report's PDF and its XLSX show the same figures, also when time passes
with no write at all."""

import io
import re
import subprocess
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from funding import services
from funding.models import Grant, Indicator, ProgressReport
from funding.selectors import BERLIN, grant_indicators
from tests.factories import (
    CompanyFactory,
    FunderFactory,
    RegistrationFactory,
    TrainingNetworkFactory,
    WorkshopFactory,
)

DONE_TITLE = "Roboterzellen sicher betreiben"
FUTURE_TITLE = "Künftiger Workshop KI"
CANCELLED_TITLE = "Abgesagter Workshop Lean"
RUNNING_TITLE = "Laufender Workshop Schweißen"
OUTSIDE_TITLE = "Früherer Workshop 3D-Druck"
TARGETS = {"workshops_held": 10, "participants": 40, "participant_hours": 200}

# As of now: only the done workshop is held; its three attended people are the participants.
EXPECTED_NOW = {
    "workshops_held": 1,
    "participants": 3,
    "participant_hours": Decimal("13.5"),  # 3 × 4.5 h
    # Registered for a published or done workshop starting in the period: the future one's
    # confirmed company, the running one's, and the done one's attended, no-show and
    # unrecorded companies; not the cancelled workshop's nor the earlier one's.
    "companies_reached": 5,
}
# Three hours later the running workshop is over too (two attended, 3 h each).
EXPECTED_LATER = {
    "workshops_held": 2,
    "participants": 5,
    "participant_hours": Decimal("19.5"),
    "companies_reached": 5,
}


def at(day, hour, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def grant(db):
    """A grant whose period runs from four months ago to four months ahead, with one workshop of
    each kind the rule must tell apart."""
    today = timezone.localdate()
    now = timezone.now().replace(microsecond=0)
    network = TrainingNetworkFactory(name="Verbund Robotik")
    grant = Grant.objects.create(
        reference="FKZ HELD-1", title="Durchgeführt heißt vorbei",
        start_date=today - timedelta(days=120), end_date=today + timedelta(days=120),
        total_eligible_costs=Decimal("100000.00"),
    )  # fmt: skip
    grant.networks.add(network)
    services.set_cofinancing_shares(
        grant=grant,
        shares=[
            services.ShareInput(FunderFactory(level="federal"), Decimal(70)),
            services.ShareInput(FunderFactory(level="region"), Decimal(30)),
        ],
    )
    for code, target in TARGETS.items():
        Indicator.objects.create(grant=grant, code=code, target=target)
    companies = {key: CompanyFactory(name=f"Firma {key}") for key in "ABCDEFGH"}

    def workshop(title, starts_at, ends_at, status):
        return WorkshopFactory(
            title=title, network=network, starts_at=starts_at, ends_at=ends_at, status=status
        )

    # Not taken place yet: confirmed registrations only.
    day = today + timedelta(days=10)
    future = workshop(FUTURE_TITLE, at(day, 9), at(day, 13), "published")
    for _ in range(3):
        RegistrationFactory(workshop=future, company=companies["A"], status="confirmed")
    # Cancelled after attendance had (wrongly) been recorded: never held.
    day = today - timedelta(days=20)
    cancelled = workshop(CANCELLED_TITLE, at(day, 9), at(day, 12), "cancelled")
    for _ in range(2):
        RegistrationFactory(workshop=cancelled, company=companies["C"], status="attended")
    # Over and marked done: three attended, a no-show, two nobody marked, one on the waitlist.
    day = today - timedelta(days=30)
    done = workshop(DONE_TITLE, at(day, 9), at(day, 13, 30), "done")
    RegistrationFactory(
        workshop=done, company=companies["B"], status="attended", gender="female",
        age_band="25_54",
    )  # fmt: skip
    RegistrationFactory(workshop=done, company=companies["B"], status="attended")
    RegistrationFactory(workshop=done, company=None, status="attended")
    RegistrationFactory(workshop=done, company=companies["D"], status="no_show")
    RegistrationFactory(workshop=done, company=companies["E"], status="confirmed")
    RegistrationFactory(workshop=done, company=companies["E"], status="confirmed")
    RegistrationFactory(workshop=done, company=companies["H"], status="waitlisted")
    # Running now: people checked in on arrival, but it ends only in two hours.
    running = workshop(RUNNING_TITLE, now - timedelta(hours=1), now + timedelta(hours=2),
                       "published")  # fmt: skip
    for _ in range(2):
        RegistrationFactory(workshop=running, company=companies["G"], status="attended")
    # Held before the period began.
    day = today - timedelta(days=200)
    earlier = workshop(OUTSIDE_TITLE, at(day, 9), at(day, 17), "done")
    for _ in range(4):
        RegistrationFactory(workshop=earlier, company=companies["F"], status="attended")
    return grant


def number(text: str) -> Decimal:
    """A figure as German pages print it ("1.234,5")."""
    return Decimal(text.strip().replace(".", "").replace(",", "."))


def page_figures(client, grant) -> dict[str, Decimal]:
    response = client.get(f"/funding/grants/{grant.pk}/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    cells = dict(
        re.findall(r'<td class="num" data-code="(\w+)">([^<]*)</td>', response.content.decode())
    )
    return {code: number(cells[code]) for code in TARGETS}


def test_only_workshops_that_are_over_count(grant):
    values = grant_indicators(grant=grant, period_start=grant.start_date, period_end=grant.end_date)
    assert {code: values[code] for code in EXPECTED_NOW} == EXPECTED_NOW
    assert values["participants_by_gender"] == {"female": 1}
    assert values["participants_by_age_band"] == {"25_54": 1}


def test_the_page_the_pdf_and_the_xlsx_show_the_same_figures(
    grant, coordinator, coordinator_client, django_capture_on_commit_callbacks, tmp_path
):
    expected = {code: EXPECTED_NOW[code] for code in TARGETS}
    assert page_figures(coordinator_client, grant) == expected

    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_progress_report(
            grant=grant, period_start=grant.start_date, period_end=grant.end_date,
            requested_by=coordinator,
        )  # fmt: skip
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY, report.error

    pdf = tmp_path / "report.pdf"
    with report.pdf_file.open("rb") as f:
        pdf.write_bytes(f.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # The indicator table as the funder reads it: label, target, actual, percent.
    labels = {"workshops_held": "durchgeführte Workshops", "participants": "Teilnehmende",
              "participant_hours": "Teilnehmendenstunden"}  # fmt: skip
    for code, label in labels.items():
        row = re.search(rf"^\s*{label}\s+([\d.,]+)\s+([\d.,]+)\s+\d+\s*$", text, re.MULTILINE)
        assert row, f"no row for {label} in the PDF"
        assert number(row.group(1)) == TARGETS[code]
        assert number(row.group(2)) == expected[code], label
    # The list "Durchgeführte Workshops" holds the one workshop that is over, with its three
    # recorded participants.
    held_list = text.split("Durchgeführte Workshops", 1)[1].split("Indikatoren im Vergleich")[0]
    assert DONE_TITLE in held_list
    row = next(line for line in held_list.splitlines() if DONE_TITLE in line)
    assert [number(cell) for cell in row.split()[-2:]] == [Decimal("4.5"), 3]  # hours, people
    for title in (FUTURE_TITLE, CANCELLED_TITLE, RUNNING_TITLE, OUTSIDE_TITLE):
        assert title not in text

    with report.xlsx_file.open("rb") as f:
        book = load_workbook(io.BytesIO(f.read()))
    sheet = book.worksheets[1]  # indicators: label, code, target, actual
    actual = {row[1]: row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {code: Decimal(str(actual[code])) for code in TARGETS} == expected


def test_a_workshop_ending_changes_the_figures_with_no_write(
    grant, coordinator_client, monkeypatch
):
    """Time alone moves a workshop into "held": the cached figures and the cached page follow
    on the first request after its end, and are cached again from then on."""
    before = page_figures(coordinator_client, grant)
    assert before == {code: EXPECTED_NOW[code] for code in TARGETS}
    assert page_figures(coordinator_client, grant) == before  # served from the cache

    later = timezone.now() + timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)

    values = grant_indicators(grant=grant, period_start=grant.start_date, period_end=grant.end_date)
    assert {code: values[code] for code in EXPECTED_LATER} == EXPECTED_LATER
    assert page_figures(coordinator_client, grant) == {
        code: EXPECTED_LATER[code] for code in TARGETS
    }
    # And the new figures are kept: the next request reads no registration.
    with CaptureQueriesContext(connection) as warm:
        assert page_figures(coordinator_client, grant) == {
            code: EXPECTED_LATER[code] for code in TARGETS
        }
    assert "workshops_registration" not in " ".join(q["sql"] for q in warm.captured_queries)


def test_figures_as_of_a_given_moment(grant):
    """grant_indicators answers for a moment: before the done workshop ended nothing was held."""
    done_end = grant.networks.get().workshops.get(title=DONE_TITLE).ends_at
    period = {"period_start": grant.start_date, "period_end": grant.end_date}
    just_before = grant_indicators(grant=grant, now=done_end - timedelta(seconds=1), **period)
    at_the_end = grant_indicators(grant=grant, now=done_end, **period)
    assert (just_before["workshops_held"], just_before["participants"]) == (0, 0)
    assert (at_the_end["workshops_held"], at_the_end["participants"]) == (1, 3)
