"""A workshop's life as the coordinators run it: create, edit, publish, cancel, check in,
certificates and reminders.

Every write that depends on the workshop's current state locks the workshop row first
(``select_for_update``) and decides under the lock, so a second click or a second task run
changes nothing. E-mails are written to the outbox in the same transaction and delivered after
commit (``regiolab.mail.queue_email``). Registrations of a cancelled workshop keep their status
for the records; the workshop's status says that it did not take place.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from regiolab.audit.services import log_bulk_changes
from regiolab.links import absolute_url
from regiolab.mail import Attachment, queue_email
from regiolab.text import german_slug
from regiolab.validators import no_markup

from ..calendar import services as calendar
from ..documents import pdfs
from ..models import Registration, Workshop
from ..registration.services import cancel_url, change_capacity

# Fixed words of the URL map under /workshops/ that a slug must not shadow.
RESERVED_SLUGS = frozenset({"manage", "new", "calendar.ics", "calendar"})
EDITABLE_FIELDS = (
    "title",
    "title_en",
    "slug",
    "description",
    "description_en",
    "network",
    "format",
    "venue",
    "online_url",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_deadline",
    "language",
    "trainers",
    "funding_note",
    "funding_note_en",
    "listed",
)
PLAIN_TEXT_FIELDS = (
    "title",
    "title_en",
    "description",
    "description_en",
    "venue",
    "trainers",
    "funding_note",
    "funding_note_en",
)
NOTIFIED_ON_CANCEL = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
# Changes that move the calendar entry: they raise the workshop's calendar sequence, and
# confirmed participants get the updated entry.
TIME_FIELDS = ("starts_at", "ends_at")
PLACE_FIELDS = ("format", "venue", "online_url")
ATTENDANCE_CHOICES = (Registration.Status.ATTENDED, Registration.Status.NO_SHOW)
MARKABLE = (Registration.Status.CONFIRMED, *ATTENDANCE_CHOICES)
REMINDER_WINDOW = timedelta(hours=24)
REMINDER_BATCH = 200


# --- Checks --------------------------------------------------------------------------------


def _add(errors: dict[str, list], field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _workshop_errors(workshop: Workshop, *, creating: bool, start_changed: bool, now: datetime):
    """Rules across fields of one workshop; field errors keyed by field name."""
    errors: dict[str, list] = {}
    for name in PLAIN_TEXT_FIELDS:
        try:
            no_markup(getattr(workshop, name))
        except ValidationError as exc:
            _add(errors, name, exc.messages[0])
    if workshop.slug in RESERVED_SLUGS:
        _add(errors, "slug", _("This short name is reserved; please choose another one."))
    if (
        workshop.format in (Workshop.Format.ON_SITE, Workshop.Format.HYBRID)
        and not (workshop.venue or "").strip()
    ):
        _add(errors, "venue", _("Please enter the venue of an on-site or hybrid workshop."))
    if (
        workshop.format in (Workshop.Format.ONLINE, Workshop.Format.HYBRID)
        and not (workshop.online_url or "").strip()
    ):
        _add(errors, "online_url", _("Please enter the link of an online or hybrid workshop."))
    starts, ends = workshop.starts_at, workshop.ends_at
    if starts and (creating or start_changed) and starts <= now:
        _add(errors, "starts_at", _("The start must lie in the future."))
    if starts and ends and ends <= starts:
        _add(errors, "ends_at", _("The end must come after the start."))
    deadline = workshop.registration_deadline
    if starts and deadline and deadline > starts:
        _add(errors, "registration_deadline", _("The deadline must not be after the start."))
    if workshop.capacity is not None and workshop.capacity < 1:
        _add(errors, "capacity", _("A workshop needs at least one place."))
    return errors


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = german_slug(title)[:100].strip("-") or "workshop"
    candidate, number = base, 1
    taken = Workshop.objects.exclude(pk=exclude_pk)
    while candidate in RESERVED_SLUGS or taken.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _apply(workshop: Workshop, fields: Mapping) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown workshop fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(workshop, name, value)


def _save_checked(workshop: Workshop, *, errors: dict, exclude_slug_pk: int | None) -> None:
    """full_clean, then save; a slug taken meanwhile becomes a field error."""
    generated = not workshop.slug
    if generated:
        workshop.slug = _unique_slug(workshop.title or "", exclude_pk=exclude_slug_pk)
    try:
        # The table's check constraints repeat rules checked above with clearer messages.
        workshop.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                _add(errors, field, message)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            workshop.save()
    except IntegrityError as exc:
        if "slug" not in str(exc):
            raise
        raise ValidationError(
            {"slug": _("This short name is already used by another workshop.")}
        ) from exc


def create_workshop(*, created_by=None, topics: Iterable = (), **fields) -> Workshop:
    """Create a draft workshop; a slug left empty is made from the title.

    Raises ValidationError with field errors and writes nothing then.
    """
    now = timezone.now()
    workshop = Workshop(created_by=created_by, status=Workshop.Status.DRAFT)
    _apply(workshop, fields)
    errors = _workshop_errors(workshop, creating=True, start_changed=True, now=now)
    with transaction.atomic():
        _save_checked(workshop, errors=errors, exclude_slug_pk=None)
        workshop.topics.set(list(topics))
    return workshop


def update_workshop(
    *, workshop: Workshop, topics: Iterable | None = None, by=None, **fields
) -> Workshop:
    """Change a workshop's details. A new capacity goes through
    ``registration.services.change_capacity`` in the same transaction: it may not drop below
    the seats already taken, and a raise moves the first waitlisted people up at once (they are
    told; the returned workshop lists them in ``promoted_from_waitlist``). Decided under the
    workshop's row lock, as registrations take seats the same way.
    """
    now = timezone.now()
    capacity = fields.pop("capacity", None)
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if locked.status == Workshop.Status.CANCELLED:
            raise ValidationError(
                _("A cancelled workshop can't be changed any more."), code="cancelled"
            )
        previous = copy.copy(locked)
        _apply(locked, fields)
        start_changed = locked.starts_at != previous.starts_at
        time_changed = any(getattr(locked, f) != getattr(previous, f) for f in TIME_FIELDS)
        place_changed = any(getattr(locked, f) != getattr(previous, f) for f in PLACE_FIELDS)
        if time_changed or place_changed:
            locked.sequence += 1
        errors = _workshop_errors(locked, creating=False, start_changed=start_changed, now=now)
        if capacity is not None and capacity != locked.capacity:
            if capacity < 1:
                _add(errors, "capacity", _("A workshop needs at least one place."))
            elif capacity < locked.seats_taken:
                _add(
                    errors,
                    "capacity",
                    _("%(taken)s places are already taken; the capacity can't be lower.")
                    % {"taken": locked.seats_taken},
                )
        _save_checked(locked, errors=errors, exclude_slug_pk=locked.pk)
        if topics is not None:
            locked.topics.set(list(topics))
        # Under the lock already held; promotes the waitlist and queues their e-mails.
        locked.promoted_from_waitlist = []
        if capacity is not None:
            locked.promoted_from_waitlist = change_capacity(
                workshop=locked, capacity=capacity, changed_by=by
            )
        if (time_changed or place_changed) and locked.status == Workshop.Status.PUBLISHED:
            _send_changed_entry(
                locked, previous, time_changed=time_changed, place_changed=place_changed
            )
    return locked


def _send_changed_entry(
    workshop: Workshop, previous: Workshop, *, time_changed: bool, place_changed: bool
) -> int:
    """Each confirmed participant gets the changed calendar entry (METHOD:REQUEST) once;
    queued in the caller's transaction, sent after commit. Returns the number queued."""
    registrations = Registration.objects.filter(
        workshop=workshop, status=Registration.Status.CONFIRMED
    ).order_by("pk")
    count = 0
    for registration in registrations:
        registration.workshop = workshop
        calendar.queue_calendar_email(
            registration=registration,
            workshop=workshop,
            template="workshop_changed",
            context={
                "previous": previous,
                "time_changed": time_changed,
                "place_changed": place_changed,
                "cancel_url": cancel_url(registration),
            },
            method=calendar.REQUEST,
        )
        count += 1
    return count


