"""The learning programme's results in the browser: a coordinator writes a recommendation,
requests the final report, watches its progress while a worker builds it and downloads the
PDF, whose text holds every organisation and finding; a participant reads the results and
downloads the same PDF; a participant of another programme finds nothing.

The browser runs in English (the source strings). The test plays the worker (``broker``): with
eager Celery the build would run inside the POST and the page would never show it unfinished.
"""

import io
import re
import threading
import types

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from playwright.sync_api import expect
from pypdf import PdfReader

from learning.models import FinalReport, ProgrammePerson
from learning.results import reports, services, tasks
from regiolab.permissions import COORDINATORS_GROUP
from tests.factories import UserFactory
from tests.learning.results_support import build_programme
from tests.support.mfa import code_for, enable_totp

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="en-GB"),
]

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(10_000)


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
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
def world(coordinator_user):
    return build_programme(coordinator=coordinator_user, organisations=5)


@pytest.fixture
def broker(monkeypatch):
    """Enqueued builds wait here; the test plays the worker (the build itself is real)."""
    queued: list[int] = []
    monkeypatch.setattr(
        tasks, "build_final_report_task", types.SimpleNamespace(delay=queued.append)
    )
    return queued


def _sign_in(page, user, *, second_factor: bool):
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(re.compile(r"^E-?mail", re.IGNORECASE)).fill(user.email)
    password = page.get_by_label(re.compile(r"^Password", re.IGNORECASE))
    password.fill(PASSWORD)
    password.press("Enter")
    if second_factor:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        code = page.get_by_label(re.compile(r"^Code", re.IGNORECASE))
        code.fill(code_for(user))
        code.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa)/"))


def _download_pdf_text(page, link) -> str:
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as f:
        content = f.read()
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(p.extract_text() for p in reader.pages)
    # Names wrap (and hyphenate) inside narrow cells: compare without spaces and hyphens.
    return "".join(c for c in text if c not in " \n-\u00ad\u2010")


def _squeezed(text: str) -> str:
    return "".join(c for c in text if c not in " -")


def test_coordinator_writes_results_and_gets_the_final_report(
    page, live_url, coordinator_user, world, broker, monkeypatch
):
    results = f"{live_url}/learning/{world.programme.slug}/results/"
    page.goto(results)
    _sign_in(page, coordinator_user, second_factor=True)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results: {world.programme.title}")
    expect(page.get_by_role("heading", name="Guide to joint apprenticeships")).to_be_visible()

    page.get_by_role("link", name="Add a tool or recommendation").click()
    page.get_by_role("radio", name="policy recommendation").check()
    page.get_by_label(re.compile(r"^Title:?$")).fill("Berufsorientierung gemeinsam planen")
    page.get_by_label(re.compile(r"^Text:?$")).fill("Schulen und Betriebe planen Praktika.")
    page.get_by_label(re.compile(r"^Title \(English\)")).fill("Plan career guidance together")
    page.get_by_label(re.compile(r"^Text \(English\)")).fill("Schools and firms plan internships.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Berufsorientierung gemeinsam planen” was added.")).to_be_visible()
    recommendations = page.get_by_role("region", name="Policy recommendations")
    expect(recommendations.get_by_role("heading", level=3)).to_have_text(
        ["Berufsorientierung früher beginnen", "Plan career guidance together"]
    )

    page.get_by_role("radio", name="English").check()
    page.get_by_role("button", name="Request final report").click()
    expect(page.get_by_text("The final report is being built.")).to_be_visible()
    report = FinalReport.objects.get(programme=world.programme)
    assert broker == [report.pk] and report.language == "en"
    cell = page.locator(f"#final-report-status-{report.pk}")
    expect(cell.locator(".badge")).to_have_text("queued")
    page.evaluate("window.__sameDocument = true")

    # The worker claims it; while the PDF renders, the page shows how far it has come.
    release = threading.Event()
    render = reports.build_pdf

    def held_pdf(context):
        release.wait(30)
        return render(context)

    monkeypatch.setattr(reports, "build_pdf", held_pdf)

    def work():
        try:
            services.build_final_report(report_id=broker.pop())
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        expect(cell.locator(".badge")).to_have_text("building", timeout=15_000)
        expect(cell).to_contain_text("45 %", timeout=15_000)
        expect(cell.get_by_role("progressbar")).to_have_attribute("value", "45")
    finally:
        release.set()
        worker.join(60)
    expect(cell.locator(".badge")).to_have_text("ready", timeout=15_000)
    assert page.evaluate("window.__sameDocument") is True
    expect(cell).not_to_have_attribute("hx-get", re.compile(".*"))  # polling stopped

    text = _download_pdf_text(page, cell.get_by_role("link", name="PDF"))
    for org in world.organisations:
        assert _squeezed(org.company.name) in text, org.company.name
    for finding in world.findings:
        assert _squeezed(finding) in text, finding
    assert "Plancareerguidancetogether" in text


def test_participant_reads_the_results_and_downloads_the_report(
    page, live_url, coordinator_user, world
):
    services.request_final_report(programme=world.programme, requested_by=coordinator_user)
    report = FinalReport.objects.get(programme=world.programme)
    assert report.status == "ready", report.error  # built on commit (eager Celery)
    participant = UserFactory(email="meisterin@organisation01.example")
    ProgrammePerson.objects.create(
        organisation=world.organisations[0], email=participant.email, user=participant
    )
    results = f"{live_url}/learning/{world.programme.slug}/results/"
    page.goto(results)
    _sign_in(page, participant, second_factor=False)
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Guide to joint apprenticeships")).to_be_visible()
    expect(main.get_by_role("link", name=re.compile("^Edit"))).to_have_count(0)
    expect(main.get_by_role("button", name="Request final report")).to_have_count(0)
    text = _download_pdf_text(page, main.get_by_role("link", name="PDF"))
    for org in world.organisations:
        assert _squeezed(org.company.name) in text

    # A participant of another programme finds nothing of this one.
    other = build_programme(coordinator=coordinator_user, organisations=1, title="Anderswo")
    ProgrammePerson.objects.filter(user=participant).update(organisation=other.organisations[0])
    assert page.goto(results).status == 404
    assert page.goto(f"{live_url}/learning/reports/{report.pk}/status/").status == 404
    assert page.goto(f"{live_url}/learning/reports/{report.pk}/download/").status == 404
