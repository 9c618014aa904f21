import io
import re
import time
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from funding import reports, services
from funding.models import ProgressReport
from funding.selectors import grant_indicators
from tests.factories import CompanyMemberFactory, FunderFactory, UserFactory
from tests.support.mfa import enable_totp

pytestmark = pytest.mark.django_db
PERIOD = (date(2026, 1, 1), date(2026, 6, 30))


def _request(grant, user, capture, period=PERIOD) -> ProgressReport:
    with capture(execute=True):
        report = services.request_progress_report(
            grant=grant, period_start=period[0], period_end=period[1], requested_by=user
        )
    report.refresh_from_db()
    return report


def _pdf_text(report) -> tuple[str, int]:
    with report.pdf_file.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_report_is_built_with_every_figure(grant, coordinator, django_capture_on_commit_callbacks):
    started = time.monotonic()
    report = _request(grant, coordinator, django_capture_on_commit_callbacks)
    print(f"\nreport build (fixture grant) took {time.monotonic() - started:.2f} s")
    assert report.status == ProgressReport.Status.READY, report.error
    assert report.kind == ProgressReport.Kind.INTERIM
    assert report.pdf_file.name.startswith("reports/") and report.xlsx_file.name.endswith(".xlsx")
    assert grant.reference not in report.pdf_file.name  # random names

    text, pages = _pdf_text(report)
    flat = " ".join(text.split())
    assert pages == 4  # cover, Sachbericht, financial statement, receipts
    assert "FKZ 01PV26001" in flat
    assert "01.01.2026 – 30.06.2026" in flat
    assert "690.200,01" in flat and "295.800,00" in flat  # the two shares of 986,000.01
    assert re.search(r"(Page|Seite) 4 (of|von) 4", flat)
    values = grant_indicators(grant=grant, period_start=PERIOD[0], period_end=PERIOD[1])
    assert "companies reached" in flat or "Unternehmen" in flat
    for code in ("companies_reached", "workshops_held"):
        assert str(values[code]) in flat
    # financial statement split by share: 5,000.01 personnel → 3,500.01 + 1,500.00
    assert "5.000,01" in flat and "3.500,01" in flat and "1.500,00" in flat
    # receipts
    assert "B-2026-001" in flat and "B-2026-002" in flat and "Deutsche Bahn" in flat
    assert "123,45" in flat
    # warning: travel overspent
    assert "overspent" in flat or "überschritten" in flat

    with report.xlsx_file.open("rb") as f:
        book = load_workbook(io.BytesIO(f.read()))
    assert book.sheetnames[:1] == ["Overview"] or len(book.sheetnames) == 4
    overview = book.worksheets[0]
    assert overview["B1"].value == "FKZ 01PV26001"
    shares = {row[0]: row[2] for row in overview.iter_rows(min_row=8, values_only=True) if row[0]}
    assert shares == {"Bundesministerium für Bildung": 690200.01, "Region Hannover": 295800.0}
    indicators = {r[1]: r[3] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert indicators == {"companies_reached": 0, "workshops_held": 0}
    receipts = list(book.worksheets[3].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in receipts] == ["B-2026-001", "B-2026-002"]
    assert receipts[0][5] == 5000.01


def test_final_report_when_period_ends_with_the_grant(
    grant, coordinator, django_capture_on_commit_callbacks
):
    report = _request(
        grant, coordinator, django_capture_on_commit_callbacks, (date(2026, 1, 1), grant.end_date)
    )
    assert report.kind == ProgressReport.Kind.FINAL
    assert report.status == ProgressReport.Status.READY


def test_period_outside_the_grant_refused(grant, coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.request_progress_report(
            grant=grant, period_start=date(2025, 1, 1), period_end=date(2026, 1, 1),
            requested_by=coordinator,
        )  # fmt: skip
    assert not ProgressReport.objects.exists()


def test_broker_down_leaves_the_row_queued(
    grant, coordinator, django_capture_on_commit_callbacks, monkeypatch
):
    from funding import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.build_progress_report_task, "delay", refuse)
    report = _request(grant, coordinator, django_capture_on_commit_callbacks)
    assert report.status == ProgressReport.Status.QUEUED

    # The periodic catch-up builds it once the grace period is over, and only once.
    assert services.build_queued_reports() == 0
    ProgressReport.objects.filter(pk=report.pk).update(
        requested_at=report.requested_at.replace(year=2020)
    )
    assert tasks.build_queued_reports_task() == 1
    assert tasks.build_queued_reports_task() == 0
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY


def test_failed_build_keeps_reason_and_retry_gives_one_ready_file(
    grant, coordinator, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(context, language):
        raise RuntimeError("WeasyPrint exploded")

    monkeypatch.setattr(reports, "build_pdf", broken)
    report = _request(grant, coordinator, django_capture_on_commit_callbacks)
    assert report.status == ProgressReport.Status.FAILED
    assert "WeasyPrint exploded" in report.error
    assert not report.pdf_file

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_progress_report(report=report)
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY
    assert report.error == "" and report.attempts == 2
    first_file = report.pdf_file.name

    # a duplicate delivery of the task does nothing: the row is no longer queued
    assert services.build_progress_report(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.pdf_file.name == first_file
    assert ProgressReport.objects.filter(status="ready").count() == 1

    # and a ready report cannot be "retried"
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.retry_progress_report(report=report)


def test_a_stale_run_does_not_overwrite_a_newer_claim(grant, coordinator, monkeypatch):
    """Run A claims, stalls; run B takes over (stale), finishes; A's late result is dropped."""
    report = ProgressReport.objects.create(
        grant=grant, kind="interim", period_start=PERIOD[0], period_end=PERIOD[1],
        requested_by=coordinator,
    )  # fmt: skip
    real_build = reports.build
    calls = []

    def build_and_get_overtaken(r):
        result = real_build(r)
        if not calls:
            calls.append(1)
            # while A was building, another worker claimed the row as stale and finished
            ProgressReport.objects.filter(pk=r.pk).update(attempts=r.attempts + 1)
        return result

    monkeypatch.setattr(reports, "build", build_and_get_overtaken)
    outcome = services.build_progress_report(report_id=report.pk)
    assert outcome.status == ProgressReport.Status.BUILDING  # A did not mark it ready
    assert not outcome.pdf_file


@pytest.fixture
def ready_report(grant, coordinator, django_capture_on_commit_callbacks):
    return _request(grant, coordinator, django_capture_on_commit_callbacks)


def test_download_by_coordinator_and_by_the_grants_funder(ready_report, client, funder_user):
    other_coordinator = UserFactory()
    other_coordinator.groups.add(*ready_report.requested_by.groups.all())
    enable_totp(other_coordinator)
    for user in (other_coordinator, funder_user):
        client.force_login(user)
        url = f"/funding/reports/{ready_report.pk}/download/"
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment")
        xlsx = client.get(url + "?format=xlsx")
        assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_download_refused_to_others(ready_report, client):
    url = f"/funding/reports/{ready_report.pk}/download/"
    assert client.get(url).status_code == 302  # to login
    stranger_funder = UserFactory()
    FunderFactory(name="Andere Stiftung").users.add(stranger_funder)
    enable_totp(stranger_funder)
    representative = CompanyMemberFactory().user
    for user in (stranger_funder, representative):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(url + "?format=xlsx").status_code == 404


def test_files_are_not_under_a_public_url(ready_report, client, coordinator):
    client.force_login(coordinator)
    assert client.get("/media/" + ready_report.pdf_file.name).status_code == 404
    assert client.get("/" + ready_report.pdf_file.name).status_code == 404


def test_reports_page_polls_until_finished(grant, coordinator_client, coordinator):
    queued = ProgressReport.objects.create(
        grant=grant, kind="interim", period_start=PERIOD[0], period_end=PERIOD[1],
        requested_by=coordinator,
    )  # fmt: skip
    page = coordinator_client.get(f"/funding/grants/{grant.pk}/reports/").content.decode()
    assert f'hx-get="/funding/reports/{queued.pk}/status/"' in page
    assert 'hx-trigger="every 2s"' in page
    services.build_progress_report(report_id=queued.pk)
    partial = coordinator_client.get(f"/funding/reports/{queued.pk}/status/").content.decode()
    assert "hx-get" not in partial
    assert f"/funding/reports/{queued.pk}/download/?format=xlsx" in partial


def test_request_through_the_page(grant, coordinator_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            f"/funding/grants/{grant.pk}/reports/",
            {"period_start": "2026-01-01", "period_end": "2026-06-30"},
        )
    assert response.status_code == 302
    assert ProgressReport.objects.get().status == "ready"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"period_start": "2026-06-30", "period_end": "2026-01-01"},
        {"period_start": "kein Datum", "period_end": "<script>alert(1)</script>"},
        {"period_start": "2020-01-01", "period_end": "2020-02-01"},
    ],
)
def test_report_request_bad_input(grant, coordinator_client, data):
    response = coordinator_client.post(f"/funding/grants/{grant.pk}/reports/", data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_requester_gets_a_link_not_the_file(
    grant, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_progress_report(
            grant=grant, period_start=PERIOD[0], period_end=PERIOD[1], requested_by=coordinator
        )
    # the build ran in a callback; its own e-mail callback needs one more round
    from regiolab.mail.models import OutboundEmail

    email = OutboundEmail.objects.get(to=coordinator.email)
    assert "FKZ 01PV26001" in email.subject
    assert f"/funding/grants/{grant.pk}/reports/" in email.body_text
    assert email.attachments == []
    report.refresh_from_db()
    assert report.status == "ready"


def test_worker_lost_build_can_be_retried_from_the_page(
    grant, coordinator_client, coordinator, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    report = ProgressReport.objects.create(
        grant=grant, kind="interim", period_start=PERIOD[0], period_end=PERIOD[1],
        requested_by=coordinator, status="building",
        started_at=timezone.now() - timedelta(minutes=30), attempts=1,
    )  # fmt: skip
    partial = coordinator_client.get(f"/funding/reports/{report.pk}/status/").content.decode()
    assert "hx-get" not in partial  # polling stops
    assert f"/funding/reports/{report.pk}/retry/" in partial
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(f"/funding/reports/{report.pk}/retry/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "ready" and report.attempts == 2


def test_funder_cannot_retry(grant, client, funder_user, coordinator):
    report = ProgressReport.objects.create(
        grant=grant, kind="interim", period_start=PERIOD[0], period_end=PERIOD[1],
        requested_by=coordinator, status="failed", error="x",
    )  # fmt: skip
    client.force_login(funder_user)
    assert client.post(f"/funding/reports/{report.pk}/retry/").status_code == 403
    report.refresh_from_db()
    assert report.status == "failed"


def test_report_shows_each_indicators_actual_value(
    world, coordinator, django_capture_on_commit_callbacks, funders
):
    from decimal import Decimal

    from funding.models import Indicator

    set_shares = services.set_cofinancing_shares
    set_shares(
        grant=world,
        shares=[
            services.ShareInput(funders[0], Decimal(70)),
            services.ShareInput(funders[1], Decimal(30)),
        ],
    )
    targets = {
        "companies_reached": 40, "companies_advised": 20, "smes_in_networks": 30,
        "workshops_held": 12, "participants": 150, "participant_hours": 900,
    }  # fmt: skip
    for code, target in targets.items():
        Indicator.objects.create(grant=world, code=code, target=target)
    report = _request(world, coordinator, django_capture_on_commit_callbacks)
    assert report.status == "ready", report.error
    flat = " ".join(_pdf_text(report)[0].split())
    # actual values for the first half of 2026 (see test_indicators): 3, 2, 2, 2, 4, 15.5
    for label, target, actual in [
        ("erreichte Unternehmen", "40", "3"),
        ("beratene Unternehmen", "20", "2"),
        ("KMU in Verbünden", "30", "2"),
        ("durchgeführte Workshops", "12", "2"),
        ("Teilnehmende", "150", "4"),
        ("Teilnehmendenstunden", "900", "15,50"),
    ]:
        assert re.search(rf"{label} {target} {actual} \d+", flat), label
    assert "female: 1" in flat or "weiblich: 1" in flat
    with report.xlsx_file.open("rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).worksheets[1]
    actuals = {r[1]: r[3] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert actuals == {
        "companies_reached": 3, "companies_advised": 2, "smes_in_networks": 2,
        "workshops_held": 2, "participants": 4, "participant_hours": 15.5,
    }  # fmt: skip
