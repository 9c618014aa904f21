"""Good practices: recording and editing them, the two-step validation (a second coordinator,
never the author), archiving, and transfers to other regions.

Every write runs in one transaction after ``full_clean()``; a refusal is a ValidationError with
a message for the coordinator, and nothing is saved. The audit log (policy/practices/audit.py)
records each change with its author.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from policy.models import GoodPractice, PracticeFigure, Transfer
from regiolab.permissions import is_coordinator

# Paths under /practices/ that are pages, not practices.
RESERVED_SLUGS = frozenset({"new", "transfers"})


@contextlib.contextmanager
def _as_actor(user):
    """The audit log's author of the writes in the block: ``user`` (the request's user in a
    view; named explicitly for calls outside a request). The previous context is restored."""
    from auditlog.context import auditlog_value, set_actor

    if user is None:
        yield
        return
    token = auditlog_value.set({})
    try:
        with set_actor(user):
            yield
    finally:
        auditlog_value.reset(token)


def _check_slug(practice: GoodPractice) -> None:
    if practice.slug in RESERVED_SLUGS:
        raise ValidationError(
            {"slug": _("This short name is reserved for a page of the library; choose another.")}
        )


def save_practice(
    *,
    practice: GoodPractice,
    user,
    topics: Iterable | None = None,
    figures: Iterable[PracticeFigure] | None = None,
    removed_figures: Iterable[PracticeFigure] = (),
) -> GoodPractice:
    """Create or change a practice with its topics and linked figures.

    A new practice is a draft written by ``user``; a validated one stays validated (the audit
    log keeps what changed and who changed it).
    """
    if not is_coordinator(user):
        raise ValidationError(_("Only coordinators record good practices."))
    _check_slug(practice)
    if practice.company_id and not practice.organisation:
        practice.organisation = practice.company.name
    with transaction.atomic(), _as_actor(user):
        if practice.pk is None:
            practice.author = user
            practice.status = GoodPractice.Status.DRAFT
        # The author may be gone (SET_NULL); the practice stays editable.
        practice.full_clean(exclude=["author"])
        practice.save()
        if topics is not None:
            practice.topics.set(topics)
        for figure in removed_figures:
            if figure.pk:
                figure.delete()
        for position, figure in enumerate(figures or ()):
            figure.practice = practice
            figure.position = position
            figure.full_clean()
            figure.save()
    return practice


def validate_practice(*, practice: GoodPractice, by) -> GoodPractice:
    """The second step: a coordinator other than the author validates a draft, which makes
    it public. The author is refused (ValidationError, nothing saved)."""
    with transaction.atomic():
        current = GoodPractice.objects.select_for_update().get(pk=practice.pk)
        if current.author_id is not None and current.author_id == getattr(by, "pk", None):
            raise ValidationError(
                _(
                    "You drafted this practice yourself: a second coordinator must validate it "
                    "(four-eyes principle)."
                ),
                code="own_practice",
            )
        if by is None or not is_coordinator(by):
            raise ValidationError(
                _("Only a coordinator can validate a good practice."), code="not_coordinator"
            )
        if current.status != GoodPractice.Status.DRAFT:
            raise ValidationError(
                _("Only a draft can be validated; this practice is %(status)s.")
                % {"status": current.get_status_display()},
                code="not_draft",
            )
        current.status = GoodPractice.Status.VALIDATED
        current.validated_by = by
        current.validated_at = timezone.now()
        with _as_actor(by):
            current.save(update_fields=["status", "validated_by", "validated_at", "updated_at"])
    practice.status, practice.validated_by, practice.validated_at = (
        current.status,
        current.validated_by,
        current.validated_at,
    )
    return practice


def archive_practice(*, practice: GoodPractice, by) -> GoodPractice:
    """Take a practice out of the public library (it stays readable for coordinators)."""
    if not is_coordinator(by):
        raise ValidationError(_("Only coordinators archive good practices."))
    with transaction.atomic(), _as_actor(by):
        current = GoodPractice.objects.select_for_update().get(pk=practice.pk)
        if current.status == GoodPractice.Status.ARCHIVED:
            raise ValidationError(_("This practice is archived already."), code="archived")
        current.status = GoodPractice.Status.ARCHIVED
        current.save(update_fields=["status", "updated_at"])
    practice.status = current.status
    return practice


def save_transfer(*, transfer: Transfer, by) -> Transfer:
    """Record or change a transfer; a change of status moves its date to today unless given."""
    if not is_coordinator(by):
        raise ValidationError(_("Only coordinators record transfers."))
    with transaction.atomic(), _as_actor(by):
        if transfer.pk is not None:
            before = Transfer.objects.select_for_update().get(pk=transfer.pk)
            if (
                before.status != transfer.status
                and before.status_changed_on == transfer.status_changed_on
            ):
                transfer.status_changed_on = timezone.localdate()
        if transfer.from_region.strip().casefold() == transfer.to_region.strip().casefold():
            raise ValidationError(
                {"to_region": _("A transfer goes to another region than the one it comes from.")}
            )
        if transfer.status_changed_on < transfer.started_on:
            raise ValidationError(
                {"status_changed_on": _("The status cannot change before the transfer started.")}
            )
        transfer.full_clean()
        transfer.save()
    return transfer
