"""Celery tasks of the results: thin wrappers that take ids and call the services."""

from celery import shared_task

from . import services


@shared_task(name="learning.build_final_report")
def build_final_report_task(report_id: int) -> str:
    report = services.build_final_report(report_id=report_id)
    return report.status if report else "skipped"


@shared_task(name="learning.build_queued_final_reports")
def build_queued_final_reports_task() -> int:
    """Periodic catch-up for final reports whose build was never enqueued (broker outage)."""
    return services.build_queued_final_reports()
