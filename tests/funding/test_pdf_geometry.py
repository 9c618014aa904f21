"""The progress report on paper: every table of every part fits an A4 page, in both languages.

Each PDF is checked as a funder sees it (tests/support/pdf_geometry.py): no character off the
page, no cell's text over another's, no text crossed by a table rule. Three grants: the demo
grant of ``seed_demo``, a grant as large as the benchmark's largest (1,699 receipts, five
funders) and one with hostile lengths (a 120-character payee, a 42-letter compound word, amounts
of 9,999,999.99 €).
"""

import io
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from funding import reports
from funding.demo import DEMO_REFERENCE
from funding.models import (
    BudgetLine,
    CostCategory,
    Expenditure,
    Grant,
    Indicator,
    IndicatorCode,
    ProgressReport,
)
from funding.services import ShareInput, set_cofinancing_shares
from tests.factories import FunderFactory, TrainingNetworkFactory, WorkshopFactory
from tests.support.pdf_geometry import assert_fits_pages, page_sizes, page_text

pytestmark = pytest.mark.django_db

COMPOUND = "Donaudampfschifffahrtsgesellschaftskapitän"  # 42 letters, no hyphen to break at
LONG_PAYEE = (
    "Arbeitsgemeinschaft Qualifizierungs- und Weiterbildungsdienstleistungen "
    "Niedersachsen-Süd GmbH & Co. KG, Niederlassung Hann"
)[:120]
HUGE = Decimal("9999999.99")
FIVE_FUNDERS = [
    ("Bundesministerium für Arbeit und Soziales (ESF Plus)", Decimal(40)),
    ("Niedersächsisches Ministerium für Wirtschaft, Verkehr, Bauen und Digitalisierung", 25),
    ("Region Hannover, Fachbereich Wirtschafts- und Beschäftigungsförderung", 15),
    ("NBank – Investitions- und Förderbank Niedersachsen", Decimal("12.5")),
    ("Europäischer Sozialfonds Plus – Verwaltungsbehörde Niedersachsen", Decimal("7.5")),
]


def _report(grant: Grant, *, start: date | None = None, end: date | None = None):
    return ProgressReport.objects.create(
        grant=grant,
        kind=ProgressReport.Kind.FINAL if end is None else ProgressReport.Kind.INTERIM,
        period_start=start or grant.start_date,
        period_end=end or grant.end_date,
    )


def _pdf(report: ProgressReport, language: str) -> bytes:
    from django.utils import translation

    with translation.override(language):
        context = reports.context_for(report)
    return reports.build_pdf(context, language)


def _five_funders(grant: Grant, names=FIVE_FUNDERS) -> None:
    set_cofinancing_shares(
        grant=grant,
        shares=[ShareInput(FunderFactory(name=name), Decimal(p)) for name, p in names],
    )


@pytest.fixture
def demo_grant(db):
    call_command("seed_demo", stdout=io.StringIO())
    return Grant.objects.get(reference=DEMO_REFERENCE)


@pytest.fixture
def bench_grant(db):
    """Like seed_scale's largest grant: three years of budget lines per category, 1,699
    receipts from the whole period, a hundred workshops held; here with five funders."""
    rng = random.Random(13)
    network = TrainingNetworkFactory(name="Verbund Metall- und Kunststofftechnik Hannover-Land 17")
    grant = Grant.objects.create(
        reference="SCALE-001",
        title="Weiterbildungsverbünde Region – Los 1",
        start_date=date(2025, 1, 5),
        end_date=date(2028, 1, 4),
        total_eligible_costs=Decimal("2487316.55"),
    )
    grant.networks.add(network)
    _five_funders(grant)
    BudgetLine.objects.bulk_create(
        BudgetLine(grant=grant, category=c, year=y, amount=Decimal(rng.randint(10_000, 150_000)))
        for y in (2025, 2026, 2027, 2028)
        for c in CostCategory.values
    )
    Indicator.objects.bulk_create(
        Indicator(grant=grant, code=code, target=Decimal(rng.randint(50, 5000)))
        for code in IndicatorCode.values
    )
    parts = ["Metall", "Kunststoff", "Elektro", "Logistik", "Sensorik", "Feinwerk"]
    suffixes = ["technik", "bau", "systeme", "werk"]
    span = (grant.end_date - grant.start_date).days
    Expenditure.objects.bulk_create(
        Expenditure(
            grant=grant,
            date=grant.start_date + timedelta(days=rng.randint(0, span)),
            category=rng.choice(CostCategory.values),
            payee=f"{rng.choice(parts)}{rng.choice(suffixes)} Schrader GmbH & Co. KG",
            purpose="Schulung Qualitätssicherung additive Fertigung, Teilnahmegebühr",
            amount=Decimal(rng.randint(1000, 900_000)) / 100,
            receipt_reference=f"B-{i + 1:06d}",
        )
        for i in range(1699)
    )
    start = grant.start_date
    for i in range(40):
        day = timezone_at(start + timedelta(days=20 * i))
        WorkshopFactory(
            title=f"Praxisworkshop Qualitätsmanagement in der additiven Fertigung, Teil {i + 1}",
            network=network,
            status="done",
            starts_at=day,
            ends_at=day + timedelta(hours=7, minutes=30),
        )
    return grant


