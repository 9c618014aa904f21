"""Writes for funding: grants and their shares, budgets, expenditures, progress reports."""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regiolab.links import absolute_url
from regiolab.mail import queue_email

from .models import (
    BudgetLine,
    CofinancingShare,
    Expenditure,
    Funder,
    Grant,
    Indicator,
    ProgressReport,
)

logger = logging.getLogger(__name__)

HUNDRED = Decimal(100)


# --- Co-financing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareInput:
    funder: Funder
    percent: Decimal


def _plain(number: Decimal) -> str:
    text = f"{number:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_share_percents(percents: list[Decimal]) -> None:
    """Each share 0 < p ≤ 100, together exactly 100 (raises ValidationError)."""
    if not percents:
        raise ValidationError(_("Add at least one co-financing share."), code="no_shares")
    for p in percents:
        if p is None or p <= 0 or p > HUNDRED:
            raise ValidationError(
                _("Each share must be more than 0 %% and at most 100 %% (got %(percent)s %%).")
                % {"percent": "–" if p is None else _plain(p)},
                code="share_range",
            )
    total = sum(percents, Decimal(0))
    if total != HUNDRED:
        raise ValidationError(
            _("The co-financing shares add up to %(total)s %%; they must add up to exactly 100 %%.")
            % {"total": _plain(total)},
            code="share_sum",
        )


def set_cofinancing_shares(*, grant: Grant, shares: list[ShareInput]) -> list[CofinancingShare]:
    """Replace the grant's shares in one transaction, under a lock on the grant row.

    The lock serialises two coordinators editing the same grant; the sum is checked here for a
    clear message and again at commit by the deferred trigger (migration 0003).
    """
    funders = [s.funder.pk for s in shares]
    if len(set(funders)) != len(funders):
        raise ValidationError(_("Each funder may hold only one share."), code="duplicate_funder")
    check_share_percents([s.percent for s in shares])
    with transaction.atomic():
        Grant.objects.select_for_update().get(pk=grant.pk)
        grant.shares.all().delete()
        rows = [CofinancingShare(grant=grant, funder=s.funder, percent=s.percent) for s in shares]
        for row in rows:
            row.full_clean(exclude=["grant"])
        return CofinancingShare.objects.bulk_create(rows)


# --- Grants ---------------------------------------------------------------------------------


def save_grant(*, grant: Grant, networks=None, coordinators=None) -> Grant:
    """Create or update a grant (its own fields, networks and coordinators)."""
    grant.currency = (grant.currency or "EUR").upper()
    grant.full_clean()
    with transaction.atomic():
        grant.save()
        if networks is not None:
            grant.networks.set(networks)
        if coordinators is not None:
            grant.coordinators.set(coordinators)
    return grant


def set_indicator_target(*, grant: Grant, code: str, target: Decimal) -> Indicator:
    indicator = Indicator.objects.filter(grant=grant, code=code).first() or Indicator(
        grant=grant, code=code
    )
    indicator.target = target
    indicator.full_clean()
    indicator.save()
    return indicator


def set_budget_line(*, grant: Grant, category: str, year: int, amount: Decimal) -> BudgetLine:
    if not grant.start_date.year <= year <= grant.end_date.year:
        raise ValidationError(
            {"year": _("The year must lie within the grant period.")}, code="year_outside"
        )
    line = BudgetLine.objects.filter(grant=grant, category=category, year=year).first()
    line = line or BudgetLine(grant=grant, category=category, year=year)
    line.amount = amount
    line.full_clean()
    line.save()
    return line


@dataclass(frozen=True)
class ReceiptUpload:
    """A receipt file already checked by content (regiolab.uploads.validate_receipt_upload)."""

    name: str  # the uploader's name, made harmless (receipt_display_name): a label only
    content: bytes
    extension: str  # of the checked kind: pdf, png or jpg
    content_type: str


