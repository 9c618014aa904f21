"""Writes of a programme's results: the tools and policy recommendations, and the final report
(PDF and XLSX, built by Celery like a grant's progress report)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regiolab.links import absolute_url
from regiolab.mail import queue_email

from ..models import FinalReport, LearningProgramme, ResultSection

logger = logging.getLogger(__name__)

SECTION_FIELDS = ("kind", "title", "title_en", "body", "body_en", "position")
LANGUAGES = ("de", "en")


# --- Tools and policy recommendations -------------------------------------------------------


def _next_position(programme: LearningProgramme, kind: str) -> int:
    last = ResultSection.objects.filter(programme=programme, kind=kind).aggregate(
        last=Max("position")
    )["last"]
    return 0 if last is None else min(last + 1, 32767)


def create_section(*, programme: LearningProgramme, position: int | None = None, **fields):
    """Add a tool or recommendation; without a position it goes after the others of its kind."""
    unknown = set(fields) - set(SECTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown section fields: {', '.join(sorted(unknown))}")
    section = ResultSection(programme=programme, **fields)
    with transaction.atomic():
        # One writer per programme at a time, so two new sections never share a position.
        LearningProgramme.objects.select_for_update().get(pk=programme.pk)
        section.position = (
            position if position is not None else _next_position(programme, section.kind)
        )
        section.full_clean()
        section.save()
    return section


def update_section(*, section: ResultSection, position: int | None = None, **fields):
    unknown = set(fields) - set(SECTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown section fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        try:
            locked = ResultSection.objects.select_for_update().get(pk=section.pk)
        except ResultSection.DoesNotExist:
            raise ValidationError(_("This section was deleted meanwhile."), code="gone") from None
        kind_changed = "kind" in fields and fields["kind"] != locked.kind
        for name, value in fields.items():
            setattr(locked, name, value)
        if position is not None:
            locked.position = position
        elif kind_changed:
            locked.position = _next_position(locked.programme, locked.kind)
        locked.full_clean()
        locked.save()
    return locked


def delete_section(*, section: ResultSection) -> None:
    deleted, _rows = ResultSection.objects.filter(pk=section.pk).delete()
    if not deleted:
        raise ValidationError(_("This section was deleted meanwhile."), code="gone")


# --- The final report -----------------------------------------------------------------------


def _stale_after() -> timedelta:
    """A build still "building" this long after it started lost its worker."""
    return timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 360) + 30)


def is_stale(report: FinalReport) -> bool:
    return (
        report.status == FinalReport.Status.BUILDING
        and report.started_at is not None
        and timezone.now() - report.started_at > _stale_after()
    )


def _enqueue_build(report_id: int) -> None:
    from .tasks import build_final_report_task

    try:
        build_final_report_task.delay(report_id)
    except Exception:  # broker down: the row stays queued; the periodic catch-up builds it
        logger.warning("Could not enqueue final report %s; it stays queued", report_id)


def request_final_report(
    *, programme: LearningProgramme, requested_by, language: str = "de"
) -> FinalReport:
    """Create a queued final report and enqueue its build once the transaction commits.

    Refused while another final report of the programme is still queued or building, so a
    double click builds one report, not two.
    """
    if language not in LANGUAGES:
        raise ValidationError({"language": _("Choose German or English.")}, code="language")
    with transaction.atomic():
        LearningProgramme.objects.select_for_update().get(pk=programme.pk)
        pending = FinalReport.objects.filter(
            programme=programme,
            status__in=[FinalReport.Status.QUEUED, FinalReport.Status.BUILDING],
        )
        if any(not is_stale(r) for r in pending):
            raise ValidationError(
                _("A final report of this programme is already being built."), code="pending"
            )
        report = FinalReport.objects.create(
            programme=programme, requested_by=requested_by, language=language
        )
        transaction.on_commit(lambda: _enqueue_build(report.pk))
    return report


def retry_final_report(*, report: FinalReport) -> FinalReport:
    """Put a failed (or stale, abandoned) build back in the queue."""
    with transaction.atomic():
        locked = FinalReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != FinalReport.Status.FAILED and not is_stale(locked):
            raise ValidationError(
                _("Only a failed final report can be built again."), code="not_failed"
            )
        locked.status = FinalReport.Status.QUEUED
        locked.progress = 0
        locked.error = ""
        locked.save(update_fields=["status", "progress", "error"])
        transaction.on_commit(lambda: _enqueue_build(locked.pk))
    return locked


def _claim(report_id: int) -> FinalReport | None:
    """Move the row queued → building under a row lock; None when someone else has it.

    ``started_at`` is the claim's mark: only the run whose mark is still on the row may record
    progress and the outcome, so a redelivered message never finishes another run's build.
    """
    with transaction.atomic():
        try:
            report = FinalReport.objects.select_for_update().get(pk=report_id)
        except FinalReport.DoesNotExist:
            return None
        if report.status != FinalReport.Status.QUEUED and not is_stale(report):
            return None
        report.status = FinalReport.Status.BUILDING
        report.started_at = timezone.now()
        report.progress = 5
        report.finished_at = None
        report.save(update_fields=["status", "started_at", "progress", "finished_at"])
        return report


def _mine(report_id: int, started_at):
    return FinalReport.objects.filter(
        pk=report_id, status=FinalReport.Status.BUILDING, started_at=started_at
    )


def build_final_report(*, report_id: int) -> FinalReport | None:
    """Build the PDF and XLSX of a queued final report; safe to run twice.

    The progress (0-100) is written in its own commits while it builds, so the results page
    shows it. Any error leaves the row "failed" with the reason and tells the requester.
    """
    from . import reports

    report = _claim(report_id)
    if report is None:
        return None
    mark = report.started_at

    def progress(percent: int) -> None:
        _mine(report_id, mark).update(progress=percent)

    try:
        pdf, xlsx = reports.build(report, progress=progress)
    except Exception as exc:  # bad data, WeasyPrint: record why, the coordinator may retry
        logger.exception("Final report %s failed", report_id)
        with transaction.atomic():
            locked = FinalReport.objects.select_for_update().get(pk=report_id)
            if locked.status == FinalReport.Status.BUILDING and locked.started_at == mark:
                locked.status = FinalReport.Status.FAILED
                locked.error = f"{type(exc).__name__}: {exc}"[:2000]
                locked.finished_at = timezone.now()
                locked.save(update_fields=["status", "error", "finished_at"])
                _tell_requester(locked)
            return locked
    with transaction.atomic():
        locked = (
            FinalReport.objects.select_for_update().select_related("programme").get(pk=report_id)
        )
        if locked.status != FinalReport.Status.BUILDING or locked.started_at != mark:
            return locked  # another run took over meanwhile; keep its outcome
        stem = f"{locked.programme.slug}-{timezone.localdate().isoformat()}"
        locked.pdf_file.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        locked.xlsx_file.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        locked.status = FinalReport.Status.READY
        locked.progress = 100
        locked.error = ""
        locked.finished_at = timezone.now()
        locked.save()
        _tell_requester(locked)
    return locked


def build_queued_final_reports(*, older_than: timedelta = timedelta(seconds=60)) -> int:
    """Build final reports whose enqueue was lost (broker down), and take over stale ones."""
    cutoff = timezone.now() - older_than
    ids = list(
        FinalReport.objects.filter(
            status=FinalReport.Status.QUEUED, requested_at__lte=cutoff
        ).values_list("pk", flat=True)
    ) + list(
        FinalReport.objects.filter(
            status=FinalReport.Status.BUILDING, started_at__lt=timezone.now() - _stale_after()
        ).values_list("pk", flat=True)
    )
    built = [build_final_report(report_id=pk) for pk in ids]
    return sum(1 for report in built if report is not None)


def _tell_requester(report: FinalReport) -> None:
    """E-mail the requester a link (never the file: it stays behind the permission check)."""
    if report.requested_by is None or not report.requested_by.email:
        return
    results_url = absolute_url(reverse("learning:results", args=[report.programme.slug]))
    queue_email(
        to=report.requested_by.email,
        template="learning_final_report_finished",
        context={"report": report, "programme": report.programme, "results_url": results_url},
        language=report.language,
    )