# Apps that act when a draft opens (surveys invites the companies of a demand plan): each is
# called with the workshop and the user inside publishing's transaction, once per publication.
PUBLISH_HOOKS: list[Callable[..., None]] = []


def on_publish(hook: Callable[..., None]) -> None:
    if hook not in PUBLISH_HOOKS:
        PUBLISH_HOOKS.append(hook)


def publish_workshop(*, workshop: Workshop, by=None) -> Workshop:
    """Open a draft for registration. Publishing twice changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if locked.status == Workshop.Status.PUBLISHED:
            return locked
        if locked.status != Workshop.Status.DRAFT:
            raise ValidationError(_("Only a draft can be published."), code="not_draft")
        if locked.starts_at <= now:
            raise ValidationError(
                _("This workshop lies in the past and can't be published."), code="past"
            )
        locked.status = Workshop.Status.PUBLISHED
        locked.published_at = now
        locked.sequence += 1
        locked.save(update_fields=["status", "published_at", "sequence", "updated_at"])
        for hook in PUBLISH_HOOKS:
            hook(workshop=locked, by=by)
    return locked


def has_taken_place(workshop: Workshop, *, now: datetime | None = None) -> bool:
    """A workshop that is done or has ended can no longer be cancelled."""
    now = now or timezone.now()
    return workshop.status == Workshop.Status.DONE or workshop.ends_at <= now


def cancel_workshop(*, workshop: Workshop, by=None) -> int:
    """Cancel the workshop and tell everybody registered (confirmed or waitlisted) once.

    The status checked under the row lock decides: a second call notifies nobody. Returns the
    number of people told.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if locked.status == Workshop.Status.CANCELLED:
            return 0
        if has_taken_place(locked, now=now):
            raise ValidationError(
                _("This workshop has already taken place and can't be cancelled."), code="done"
            )
        locked.status = Workshop.Status.CANCELLED
        locked.cancelled_at = now
        locked.sequence += 1
        locked.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
        registrations = Registration.objects.filter(
            workshop=locked, status__in=NOTIFIED_ON_CANCEL
        ).order_by("pk")
        notified = 0
        for registration in registrations:
            registration.workshop = locked
            # Only a seat came with a calendar entry; the waitlisted have none to remove.
            calendar.queue_calendar_email(
                registration=registration,
                workshop=locked,
                template="workshop_cancelled",
                context={},
                method=calendar.CANCEL if registration.holds_seat else None,
            )
            notified += 1
    workshop.status, workshop.cancelled_at = locked.status, locked.cancelled_at
    workshop.sequence, workshop.updated_at = locked.sequence, locked.updated_at
    return notified


