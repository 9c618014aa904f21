"""A progress report built by a real Celery worker on real Redis."""

import time
from datetime import date

import pytest
from django.db import transaction

from funding.models import ProgressReport
from funding.services import request_progress_report
from tests.support.celery_worker import celery_worker, purge_queue, real_broker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def _wait_for(report_id: int, statuses, timeout: float = 60.0) -> ProgressReport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = ProgressReport.objects.get(pk=report_id)
        if report.status in statuses:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report still {report.status} after {timeout} s")


def test_worker_builds_the_report(grant, coordinator, tmp_path, settings):
    purge_queue()
    storage = settings.STORAGES["default"]["OPTIONS"]["location"]
    with celery_worker(extra_env={"PRIVATE_MEDIA_ROOT": storage}) as worker, real_broker():
        started = time.monotonic()
        with transaction.atomic():
            report = request_progress_report(
                grant=grant, period_start=date(2026, 1, 1), period_end=date(2026, 6, 30),
                requested_by=coordinator,
            )  # fmt: skip
            # not enqueued before commit: the worker could not see the row yet
            assert ProgressReport.objects.get(pk=report.pk).status == "queued"
        report = _wait_for(report.pk, ("ready", "failed"))
        print(f"\nreport via real worker ready after {time.monotonic() - started:.2f} s")
        assert report.status == "ready", report.error + worker.log()
    with report.pdf_file.open("rb") as f:
        assert f.read(4) == b"%PDF"
