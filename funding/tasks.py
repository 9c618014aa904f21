"""Celery tasks for funding: thin wrappers that take ids and call services."""

from celery import shared_task

from . import anonymisation, services


@shared_task(name="funding.build_progress_report")
def build_progress_report_task(report_id: int) -> str:
    report = services.build_progress_report(report_id=report_id)
    return report.status if report else "skipped"


@shared_task(name="funding.build_queued_reports")
def build_queued_reports_task() -> int:
    """Periodic catch-up for reports whose build was never enqueued (broker outage)."""
    return services.build_queued_reports()


@shared_task(name="funding.anonymise_expired_personal_data")
def anonymise_expired_personal_data_task() -> int:
    """Nightly: participants' data of grants whose retention period has passed; idempotent."""
    return anonymisation.anonymise_expired_personal_data().rows