# --- Attendance ----------------------------------------------------------------------------


def attendance_open(workshop: Workshop, *, now: datetime | None = None) -> bool:
    """Attendance is taken from the workshop's first day on (people check in on arrival)."""
    now = now or timezone.now()
    return workshop.status in (
        Workshop.Status.PUBLISHED,
        Workshop.Status.DONE,
    ) and timezone.localdate(workshop.starts_at) <= timezone.localdate(now)


def mark_attendance(*, workshop: Workshop, marks: Mapping[int, str], by=None) -> int:
    """Record attended / no-show for registrations of the workshop; returns rows changed.

    ``marks`` maps registration pk → ``attended`` | ``no_show``. Only confirmed or already
    marked registrations of this workshop are touched; both statuses keep the seat.
    """
    now = timezone.now()
    for status in marks.values():
        if status not in ATTENDANCE_CHOICES:
            raise ValidationError(_("Unknown attendance value."), code="invalid")
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if not attendance_open(locked, now=now):
            raise ValidationError(
                _("Attendance can be recorded from the day of the workshop on."), code="early"
            )
        rows = (
            Registration.objects.select_for_update()
            .filter(workshop=locked, pk__in=list(marks), status__in=MARKABLE)
            .order_by("pk")
        )
        changed, before = [], []
        for registration in rows:
            status = marks[registration.pk]
            if registration.status == status:
                continue
            before.append(copy.copy(registration))
            registration.status = status
            registration.attendance_marked_at = now
            changed.append(registration)
        Registration.objects.bulk_update(changed, ["status", "attendance_marked_at"])
        # bulk_update sends no signals; attendance is audit evidence, so log it explicitly.
        log_bulk_changes(zip(before, changed, strict=True), fields=["status"])
    return len(changed)


class CheckinRefused(ValidationError):
    """A check-in or its undo that cannot be done; the message says why."""


def _locked_for_attendance(workshop: Workshop, registration_id: int, *, now: datetime):
    """Lock the workshop, check that attendance is open, lock the registration of it."""
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if not attendance_open(locked, now=now):
        raise CheckinRefused(
            _("Attendance can be recorded from the day of the workshop on."), code="early"
        )
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .filter(workshop=locked, pk=registration_id)
        .select_related("company")
        .first()
    )
    if registration is None:
        raise CheckinRefused(_("This person is not registered for this workshop."), code="other")
    registration.workshop = locked
    return registration


def _clock(moment: datetime | None) -> str:
    return time_format(timezone.localtime(moment), "H:i") if moment else "–"


def check_in(*, workshop: Workshop, registration_id: int, by=None) -> Registration:
    """Mark one person attended (a door check-in): one row, audited like every attendance mark.

    Refused (CheckinRefused, nothing written) before the workshop's day, for a person without
    a seat (waitlisted, cancelled) and for someone already checked in (code ``already``).
    """
    now = timezone.now()
    with transaction.atomic():
        registration = _locked_for_attendance(workshop, registration_id, now=now)
        if registration.status == Registration.Status.ATTENDED:
            raise CheckinRefused(
                _("%(name)s is already checked in (since %(time)s).")
                % {
                    "name": registration.full_name,
                    "time": _clock(registration.attendance_marked_at),
                },
                code="already",
            )
        if registration.status not in MARKABLE:
            raise CheckinRefused(
                _("%(name)s holds no confirmed place (%(status)s) and can't be checked in.")
                % {"name": registration.full_name, "status": registration.get_status_display()},
                code="no_seat",
            )
        registration.status = Registration.Status.ATTENDED
        registration.attendance_marked_at = now
        registration.save(update_fields=["status", "attendance_marked_at"])
    return registration


