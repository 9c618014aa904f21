"""Monitoring of an action plan: for a period the coordinator writes a narrative per action and
requests the monitoring report, whose PDF and XLSX twin are built by Celery (the pattern of
learning's final report). While a report builds, ``built_at`` holds the start of the build: the
mark of the run that claimed it (a redelivered message never finishes another run's build)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy.models import Action, ActionPlan, MonitoringNarrative, MonitoringReport

logger = logging.getLogger(__name__)
PENDING = (MonitoringReport.Status.QUEUED, MonitoringReport.Status.BUILDING)


def _stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 360) + 30)


def is_stale(report: MonitoringReport) -> bool:
    return (
        report.status == MonitoringReport.Status.BUILDING
        and report.built_at is not None
        and timezone.now() - report.built_at > _stale_after()
    )


def _enqueue_build(report_id: int) -> None:
    from .tasks import build_monitoring_report_task

    try:
        build_monitoring_report_task.delay(report_id)
    except Exception:  # broker down: the row stays queued; the periodic catch-up builds it
        logger.warning("Could not enqueue monitoring report %s; it stays queued", report_id)


def request_monitoring_report(
    *, plan: ActionPlan, period_start, period_end, narratives: dict[int, str], requested_by
) -> MonitoringReport:
    """Store the period's narratives (one per action) and enqueue the build after commit.

    Refused (nothing saved) for a period out of order or outside the plan, a narrative of
    another plan's action, or while another report of the plan is still being built.
    """
    errors = {}
    if period_start is None or period_end is None:
        errors["period_start"] = _("Enter the monitoring period.")
    elif period_end < period_start:
        errors["period_end"] = _("The end of the period lies before its start.")
    elif period_start < plan.period_start or period_end > plan.period_end:
        errors["period_start"] = _("The monitoring period must lie within the plan's period.")
    if errors:
        raise ValidationError(errors)
    texts = {int(k): (v or "").strip() for k, v in narratives.items() if (v or "").strip()}
    with transaction.atomic():
        ActionPlan.objects.select_for_update().get(pk=plan.pk)
        own = set(Action.objects.filter(plan=plan).values_list("pk", flat=True))
        if set(texts) - own:
            raise ValidationError(_("A narrative belongs to an action of another plan."))
        pending = MonitoringReport.objects.filter(plan=plan, status__in=PENDING)
        if any(not is_stale(r) for r in pending):
            raise ValidationError(
                _("A monitoring report of this plan is already being built."), code="pending"
            )
        report = MonitoringReport.objects.create(
            plan=plan, period_start=period_start, period_end=period_end,
            requested_by=requested_by,
        )  # fmt: skip
        MonitoringNarrative.objects.bulk_create(
            [MonitoringNarrative(report=report, action_id=a, text=t) for a, t in texts.items()]
        )
        transaction.on_commit(lambda: _enqueue_build(report.pk))
    return report


def retry_monitoring_report(*, report: MonitoringReport) -> MonitoringReport:
    with transaction.atomic():
        locked = MonitoringReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != MonitoringReport.Status.FAILED and not is_stale(locked):
            raise ValidationError(
                _("Only a failed monitoring report can be built again."), code="not_failed"
            )
        locked.status, locked.progress, locked.error = MonitoringReport.Status.QUEUED, 0, ""
        locked.built_at = None
        locked.save(update_fields=["status", "progress", "error", "built_at"])
        transaction.on_commit(lambda: _enqueue_build(locked.pk))
    return locked


def _claim(report_id: int) -> MonitoringReport | None:
    with transaction.atomic():
        try:
            report = MonitoringReport.objects.select_for_update().get(pk=report_id)
        except MonitoringReport.DoesNotExist:
            return None
        if report.status != MonitoringReport.Status.QUEUED and not is_stale(report):
            return None
        report.status = MonitoringReport.Status.BUILDING
        report.built_at = timezone.now()
        report.progress = 5
        report.save(update_fields=["status", "built_at", "progress"])
        return report


def _mine(report_id: int, mark):
    return MonitoringReport.objects.filter(
        pk=report_id, status=MonitoringReport.Status.BUILDING, built_at=mark
    )


def build_monitoring_report(*, report_id: int) -> MonitoringReport | None:
    """Build the PDF and XLSX of a queued report; safe to run twice (None: nothing to do)."""
    from . import reports

    report = _claim(report_id)
    if report is None:
        return None
    mark = report.built_at

    def progress(percent: int) -> None:
        _mine(report_id, mark).update(progress=percent)

    try:
        pdf, xlsx = reports.build(report, progress=progress)
    except Exception as exc:  # bad data, WeasyPrint: record why; the coordinator may retry
        logger.exception("Monitoring report %s failed", report_id)
        _mine(report_id, mark).update(
            status=MonitoringReport.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            built_at=timezone.now(),
        )
        return MonitoringReport.objects.get(pk=report_id)
    with transaction.atomic():
        locked = MonitoringReport.objects.select_for_update().get(pk=report_id)
        if locked.status != MonitoringReport.Status.BUILDING or locked.built_at != mark:
            return locked  # another run took over meanwhile; keep its outcome
        stem = f"monitoring-{locked.plan_id}-{locked.period_end.isoformat()}"
        locked.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        locked.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        locked.status = MonitoringReport.Status.READY
        locked.progress = 100
        locked.error = ""
        locked.built_at = timezone.now()
        locked.save()
    return locked


def build_queued_monitoring_reports(*, older_than: timedelta = timedelta(seconds=60)) -> int:
    """Build reports whose enqueue was lost (broker down), and take over stale builds."""
    now = timezone.now()
    ids = list(
        MonitoringReport.objects.filter(
            status=MonitoringReport.Status.QUEUED, requested_at__lte=now - older_than
        ).values_list("pk", flat=True)
    ) + list(
        MonitoringReport.objects.filter(
            status=MonitoringReport.Status.BUILDING, built_at__lt=now - _stale_after()
        ).values_list("pk", flat=True)
    )
    built = [build_monitoring_report(report_id=pk) for pk in ids]
    return sum(1 for report in built if report is not None)