def timezone_at(day: date):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def hostile_grant(db):
    network = TrainingNetworkFactory(name=f"Verbund {COMPOUND}{COMPOUND}")
    grant = Grant.objects.create(
        reference="FKZ 01PV26001-ÄNDERUNGSBESCHEID-2026-0815-NACHTRAG-03",
        title=(f"{COMPOUND}-Weiterbildungsverbund {COMPOUND} " * 3)[:300],
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal("999999999.99"),
    )
    grant.networks.add(network)
    _five_funders(grant, [(f"{COMPOUND}{i} {name}", p) for i, (name, p) in enumerate(FIVE_FUNDERS)])
    BudgetLine.objects.bulk_create(
        BudgetLine(grant=grant, category=c, year=y, amount=Decimal("99999999.99"))
        for y in (2026, 2027)
        for c in CostCategory.values
    )
    Indicator.objects.create(grant=grant, code="companies_reached", target=Decimal(99999))
    receipts = []
    for i, category in enumerate(CostCategory.values * 3):
        receipts.append(
            Expenditure(
                grant=grant,
                date=date(2026, 1, 1) + timedelta(days=i * 20),
                category=category,
                payee=LONG_PAYEE if i % 2 else COMPOUND,
                purpose=f"{COMPOUND} {COMPOUND}{COMPOUND} Reise nach Berlin",
                amount=HUGE,
                receipt_reference=f"B-2026-{COMPOUND.upper()}-{i:04d}",
                # Every other receipt number is a link to its scan in the portal.
                receipt_file=f"receipts/{i:032x}.pdf" if i % 2 else "",
            )
        )
    Expenditure.objects.bulk_create(receipts)
    day = timezone_at(date(2026, 3, 2))
    WorkshopFactory(
        title=f"{COMPOUND}{COMPOUND} {COMPOUND}",
        network=network,
        status="done",
        starts_at=day,
        ends_at=day + timedelta(hours=8),
    )
    return grant


LANGUAGES = ["de", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_demo_report_fits_its_pages(demo_grant, language, request):
    pdf = _pdf(_report(demo_grant, start=date(2026, 1, 1), end=date(2026, 12, 31)), language)

    assert_fits_pages(pdf, name=request.node.name)
    assert all(round(w) in (595, 842) for size in page_sizes(pdf) for w in size), "A4 only"


@pytest.mark.parametrize("language", LANGUAGES)
def test_largest_grant_report_fits_its_pages(bench_grant, language, request):
    pdf = _pdf(_report(bench_grant), language)

    assert_fits_pages(pdf, name=request.node.name)
    # The last receipt and the total of the list are on paper, not beyond its edge.
    sizes = page_sizes(pdf)
    last = page_text(pdf, len(sizes))
    total = sum(Expenditure.objects.filter(grant=bench_grant).values_list("amount", flat=True))
    shown = f"{total:,.2f}"
    if language == "de":
        shown = shown.replace(",", "_").replace(".", ",").replace("_", ".")
    assert shown in last, last[-400:]


@pytest.mark.parametrize("language", LANGUAGES)
def test_hostile_lengths_wrap_instead_of_being_cut(hostile_grant, language, request):
    pdf = _pdf(_report(hostile_grant), language)

    assert_fits_pages(pdf, name=request.node.name)
    text = " ".join(page_text(pdf, n) for n in range(1, len(page_sizes(pdf)) + 1))
    # Amounts stay whole: a receipt, the list's total and the statement's budget total.
    for amount in ("9,999,999.99", "149,999,999.85", "999,999,999.90"):
        if language == "de":
            amount = amount.replace(",", "_").replace(".", ",").replace("_", ".")
        assert amount in text