@contextmanager
def _receipt_written(receipt: ReceiptUpload | None) -> Iterator:
    """Yields ``write(expenditure)``, which stores ``receipt`` under a random name in the
    private storage and notes it on the row (the caller saves the row). When the block fails
    (a refused change, a rolled-back transaction), the new file is deleted again."""
    written = []

    def write(expenditure: Expenditure) -> None:
        if receipt is None:
            return
        expenditure.receipt_file.save(
            f"receipt.{receipt.extension}", ContentFile(receipt.content), save=False
        )
        written.append((expenditure.receipt_file.storage, expenditure.receipt_file.name))
        expenditure.receipt_name = receipt.name
        expenditure.receipt_content_type = receipt.content_type

    try:
        yield write
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise


def _delete_file_after_commit(name: str, storage) -> None:
    """Delete a replaced or orphaned receipt once the change is committed (never before: a
    rollback keeps the row pointing at it)."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _set_network(expenditure: Expenditure) -> None:
    if expenditure.workshop_id and expenditure.network_id is None:
        expenditure.network_id = expenditure.workshop.network_id


def record_expenditure(
    *, grant: Grant, created_by=None, receipt: ReceiptUpload | None = None, **fields
) -> Expenditure:
    """Record one expenditure; a date outside the grant period is allowed but warned about."""
    expenditure = Expenditure(grant=grant, created_by=created_by, **fields)
    expenditure.full_clean(exclude=["receipt_file"])
    _set_network(expenditure)
    with _receipt_written(receipt) as write, transaction.atomic():
        write(expenditure)
        expenditure.save()
    return expenditure


def update_expenditure(
    *,
    expenditure: Expenditure,
    receipt: ReceiptUpload | None = None,
    remove_receipt: bool = False,
    **fields,
) -> Expenditure:
    """Change an expenditure's fields, and replace or remove its receipt file. Audit-logged
    (django-auditlog: old and new values, by the request's user)."""
    with _receipt_written(receipt) as write, transaction.atomic():
        locked = _locked_expenditure(expenditure)
        # The name now: saving a new file renames the same FieldFile in place.
        old_file = locked.receipt_file.name if (receipt or remove_receipt) else ""
        storage = locked.receipt_file.storage
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["receipt_file"])
        _set_network(locked)
        if receipt is not None:
            write(locked)
        elif remove_receipt:
            locked.receipt_file = ""
            locked.receipt_name = ""
            locked.receipt_content_type = ""
        locked.save()
        _delete_file_after_commit(old_file, storage)
    return locked


def delete_expenditure(*, expenditure: Expenditure) -> None:
    """Delete an expenditure and (after commit) its receipt file. Audit-logged: the entry keeps
    every value the row had, so the grant's history shows what was deleted and by whom."""
    with transaction.atomic():
        locked = _locked_expenditure(expenditure)
        _delete_file_after_commit(locked.receipt_file.name, locked.receipt_file.storage)
        locked.delete()


def _locked_expenditure(expenditure: Expenditure) -> Expenditure:
    try:
        return Expenditure.objects.select_for_update().get(pk=expenditure.pk)
    except Expenditure.DoesNotExist:
        raise ValidationError(_("This expenditure was deleted meanwhile."), code="gone") from None


# --- Progress reports -----------------------------------------------------------------------


def _enqueue_build(report_id: int) -> None:
    from .tasks import build_progress_report_task

    try:
        build_progress_report_task.delay(report_id)
    except Exception:  # broker down: the row stays queued; a retry or the next request re-sends
        logger.warning("Could not enqueue progress report %s; it stays queued", report_id)


def request_progress_report(
    *, grant: Grant, period_start: date, period_end: date, requested_by
) -> ProgressReport:
    """Create a queued report row and enqueue its build once the transaction commits.

    A period ending on the grant's last day gives the final report (Verwendungsnachweis),
    any other an interim report (Zwischennachweis).
    """
    if period_start > period_end:
        raise ValidationError(
            {"period_end": _("The end of the period cannot be before its start.")},
            code="period_order",
        )
    if period_start < grant.start_date or period_end > grant.end_date:
        raise ValidationError(
            _("The period must lie within the grant period (%(start)s – %(end)s).")
            % {"start": grant.start_date.isoformat(), "end": grant.end_date.isoformat()},
            code="period_outside",
        )
    kind = (
        ProgressReport.Kind.FINAL if period_end == grant.end_date else ProgressReport.Kind.INTERIM
    )
    with transaction.atomic():
        report = ProgressReport.objects.create(
            grant=grant,
            kind=kind,
            period_start=period_start,
            period_end=period_end,
            requested_by=requested_by,
        )
        transaction.on_commit(lambda: _enqueue_build(report.pk))
    return report


