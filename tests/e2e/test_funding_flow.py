"""Funding in the browser: a funder reads their grant and downloads its report; a coordinator
requests a report and watches it become ready.

Both sign in through the real allauth login form. The browser runs in English so the labels are
the source strings. The live server commits for real; Celery is eager, so a report requested
outside the browser is built as soon as its transaction commits. For the coordinator's request
the test stands in for the worker (see ``broker``), so the page can be seen polling.
"""

import io
import re
import types
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from funding import services, tasks
from funding.models import BudgetLine, Expenditure, Grant, Indicator, ProgressReport
from funding.selectors import grant_indicators
from funding.services import ShareInput, set_cofinancing_shares
from regiolab.permissions import COORDINATORS_GROUP
from tests.factories import (
    FunderFactory,
    NetworkMembershipFactory,
    TrainingNetworkFactory,
    UserFactory,
)
from tests.support.mfa import code_for, enable_totp

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="en-GB"),
]

PASSWORD = "correct-horse-battery"
FIRST_HALF = (date(2026, 1, 1), date(2026, 6, 30))


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(10_000)


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Report files go to a temporary private storage, never into the checkout."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def coordinator_user():
    user = UserFactory(email="koordination@regiolab.example", first_name="Kim", last_name="Koch")
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(user)
    return user


@pytest.fixture
def ministry():
    return FunderFactory(name="Bundesministerium für Bildung", level="federal")


@pytest.fixture
def funder_user(ministry):
    user = UserFactory(email="referat@bmbf.example", first_name="Frieda", last_name="Förder")
    ministry.users.add(user)
    enable_totp(user)
    return user


@pytest.fixture
def grant_g(ministry, coordinator_user):
    """G: co-financed 70/30 by the ministry and the region, one network, budget and targets."""
    region = FunderFactory(name="Region Hannover", level="region")
    grant = Grant.objects.create(
        reference="FKZ 01PV26001",
        title="Weiterbildungsverbünde Region Hannover",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal("986000.01"),
    )
    grant.coordinators.add(coordinator_user)
    network = TrainingNetworkFactory(name="Verbund Robotik")
    grant.networks.add(network)
    for _member in range(2):
        NetworkMembershipFactory(network=network, joined_on=date(2026, 2, 1))
    set_cofinancing_shares(
        grant=grant, shares=[ShareInput(ministry, Decimal(70)), ShareInput(region, Decimal(30))]
    )
    BudgetLine.objects.create(grant=grant, category="personnel", year=2026, amount=Decimal(200000))
    Expenditure.objects.create(
        grant=grant, date=date(2026, 3, 31), category="personnel", payee="Gehalt Koordination",
        purpose="Personal März", amount=Decimal("5000.01"), receipt_reference="B-2026-001",
    )  # fmt: skip
    Indicator.objects.create(grant=grant, code="companies_reached", target=40)
    Indicator.objects.create(grant=grant, code="workshops_held", target=10)
    return grant


@pytest.fixture
def grant_h():
    """H: financed wholly by another funder; G's funder must not see it."""
    eu = FunderFactory(name="ESF Plus Niedersachsen", level="eu")
    grant = Grant.objects.create(
        reference="ESF 2026-0042",
        title="Digitales Lernen im Handwerk",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        total_eligible_costs=Decimal(50000),
    )
    set_cofinancing_shares(grant=grant, shares=[ShareInput(eu, Decimal(100))])
    return grant


@pytest.fixture
def broker(monkeypatch):
    """Enqueued report builds wait here instead of running at once; the test plays the worker.

    With eager Celery the build would run inside the POST and the page would never show the
    report unfinished. Only the broker (outside the portal) is replaced; the build is real.
    """
    queued: list[int] = []
    monkeypatch.setattr(
        tasks, "build_progress_report_task", types.SimpleNamespace(delay=queued.append)
    )
    return queued


def label(text):
    """A field's exact label; Django appends a colon."""
    return re.compile(rf"^{re.escape(text)}:?$")


