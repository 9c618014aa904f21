"""The Open Innovation Challenge's figures as grant indicators: challenges published,
proposals received, companies that took part, matches, cooperations agreed; for any period,
counted for the calls of the grant's networks only, on the grant page and in the progress
report's PDF and XLSX."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from challenges.models import Match, MatchNote
from funding import services
from funding.models import Grant, Indicator, ProgressReport
from funding.selectors import grant_indicators
from tests.challenges.factories_pitch import make_call, make_challenge, make_proposal
from tests.factories import TrainingNetworkFactory
from tests.support import libreoffice
from tests.support.html_tree import parse
from tests.support.pdf_geometry import assert_fits_pages, page_count, page_text

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
CODES = [
    "challenges_published", "challenge_proposals", "challenge_companies", "challenge_matches",
    "challenge_cooperations",
]  # fmt: skip
FIRST_HALF = (date(2026, 1, 1), date(2026, 6, 30))


def at(month, day):
    return datetime(2026, month, day, 10, tzinfo=BERLIN)


@pytest.fixture
def challenge_world(coordinator):
    network, other = TrainingNetworkFactory(name="Verbund Innovation"), TrainingNetworkFactory()
    grant = Grant.objects.create(
        reference="OI-1", title="Offene Innovation", start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31), total_eligible_costs=Decimal(1000),
    )  # fmt: skip
    grant.networks.add(network)
    grant.coordinators.add(coordinator)
    for code, target in zip(CODES, (5, 10, 8, 4, 2), strict=True):
        Indicator.objects.create(grant=grant, code=code, target=target)

    call = make_call("oi-2026", network=network)
    a, _owner = make_challenge(call, title="Lager", published_at=at(2, 1))
    b, _owner = make_challenge(call, title="Energie", published_at=at(3, 1))
    c, _owner = make_challenge(call, title="Später", published_at=at(8, 1))
    # Three proposals in the first half (one company twice), one draft, one in September.
    p1, _u = make_proposal(a, submitted_at=at(4, 1))
    make_proposal(b, company=p1.company, submitted_at=at(4, 2))
    p3, _u = make_proposal(a, status="not_selected", submitted_at=at(4, 3))
    make_proposal(b, status="draft", submitted_at=at(4, 4))
    make_proposal(c, submitted_at=at(9, 1))
    m1 = Match.objects.create(challenge=a, company=p1.company, proposal=p1)
    m2 = Match.objects.create(challenge=a, company=p3.company, proposal=p3)
    Match.objects.filter(pk__in=[m1.pk, m2.pk]).update(created_at=at(6, 1))
    MatchNote.objects.create(match=m1, status="pilot", date=date(2026, 6, 15))
    MatchNote.objects.create(match=m1, status="contract", date=date(2026, 6, 20))  # same match
    MatchNote.objects.create(match=m2, status="contract", date=date(2026, 10, 1))
    # Another network's call counts for another grant, not this one.
    elsewhere = make_call("anderswo", network=other)
    x, _owner = make_challenge(elsewhere, published_at=at(2, 1))
    make_proposal(x, submitted_at=at(4, 1))
    return grant


def _figures(grant, period=FIRST_HALF):
    values = grant_indicators(grant=grant, period_start=period[0], period_end=period[1])
    return {code: values[code] for code in CODES}


def test_figures_for_any_period(challenge_world, django_assert_max_num_queries):
    assert _figures(challenge_world) == {
        "challenges_published": 2,
        "challenge_proposals": 3,
        "challenge_companies": 4,  # two owners, two proposers (one proposed twice)
        "challenge_matches": 2,
        "challenge_cooperations": 1,  # m1 twice in the period counts once
    }
    second_half = _figures(challenge_world, (date(2026, 7, 1), date(2026, 12, 31)))
    assert second_half == {
        "challenges_published": 1,
        "challenge_proposals": 1,
        "challenge_companies": 2,
        "challenge_matches": 0,
        "challenge_cooperations": 1,
    }
    assert _figures(challenge_world, (date(2025, 1, 1), date(2025, 12, 31))) == dict.fromkeys(
        CODES, 0
    )


def test_figures_take_two_queries_whatever_the_numbers(challenge_world, django_assert_num_queries):
    from challenges.figures import grant_challenge_figures

    network_ids = [n.pk for n in challenge_world.networks.all()]
    with django_assert_num_queries(2):
        grant_challenge_figures(network_ids, *FIRST_HALF)


def test_grant_page_shows_the_challenge_indicators(challenge_world, coordinator_client):
    page = parse(
        coordinator_client.get(
            f"/funding/grants/{challenge_world.pk}/?period_start=2026-01-01&period_end=2026-06-30"
        ).content
    )
    shown = {cell["data-code"]: cell.get_text(strip=True) for cell in page.select("td[data-code]")}
    assert {code: shown.get(code) for code in CODES} == {
        "challenges_published": "2",
        "challenge_proposals": "3",
        "challenge_companies": "4",
        "challenge_matches": "2",
        "challenge_cooperations": "1",
    }
    assert "vereinbarte Kooperationen" in page.get_text()


def test_progress_report_pdf_and_xlsx_carry_the_challenge_indicators(
    challenge_world, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_progress_report(
            grant=challenge_world, period_start=FIRST_HALF[0], period_end=FIRST_HALF[1],
            requested_by=coordinator,
        )  # fmt: skip
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY, report.error
    pdf = report.pdf_file.open("rb").read()
    assert_fits_pages(pdf, name="challenge-indicators")
    text = " ".join(page_text(pdf, n) for n in range(1, page_count(pdf) + 1))
    assert "Challenges veröffentlicht" in text
    assert "Unternehmen in Challenges" in text
    assert "vereinbarte Kooperationen" in text
    sheets = libreoffice.read_xlsx(report.xlsx_file.open("rb").read())
    rows = {r["Code"].shown: r for r in libreoffice.records(sheets["Indikatoren"])}
    assert {code: rows[code]["Istwert"].value for code in CODES} == {
        "challenges_published": "2",
        "challenge_proposals": "3",
        "challenge_companies": "4",
        "challenge_matches": "2",
        "challenge_cooperations": "1",
    }
    assert rows["challenge_matches"]["Istwert"].type == "float"