def undo_check_in(*, workshop: Workshop, registration_id: int, by=None) -> Registration:
    """Take a check-in back: the person holds their place again, not yet marked."""
    now = timezone.now()
    with transaction.atomic():
        registration = _locked_for_attendance(workshop, registration_id, now=now)
        if registration.status != Registration.Status.ATTENDED:
            raise CheckinRefused(
                _("%(name)s is not checked in; there is nothing to undo.")
                % {"name": registration.full_name},
                code="not_checked_in",
            )
        registration.status = Registration.Status.CONFIRMED
        registration.attendance_marked_at = None
        registration.save(update_fields=["status", "attendance_marked_at"])
    return registration


# --- Certificates --------------------------------------------------------------------------


def certificates_open(workshop: Workshop, *, now: datetime | None = None) -> bool:
    """Certificates exist once a workshop that took place has ended."""
    now = now or timezone.now()
    return workshop.status != Workshop.Status.CANCELLED and workshop.ends_at <= now


def certificate_available(registration: Registration, *, now: datetime | None = None) -> bool:
    return registration.status == Registration.Status.ATTENDED and certificates_open(
        registration.workshop, now=now
    )


def send_certificates(*, workshop_id: int) -> int:
    """E-mail each attendee their certificate once; returns the number sent now.

    One short transaction per attendee: the row lock and ``certificate_sent_at`` decide, so a
    second run (or two at once) sends nothing twice, and one failure does not undo the others.
    """
    now = timezone.now()
    workshop = Workshop.objects.prefetch_related("topics").get(pk=workshop_id)
    if not certificates_open(workshop, now=now):
        return 0
    pks = list(
        Registration.objects.filter(
            workshop=workshop,
            status=Registration.Status.ATTENDED,
            certificate_sent_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in pks:
        with transaction.atomic():
            registration = (
                Registration.objects.select_for_update(skip_locked=True)
                .filter(
                    pk=pk,
                    status=Registration.Status.ATTENDED,
                    certificate_sent_at__isnull=True,
                )
                .first()
            )
            if registration is None:
                continue
            registration.workshop = workshop
            language = registration.language or settings.LANGUAGE_CODE
            queue_email(
                to=registration.email,
                template="certificate",
                context={
                    "registration": registration,
                    "workshop": workshop,
                    "certificate_url": pdfs.certificate_url(registration),
                },
                language=language,
                attachments=[
                    Attachment(
                        filename=pdfs.certificate_filename(registration),
                        content=pdfs.certificate_pdf(registration),
                        mimetype="application/pdf",
                    )
                ],
            )
            registration.certificate_sent_at = now
            registration.save(update_fields=["certificate_sent_at"])
            sent += 1
    return sent


# --- Reminders -----------------------------------------------------------------------------


def _due_reminders(now: datetime):
    return (
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            reminder_sent_at__isnull=True,
            workshop__status=Workshop.Status.PUBLISHED,
            workshop__starts_at__gt=now,
            workshop__starts_at__lte=now + REMINDER_WINDOW,
        )
        .select_related("workshop")
        .order_by("pk")
    )


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Remind confirmed participants of workshops starting within 24 hours, once each.

    Rows are locked with SKIP LOCKED, so two overlapping runs split the work instead of
    sending twice; ``reminder_sent_at`` is the flag. Returns the number of reminders queued.
    """
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                _due_reminders(now).select_for_update(skip_locked=True, of=("self",))[
                    :REMINDER_BATCH
                ]
            )
            for registration in batch:
                workshop = registration.workshop
                queue_email(
                    to=registration.email,
                    template="reminder",
                    context={
                        "registration": registration,
                        "workshop": workshop,
                        "workshop_url": absolute_url(workshop.get_absolute_url()),
                        "cancel_url": cancel_url(registration),
                    },
                    language=registration.language or settings.LANGUAGE_CODE,
                )
                registration.reminder_sent_at = now
            Registration.objects.bulk_update(batch, ["reminder_sent_at"])
        sent += len(batch)
        if len(batch) < REMINDER_BATCH:
            return sent


def mark_finished_workshops(*, now: datetime | None = None) -> int:
    """Published workshops whose end has passed become "done"; returns how many changed."""
    now = now or timezone.now()
    return Workshop.objects.filter(status=Workshop.Status.PUBLISHED, ends_at__lte=now).update(
        status=Workshop.Status.DONE, sequence=F("sequence") + 1, updated_at=now
    )
