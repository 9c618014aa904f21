"""Celery tasks of the monitoring reports: thin wrappers that take ids and call the services."""

from celery import shared_task

from . import monitoring


@shared_task(name="policy.build_monitoring_report")
def build_monitoring_report_task(report_id: int) -> str:
    report = monitoring.build_monitoring_report(report_id=report_id)
    return report.status if report else "skipped"


@shared_task(name="policy.build_queued_monitoring_reports")
def build_queued_monitoring_reports_task() -> int:
    """Periodic catch-up for reports whose build was never enqueued (broker outage)."""
    return monitoring.build_queued_monitoring_reports()