def retry_progress_report(*, report: ProgressReport) -> ProgressReport:
    """Put a failed (or stale, abandoned) build back in the queue."""
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != ProgressReport.Status.FAILED and not locked.is_stale:
            raise ValidationError(_("Only a failed report can be built again."), code="not_failed")
        locked.status = ProgressReport.Status.QUEUED
        locked.error = ""
        locked.save(update_fields=["status", "error"])
        transaction.on_commit(lambda: _enqueue_build(locked.pk))
    return locked


def _claim(report_id: int) -> ProgressReport | None:
    """Move the row queued → building under a row lock; None when someone else has it."""
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report_id)
        if report.is_stale:
            pass  # the earlier worker died mid-build (redelivered message): take over
        elif report.status != ProgressReport.Status.QUEUED:
            return None
        report.status = ProgressReport.Status.BUILDING
        report.started_at = timezone.now()
        report.attempts += 1
        report.save(update_fields=["status", "started_at", "attempts"])
        return report


def build_progress_report(*, report_id: int) -> ProgressReport | None:
    """Build the PDF and XLSX of a queued report; safe to run twice.

    Only the run that claimed the row (queued → building) builds, and only a row still
    "building" with the same attempt number becomes "ready", so a retry never leaves two
    ready files for one request. Any error leaves the row "failed" with the reason.
    """
    from . import reports

    report = _claim(report_id)
    if report is None:
        return None
    attempt = report.attempts
    started = time.monotonic()
    try:
        pdf, xlsx = reports.build(report)
    except Exception as exc:  # bad data, WeasyPrint: record why, the coordinator may retry
        logger.exception("Progress report %s failed", report_id)
        with transaction.atomic():
            locked = ProgressReport.objects.select_for_update().get(pk=report_id)
            if locked.status == ProgressReport.Status.BUILDING and locked.attempts == attempt:
                locked.status = ProgressReport.Status.FAILED
                locked.error = f"{type(exc).__name__}: {exc}"[:2000]
                locked.finished_at = timezone.now()
                locked.save(update_fields=["status", "error", "finished_at"])
                _tell_requester(locked)
            return locked
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().get(pk=report_id)
        if locked.status != ProgressReport.Status.BUILDING or locked.attempts != attempt:
            return locked  # another run took over meanwhile; keep its outcome
        stem = f"{locked.grant.reference}-{locked.period_start}-{locked.period_end}"
        locked.pdf_file.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        locked.xlsx_file.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        locked.status = ProgressReport.Status.READY
        locked.error = ""
        locked.finished_at = timezone.now()
        locked.build_seconds = round(time.monotonic() - started, 3)
        locked.save()
        _tell_requester(locked)
    return locked


def build_queued_reports(*, older_than: timedelta = timedelta(seconds=60)) -> int:
    """Build reports whose enqueue was lost (broker down); the claim keeps each build single."""
    cutoff = timezone.now() - older_than
    ids = ProgressReport.objects.filter(
        status=ProgressReport.Status.QUEUED, requested_at__lte=cutoff
    ).values_list("pk", flat=True)
    built = [build_progress_report(report_id=pk) for pk in list(ids)]
    return sum(1 for report in built if report is not None)


def _tell_requester(report: ProgressReport) -> None:
    """E-mail the requester a link (never the file: it stays behind the permission check)."""
    if report.requested_by is None or not report.requested_by.email:
        return
    reports_url = absolute_url(reverse("funding:grant_reports", args=[report.grant_id]))
    queue_email(
        to=report.requested_by.email,
        template="report_finished",
        context={"report": report, "reports_url": reports_url},
        language=report.grant.report_language,
    )
