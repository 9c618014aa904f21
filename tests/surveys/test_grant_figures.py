"""Survey figures as grant indicators: feedback responses, average satisfaction, share who would
recommend, companies that stated training needs; for any period, on the grant page, in the
progress report's PDF and XLSX, and unchanged after a person is anonymised."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from funding import reports, services
from funding.models import Grant, Indicator, ProgressReport
from funding.selectors import grant_indicators
from regiolab.privacy.anonymisation import anonymise_person
from tests.factories import (
    CompanyFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    TrainingNetworkFactory,
    WorkshopFactory,
)
from tests.support import libreoffice
from tests.support.html_tree import parse
from tests.support.pdf_geometry import assert_fits_pages, page_count, page_text

from .support_s4 import add_question, make_survey, respond

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
CODES = [
    "feedback_responses", "feedback_satisfaction", "feedback_recommend", "companies_training_needs",
]  # fmt: skip


@pytest.fixture
def figures_world(coordinator):
    network, other = TrainingNetworkFactory(name="Verbund Robotik"), TrainingNetworkFactory()
    grant = Grant.objects.create(
        reference="FB-1", title="Feedback zählt", start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31), total_eligible_costs=Decimal(1000),
    )  # fmt: skip
    grant.networks.add(network)
    grant.coordinators.add(coordinator)
    for code, target in zip(CODES, (10, 4, 80, 5), strict=True):
        Indicator.objects.create(grant=grant, code=code, target=target)

    def workshop(net, day):
        start = datetime(2026, 3, day, 9, tzinfo=BERLIN)
        return WorkshopFactory(
            network=net, status="done", starts_at=start, ends_at=start + timedelta(hours=4)
        )

    march, later, elsewhere = workshop(network, 10), workshop(network, 20), workshop(other, 10)
    later.ends_at = later.starts_at = datetime(2026, 9, 1, 9, tzinfo=BERLIN)
    later.ends_at += timedelta(hours=3)
    later.save()
    feedback = make_survey(purpose="feedback", title="Feedback")
    add_question(feedback, "satisfaction", "scale")
    add_question(feedback, "recommend", "single", options=[{"value": "yes"}, {"value": "no"}])
    attendee = RegistrationFactory(
        workshop=march, email="anna@firma.example", first_name="Anna", status="attended"
    )
    for points, recommend in ((5, "yes"), (4, "yes"), (3, "no"), (4, "yes")):
        respond(
            feedback, {"satisfaction": points, "recommend": recommend},
            workshop=march, network=network,
        )  # fmt: skip
    respond(feedback, {"satisfaction": 1, "recommend": "no"}, workshop=later)
    respond(feedback, {"satisfaction": 1, "recommend": "no"}, workshop=elsewhere)

    needs = make_survey(purpose="training_needs", anonymity="identified")
    add_question(needs, "topics", "topic")
    members = [CompanyFactory(name=f"Mitglied {n}") for n in range(3)]
    for company in members:
        NetworkMembershipFactory(network=network, company=company, joined_on=date(2025, 1, 1))
    outsider = CompanyFactory(name="Außen")
    NetworkMembershipFactory(network=other, company=outsider, joined_on=date(2025, 1, 1))
    respond(needs, {"topics": ["robotik"]}, company=members[0], answered_on=date(2026, 2, 1))
    respond(needs, {"topics": ["ki"]}, company=members[1], answered_on=date(2026, 4, 1))
    respond(needs, {"topics": ["ki"]}, company=members[2], answered_on=date(2026, 8, 1))
    respond(needs, {"topics": ["ki"]}, company=outsider, answered_on=date(2026, 4, 1))
    return grant, attendee


FIRST_HALF = (date(2026, 1, 1), date(2026, 6, 30))


def _figures(grant, period=FIRST_HALF):
    values = grant_indicators(grant=grant, period_start=period[0], period_end=period[1])
    return {code: values[code] for code in CODES}


def test_figures_for_any_period(figures_world):
    grant, _attendee = figures_world
    assert _figures(grant) == {
        "feedback_responses": 4,
        "feedback_satisfaction": Decimal("4.00"),
        "feedback_recommend": Decimal("75.0"),
        "companies_training_needs": 2,
    }
    whole = _figures(grant, (date(2026, 1, 1), date(2026, 12, 31)))
    assert whole["feedback_responses"] == 5
    assert whole["feedback_satisfaction"] == Decimal("3.40")
    assert whole["feedback_recommend"] == Decimal("60.0")
    assert whole["companies_training_needs"] == 3
    empty = _figures(grant, (date(2025, 1, 1), date(2025, 12, 31)))
    assert empty == dict.fromkeys(CODES, 0)


def test_figures_stay_after_the_attendee_is_anonymised(figures_world, coordinator):
    grant, attendee = figures_world
    before = _figures(grant)
    anonymise_person(email=attendee.email, performed_by=coordinator)
    attendee.refresh_from_db()
    assert attendee.email != "anna@firma.example"
    assert _figures(grant) == before


def test_grant_page_shows_the_survey_indicators(figures_world, coordinator_client):
    grant, _attendee = figures_world
    page = parse(
        coordinator_client.get(
            f"/funding/grants/{grant.pk}/?period_start=2026-01-01&period_end=2026-06-30"
        ).content
    )
    shown = {cell["data-code"]: cell.get_text(strip=True) for cell in page.select("td[data-code]")}
    assert {code: shown.get(code) for code in CODES} == {
        "feedback_responses": "4",
        "feedback_satisfaction": "4",
        "feedback_recommend": "75",
        "companies_training_needs": "2",
    }


def test_progress_report_pdf_and_xlsx_carry_the_survey_indicators(
    figures_world, coordinator, django_capture_on_commit_callbacks
):
    grant, _attendee = figures_world
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_progress_report(
            grant=grant, period_start=FIRST_HALF[0], period_end=FIRST_HALF[1],
            requested_by=coordinator,
        )  # fmt: skip
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY, report.error
    pdf = report.pdf_file.open("rb").read()
    assert_fits_pages(pdf, name="survey-indicators")
    text = " ".join(page_text(pdf, n) for n in range(1, page_count(pdf) + 1))
    assert "Feedback-Antworten" in text
    assert "Zufriedenheit (Ø, 1–5)" in text
    sheets = libreoffice.read_xlsx(report.xlsx_file.open("rb").read())
    rows = {r["Code"].shown: r for r in libreoffice.records(sheets["Indikatoren"])}
    assert (rows["feedback_responses"]["Istwert"].type, rows["feedback_responses"]["Istwert"].value) == (
        "float", "4",
    )  # fmt: skip
    assert rows["feedback_satisfaction"]["Istwert"].value == "4"
    assert rows["feedback_recommend"]["Istwert"].value == "75"
    assert rows["companies_training_needs"]["Istwert"].value == "2"
    assert reports.context_for(report)["indicator_rows"]