def _sign_in(page, user):
    """On the login page: e-mail, password, Enter; then the authenticator app's code."""
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(re.compile(r"^E-?mail", re.IGNORECASE)).fill(user.email)
    password = page.get_by_label(re.compile(r"^Password", re.IGNORECASE))
    password.fill(PASSWORD)
    password.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    code = page.get_by_label(re.compile(r"^Code", re.IGNORECASE))
    code.fill(code_for(user))
    code.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def _is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def _tab_to(page, target, *, limit=40):
    """Press Tab until the target has the focus, as a keyboard user would."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if _is_focused(target):
            return
    raise AssertionError(f"{target} not reached with {limit} Tab presses")


def _download_pdf_text(page, link) -> str:
    """Download through the link and return the PDF's text (after checking it is a PDF)."""
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as f:
        content = f.read()
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_funder_reads_only_their_grant_and_downloads_its_report(
    page, live_url, funder_user, coordinator_user, grant_g, grant_h
):
    report = services.request_progress_report(
        grant=grant_g,
        period_start=FIRST_HALF[0],
        period_end=FIRST_HALF[1],
        requested_by=coordinator_user,
    )
    report.refresh_from_db()  # built on commit (eager Celery)
    assert report.status == ProgressReport.Status.READY, report.error
    actual = grant_indicators(
        grant=grant_g, period_start=grant_g.start_date, period_end=grant_g.end_date
    )
    assert actual["companies_reached"] == 2

    page.goto(live_url + "/")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Log in").click()
    _sign_in(page, funder_user)

    my_grants = nav.get_by_role("link", name="My grants")
    expect(nav.get_by_role("link", name="Companies")).to_have_count(0)
    my_grants.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grants")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="FKZ 01PV26001")).to_be_visible()
    expect(main).not_to_contain_text("ESF 2026-0042")
    expect(main).not_to_contain_text("Digitales Lernen im Handwerk")
    expect(main.get_by_role("link", name="New grant")).to_have_count(0)

    main.get_by_role("link", name="FKZ 01PV26001").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(grant_g.title)
    indicators = page.get_by_role("table", name="Indicators against targets")
    reached = indicators.get_by_role("row").filter(has_text="companies reached")
    expect(reached.get_by_role("cell")).to_have_text(["companies reached", "40", "2", "5"])
    expect(indicators.get_by_role("row").filter(has_text="workshops held")).to_be_visible()
    budget = page.get_by_role("table", name="Budget against spending")
    personnel = budget.get_by_role("row").filter(has_text="2026").filter(has_text="personnel")
    expect(personnel).to_contain_text("200,000.00")
    expect(personnel).to_contain_text("5,000.01")
    # The year's subtotal and the grand total are there to read.
    expect(budget.get_by_role("row", name=re.compile("^Subtotal 2026"))).to_be_visible()
    expect(budget.get_by_role("row", name=re.compile("^Total"))).to_contain_text("5,000.01")
    expect(budget.get_by_role("columnheader", name=re.compile("Region Hannover"))).to_be_visible()
    # Read-only: the funder gets no management links.
    grant_nav = page.get_by_role("navigation", name="Grant")
    expect(grant_nav.get_by_role("link", name="Edit")).to_have_count(0)

    grant_nav.get_by_role("link", name="Progress reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress reports for FKZ 01PV26001")
    expect(page.get_by_role("heading", name="Request a report")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="interim report")
    expect(row.locator(".badge")).to_have_text("ready")
    text = _download_pdf_text(page, row.get_by_role("link", name="PDF"))
    assert "FKZ 01PV26001" in text
    assert "01.01.2026 – 30.06.2026" in text or "01/01/2026" in text

    # Another funder's grant is not there for this funder, not even by its address.
    for path in (f"/funding/grants/{grant_h.pk}/", f"/funding/grants/{grant_h.pk}/reports/"):
        response = page.goto(live_url + path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text(
            re.compile("not found", re.IGNORECASE)
        )
        expect(page.locator("body")).not_to_contain_text("ESF 2026-0042")


def test_coordinator_requests_a_report_and_sees_it_become_ready(
    page, live_url, coordinator_user, grant_g, broker
):
    page.goto(f"{live_url}/funding/grants/{grant_g.pk}/reports/")
    _sign_in(page, coordinator_user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress reports for FKZ 01PV26001")
    expect(page.get_by_text("No progress reports yet.")).to_be_visible()

    # The form proposes the whole grant period; the coordinator asks for the first half-year.
    start = page.get_by_label(label("Period start"))
    end = page.get_by_label(label("Period end"))
    expect(start).to_have_value("2026-01-01")
    expect(end).to_have_value("2027-12-31")
    end.fill("2026-06-30")
    button = page.get_by_role("button", name="Request report")
    _tab_to(page, button)
    page.keyboard.press("Enter")

    expect(page.get_by_text("The report is being built.")).to_be_visible()
    report = ProgressReport.objects.get(grant=grant_g)
    assert broker == [report.pk]
    assert (report.period_start, report.period_end) == FIRST_HALF
    assert report.kind == ProgressReport.Kind.INTERIM
    assert report.requested_by == coordinator_user
    row = page.get_by_role("row").filter(has_text="interim report")
    badge = row.locator(".badge")
    expect(badge).to_have_text("queued")
    expect(row.get_by_role("link", name="PDF")).to_have_count(0)
    # A mark on this document: it survives only if the page is never reloaded.
    page.evaluate("window.__sameDocument = true")

    # The worker picks the job up; the page learns of it by polling.
    services.build_progress_report(report_id=broker.pop())
    expect(badge).to_have_text("ready", timeout=15_000)
    pdf_link = row.get_by_role("link", name="PDF")
    expect(pdf_link).to_be_visible(timeout=15_000)
    assert page.evaluate("window.__sameDocument") is True
    # Finished: the cell stops polling.
    expect(page.locator(f"#report-status-{report.pk}")).not_to_have_attribute(
        "hx-get", re.compile(".*")
    )

    text = _download_pdf_text(page, pdf_link)
    assert "FKZ 01PV26001" in text
    assert "B-2026-001" in text  # the receipt list is in it

    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY
    [finished_mail] = [m for m in mail.outbox if m.to == [coordinator_user.email]]
    assert f"{live_url}/funding/grants/{grant_g.pk}/reports/" in finished_mail.body
