"""The monitoring report: narratives per action for a period, a Celery-built tagged PDF that
fits its pages and an XLSX twin (opened with openpyxl) with status, indicator values against
targets and the narratives; progress shown while it builds; permission-checked download."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from policy.models import MonitoringNarrative, MonitoringReport
from policy.plans import monitoring, reports
from tests.factories import UserFactory
from tests.policy.plans_support import make_grant, make_plan
from tests.support.pdf_geometry import _with_file, assert_fits_pages, pdfinfo

pytestmark = pytest.mark.django_db


def _squeezed(text: str) -> str:
    return "".join(c for c in text if c not in " -\u00ad\u2010\n")


def _request(plan, coordinator, **kwargs):
    actions = list(plan.actions.order_by("position"))
    narratives = {a.pk: f"Bericht zu {a.title[:12]}: läuft nach Plan." for a in actions}
    return monitoring.request_monitoring_report(
        plan=plan,
        period_start=kwargs.get("period_start", plan.period_start),
        period_end=kwargs.get("period_end", date.today()),
        narratives=kwargs.get("narratives", narratives),
        requested_by=coordinator,
    )


def test_requesting_builds_the_report_through_celery(
    coordinator, django_capture_on_commit_callbacks
):
    plan = make_plan(actions=3, grant=make_grant())
    with django_capture_on_commit_callbacks(execute=True):
        report = _request(plan, coordinator)
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.READY and report.progress == 100
    assert MonitoringNarrative.objects.filter(report=report).count() == 3
    pdf = report.pdf.read()
    info = pdfinfo(pdf)
    assert info["Tagged"] == "yes"
    assert info["Title"] == f"Monitoringbericht: {plan.title}"
    text = _squeezed(_with_file(pdf, ["pdftotext"]))
    for action in plan.actions.all():
        assert _squeezed(action.title) in text
    assert _squeezed("Bericht zu Maßnahme 1") in text
    # A second run (a redelivered message) builds nothing.
    assert monitoring.build_monitoring_report(report_id=report.pk) is None


def test_the_xlsx_twin_holds_status_values_targets_and_narratives(coordinator):
    plan = make_plan(actions=3)
    report = _request(plan, coordinator)
    built = monitoring.build_monitoring_report(report_id=report.pk)
    assert built.status == "ready", built.error
    book = openpyxl.load_workbook(io.BytesIO(built.xlsx.read()))
    assert {"Aktionsplan", "Maßnahmen", "Indikatoren"} <= set(book.sheetnames)
    actions = list(book["Maßnahmen"].iter_rows(values_only=True))
    assert actions[0][:3] == ("Nr.", "Maßnahme", "Status")
    assert [r[2] for r in actions[1:]] == ["geplant", "läuft", "verzögert"]
    assert actions[1][8].startswith("Bericht zu Maßnahme 1")
    indicators = list(book["Indikatoren"].iter_rows(values_only=True))
    manual = [r for r in indicators[1:] if r[2] == "Unternehmen beraten"]
    assert len(manual) == 3
    assert manual[0][5] == 8 and manual[0][6] == 20 and manual[0][7] == 40


def test_the_values_are_those_of_the_period_end(coordinator):
    plan = make_plan(actions=1)
    report = _request(plan, coordinator, period_end=date.today() - timedelta(days=50))
    context = reports.context_for(report)
    manual = context["rows"][0].indicators[0]
    assert manual.value == 5  # the value of 10 days ago lies after the period


@pytest.mark.parametrize("actions", [1, 25])
def test_the_pdf_fits_its_pages(coordinator, actions):
    plan = make_plan(actions=actions, grant=make_grant(), long=True)
    report = _request(plan, coordinator)
    built = monitoring.build_monitoring_report(report_id=report.pk)
    assert built.status == "ready", built.error
    assert_fits_pages(built.pdf.read(), name=f"policy-monitoring-{actions}")


def test_bad_periods_and_a_second_request_are_refused(coordinator):
    plan = make_plan(actions=2)
    with pytest.raises(ValidationError):
        _request(
            plan,
            coordinator,
            period_start=date.today(),
            period_end=date.today() - timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        _request(plan, coordinator, period_start=plan.period_start - timedelta(days=1))
    other = make_plan(actions=1, title="Anderer Plan")
    with pytest.raises(ValidationError):
        _request(plan, coordinator, narratives={other.actions.get().pk: "fremd"})
    assert not MonitoringReport.objects.exists()
    _request(plan, coordinator)
    with pytest.raises(ValidationError, match="bereits|already"):
        _request(plan, coordinator)
    assert MonitoringReport.objects.count() == 1


def test_a_failed_build_is_recorded_and_built_again(coordinator, monkeypatch):
    plan = make_plan(actions=1)
    report = _request(plan, coordinator)

    def broken(*args, **kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(reports, "build_pdf", broken)
    failed = monitoring.build_monitoring_report(report_id=report.pk)
    assert failed.status == "failed" and "kaputt" in failed.error
    monkeypatch.undo()
    monitoring.retry_monitoring_report(report=failed)
    assert monitoring.build_queued_monitoring_reports(older_than=timedelta(0)) == 1
    failed.refresh_from_db()
    assert failed.status == "ready"


def test_progress_is_shown_while_it_builds_and_downloads_are_checked(
    client, coordinator, monkeypatch
):
    plan = make_plan(actions=1)
    report = _request(plan, coordinator)
    seen = []
    original = reports.build_pdf

    def watching(context):
        seen.append(MonitoringReport.objects.get(pk=report.pk).progress)
        return original(context)

    monkeypatch.setattr(reports, "build_pdf", watching)
    client.force_login(coordinator)
    status_url = reverse("policy:monitoring_status", args=[report.pk])
    assert 'hx-trigger="every 2s"' in client.get(status_url).content.decode()
    monitoring.build_monitoring_report(report_id=report.pk)
    assert seen == [45]
    html = client.get(status_url).content.decode()
    assert "hx-trigger" not in html and "format=xlsx" in html
    download = client.get(reverse("policy:monitoring_download", args=[report.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content)[:4] == b"%PDF"
    client.force_login(UserFactory())
    assert client.get(reverse("policy:monitoring_download", args=[report.pk])).status_code == 403
