"""Workshop registration: take a seat or join the waitlist, cancel, move up.

Seats are handed out under the workshop's row lock (``select_for_update``) in one short
transaction on READ COMMITTED: lock, check, write the registration, bump ``seats_taken``. The
``workshop_never_overbooked`` constraint backs the count and ``one_active_registration_per_email``
is the duplicate check. E-mails are written to the outbox in the same transaction and
delivered after commit (``regiolab.mail``). A single registration is validated and its e-mail
rendered before the lock is taken (once per workshop version and outcome, then only filled in
per person), so that the locked section is only lock, check, insert, count and the outbox
insert: with many people registering at once, every request waits for it.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from regiolab import caching
from regiolab.mail import Attachment, queue_rendered_email, render_email
from regiolab.privacy.consents import record_consents

from ..calendar import services as calendar
from ..models import Registration, Workshop
from ..personal_data import registration_consent

DUPLICATE_CONSTRAINT = "one_active_registration_per_email"
OPTIONAL_FIELDS = (
    "company_name",
    "language",
    "gender",
    "age_band",
    "employment_status",
    "education_level",
    "consent_text_version",
)


class RegistrationClosed(ValidationError):
    """The workshop takes no registrations (draft, cancelled, done, past or deadline passed)."""


class DuplicateRegistration(ValidationError):
    """The e-mail address already holds an active registration for the workshop."""


class BulkRegistrationError(ValidationError):
    """Several people registered in one go; ``row_errors`` maps row index to its error."""

    def __init__(self, row_errors: dict[int, ValidationError]):
        self.row_errors = row_errors
        super().__init__(_("Some rows could not be registered; nobody was registered."))


@dataclass(frozen=True)
class Participant:
    """One person of a multi-person registration."""

    first_name: str
    last_name: str
    email: str
    extra: dict = field(default_factory=dict)


# --- Checks --------------------------------------------------------------------------------


def registration_deadline(workshop: Workshop) -> datetime:
    return workshop.registration_deadline or workshop.starts_at


def registration_open_error(workshop: Workshop, *, now: datetime | None = None) -> str | None:
    """Why the workshop takes no registrations now, or None when it does."""
    now = now or timezone.now()
    if workshop.status == Workshop.Status.DRAFT:
        return _("This workshop has not been published yet.")
    if workshop.status == Workshop.Status.CANCELLED:
        return _("This workshop has been cancelled.")
    if workshop.status == Workshop.Status.DONE or workshop.ends_at <= now:
        return _("This workshop has already taken place.")
    if workshop.starts_at <= now:
        return _("This workshop has already started.")
    if registration_deadline(workshop) <= now:
        return _("The registration deadline for this workshop has passed.")
    return None


def _check_open(workshop: Workshop) -> None:
    error = registration_open_error(workshop)
    if error:
        raise RegistrationClosed(error, code="closed")


def _duplicate_error() -> DuplicateRegistration:
    return DuplicateRegistration(
        {"email": _("This e-mail address is already registered for this workshop.")},
    )


def _lock_workshop(workshop_id: int) -> Workshop:
    return Workshop.objects.select_for_update().get(pk=workshop_id)


# What a registration decides on under the lock (and the version its e-mail is rendered for).
LOCKED_STATE = (
    "capacity",
    "seats_taken",
    "status",
    "starts_at",
    "ends_at",
    "registration_deadline",
    "updated_at",
)


def _lock_for_registration(workshop: Workshop) -> Workshop:
    """Lock the row; a copy of ``workshop`` with the locked values of LOCKED_STATE.

    A few columns cost a fraction of the whole row. The caller's copy of the other columns
    (title, venue …) is current while ``updated_at`` is unchanged, as every edit moves it;
    otherwise the whole row is read again (already locked). Nothing else is read in this
    statement: on READ COMMITTED a statement that waited for the lock still sees the other
    tables as they were when it started (a waitlist count here would miss the registration
    committed by the transaction it waited for). Through the ORM, so that every database gets
    its own form: ``FOR UPDATE`` on PostgreSQL, nothing on SQLite, whose write transactions
    (``BEGIN IMMEDIATE``, regiolab.settings) are serialised as a whole.
    """
    row = (
        Workshop.objects.select_for_update()
        .filter(pk=workshop.pk)
        .values_list(*LOCKED_STATE)
        .first()
    )
    if row is None:
        raise Workshop.DoesNotExist("The workshop has been deleted.")
    state = dict(zip(LOCKED_STATE, row, strict=True))
    if state["updated_at"] != workshop.updated_at:
        return Workshop.objects.get(pk=workshop.pk)
    locked = copy.copy(workshop)
    for name, value in state.items():
        setattr(locked, name, value)
    return locked


def _is_duplicate(exc: IntegrityError) -> bool:
    return DUPLICATE_CONSTRAINT in str(exc)


# --- E-mails -------------------------------------------------------------------------------


def cancel_url(registration: Registration) -> str:
    path = reverse("registrations:cancel", args=[registration.cancel_token])
    return settings.SITE_URL.rstrip("/") + path


def waitlist_position(registration: Registration) -> int | None:
    """1-based place on the waitlist (order of registration), None when not waitlisted."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    return Registration.objects.filter(
        workshop_id=registration.workshop_id,
        status=Registration.Status.WAITLISTED,
        pk__lte=registration.pk,
    ).count()


# A registration e-mail differs between people only in the name, the cancel link and the
# waitlist place. Each template is rendered once per version of the workshop and language with
# placeholders for those, kept in the process, and filled in per person: in a rush for one
# workshop only the first registration of each outcome renders templates and the calendar file.
NAME_PLACEHOLDER = "@@registration-name@@"
CANCEL_URL_PLACEHOLDER = "@@cancel-url@@"
# Known only under the lock (a count of the waitlist).
POSITION_PLACEHOLDER = "@@waitlist-position@@"
_PLACEHOLDER = re.compile("@@(?:registration-name|cancel-url|waitlist-position)@@")


@dataclass(frozen=True)
class _Person:
    """What the registration templates read of the registration (a test compares the output
    with the templates rendered for a real registration)."""

    full_name: str


@dataclass(frozen=True)
class RenderedEmail:
    """A registration e-mail with placeholders, for one template, workshop version and language."""

    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...]

    @functools.cached_property
    def shows_position(self) -> bool:
        return any(POSITION_PLACEHOLDER in part for part in (self.subject, self.text, self.html))


def _template_for(registration: Registration) -> str:
    return "registration_confirmed" if registration.holds_seat else "registration_waitlisted"


def registration_email(workshop: Workshop, template: str, language: str) -> RenderedEmail:
    """The e-mail with placeholders, rendered on first use for this version of the workshop.

    Every edit of a workshop moves ``updated_at`` (``save()``, and the status updates in
    workshops.lifecycle), so the key changes with anything the e-mail shows.
    """
    return _rendered_email(template, workshop, workshop.updated_at, language, settings.SITE_URL)


@functools.lru_cache(maxsize=256)
def _rendered_email(template, workshop, updated_at, language, site_url) -> RenderedEmail:
    # Keyed by the workshop (its pk) and the version, language and address it shows.
    return _render_registration_email(workshop, template, language)


def _render_registration_email(workshop: Workshop, template: str, language: str) -> RenderedEmail:
    """Subject, text, HTML and (with a seat) the calendar file, in ``language``."""
    attachments = ()
    if template != "registration_waitlisted":
        # The calendar entry is useful only with a seat; waitlisted people get it when promoted.
        # In the e-mail's language (title and description), not in the booker's.
        with translation.override(language):
            attachments = (calendar.ics_attachment(workshop),)
    subject, text, html = render_email(
        template,
        {
            "registration": _Person(full_name=NAME_PLACEHOLDER),
            "workshop": workshop,
            "cancel_url": CANCEL_URL_PLACEHOLDER,
            "workshop_url": settings.SITE_URL.rstrip("/") + workshop.get_absolute_url(),
            "position": POSITION_PLACEHOLDER,
        },
        language,
    )
    return RenderedEmail(subject, text, html, attachments)


def personalise(email: RenderedEmail, registration: Registration) -> tuple[str, str, str]:
    """Subject, text and HTML for this person (the HTML gets the values escaped, as the
    template would have them); the waitlist place costs a query and is counted only if used."""
    values = {
        NAME_PLACEHOLDER: registration.full_name,
        CANCEL_URL_PLACEHOLDER: cancel_url(registration),
    }
    if email.shows_position:
        values[POSITION_PLACEHOLDER] = str(waitlist_position(registration))

    def fill(part: str, convert) -> str:
        # One pass, so that a name that looks like a placeholder stays as it is.
        return _PLACEHOLDER.sub(lambda match: convert(values[match.group()]), part)

    subject = " ".join(fill(email.subject, str).split())
    return subject, fill(email.text, str), fill(email.html, escape)


def _queue_registration_email(registration: Registration, template: str) -> None:
    """Queue the e-mail in the registration's language; its workshop is the locked copy."""
    email = registration_email(
        registration.workshop, template, registration.language or settings.LANGUAGE_CODE
    )
    subject, text, html = personalise(email, registration)
    queue_rendered_email(
        to=registration.email,
        subject=subject,
        text=text,
        html=html,
        attachments=list(email.attachments),
    )


# --- Writes --------------------------------------------------------------------------------


def _promote_locked(workshop: Workshop, registration: Registration, *, now: datetime) -> None:
    """Give a waitlisted registration a free seat; the caller holds the workshop lock."""
    registration.status = Registration.Status.CONFIRMED
    registration.promoted_at = now
    registration.confirmed_at = now
    registration.save(update_fields=["status", "promoted_at", "confirmed_at"])
    Workshop.objects.filter(pk=workshop.pk).update(seats_taken=F("seats_taken") + 1)
    workshop.seats_taken += 1
    registration.workshop = workshop
    _queue_registration_email(registration, "registration_promoted")


def _fill_free_seats_locked(workshop: Workshop, *, now: datetime) -> list[Registration]:
    free = workshop.capacity - workshop.seats_taken
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.filter(workshop=workshop, status=Registration.Status.WAITLISTED)
        .order_by("pk")
        .select_for_update()[:free]
    )
    for registration in promoted:
        _promote_locked(workshop, registration, now=now)
    return promoted


def _build_registration(
    workshop: Workshop,
    *,
    first_name: str,
    last_name: str,
    email: str,
    company,
    registered_by,
    now: datetime,
    optional: dict,
) -> Registration:
    """The unsaved registration with its fields checked (no lock needed)."""
    unknown = set(optional) - set(OPTIONAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown registration fields: {', '.join(sorted(unknown))}")
    registration = Registration(
        workshop=workshop,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        email=(email or "").strip(),
        company=company,
        registered_by=registered_by,
        status=Registration.Status.WAITLISTED,
        **{k: ("" if v is None else v) for k, v in optional.items()},
    )
    if company is not None and not registration.company_name:
        registration.company_name = company.name[:200]
    if not registration.language:
        registration.language = settings.LANGUAGE_CODE
    if registration.consent_text_version:
        registration.consent_given_at = now
    # Field checks (lengths, e-mail format, choices); the constraints are checked by the insert.
    registration.full_clean(exclude=["workshop"], validate_unique=False, validate_constraints=False)
    return registration


def _insert_locked(
    workshop: Workshop,
    registration: Registration,
    *,
    now: datetime,
) -> Registration:
    """Take a seat or a waitlist place; the caller holds the workshop lock and checked it is open.

    A second active registration of the same address fails the insert with an IntegrityError
    (``one_active_registration_per_email``); the caller turns it into DuplicateRegistration.
    """
    registration.workshop = workshop
    if workshop.seats_taken < workshop.capacity:
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
    registration.save(force_insert=True)
    if registration.holds_seat:
        Workshop.objects.filter(pk=workshop.pk).update(seats_taken=F("seats_taken") + 1)
        workshop.seats_taken += 1
    _queue_registration_email(registration, _template_for(registration))
    return registration


def register_participant(
    *,
    workshop: Workshop,
    first_name: str,
    last_name: str,
    email: str,
    company=None,
    registered_by=None,
    **optional,
) -> Registration:
    """Register one person: confirmed while seats are left, otherwise waitlisted.

    Optional: company_name, language, gender, age_band, employment_status, education_level,
    consent_text_version (consent is recorded as given now when a version is passed).
    Raises ValidationError (RegistrationClosed, DuplicateRegistration) and writes nothing then.
    """
    now = timezone.now()
    # Everything that needs no lock happens first: the field checks and the e-mail for the
    # outcome the copy at hand predicts, so that the locked section only fills in the person
    # (a wrong guess, or a workshop edited since, renders under the lock).
    registration = _build_registration(
        workshop,
        first_name=first_name,
        last_name=last_name,
        email=email,
        company=company,
        registered_by=registered_by,
        now=now,
        optional=optional,
    )
    predicted = workshop.seats_taken < workshop.capacity
    registration_email(
        workshop,
        "registration_confirmed" if predicted else "registration_waitlisted",
        registration.language,
    )
    try:
        # Its writes change what this network's workshops and grants show, no other's.
        with caching.scope(networks=workshop.network_id), transaction.atomic():
            locked = _lock_for_registration(workshop)
            _check_open(locked)
            # Seats freed by a capacity increase go to the waitlist first.
            _fill_free_seats_locked(locked, now=now)
            _insert_locked(locked, registration, now=now)
            if registration.consent_text_version:
                # The one extra insert of the hot path, only when consent was given.
                registration_consent(
                    registration, registered_by=registered_by, for_colleagues=False
                ).save(force_insert=True)
    except IntegrityError as exc:
        if _is_duplicate(exc):
            raise _duplicate_error() from exc
        raise
    workshop.seats_taken = locked.seats_taken
    return registration


def register_participants(
    *,
    workshop: Workshop,
    participants: Sequence[Participant],
    company=None,
    registered_by=None,
    **optional,
) -> list[Registration]:
    """Register several people (a company's colleagues) all or nothing.

    Each person becomes their own registration, in row order. Raises RegistrationClosed for the
    workshop, or BulkRegistrationError with the errors per row; then nothing is written.
    """
    if not participants:
        raise ValidationError(_("Please enter at least one person."), code="empty")
    now = timezone.now()
    row_errors: dict[int, ValidationError] = {}
    seen: dict[str, int] = {}
    for index, person in enumerate(participants):
        key = (person.email or "").strip().lower()
        if key in seen:
            row_errors[index] = ValidationError(
                {"email": _("This e-mail address appears twice in the list.")}
            )
        seen.setdefault(key, index)
    if row_errors:
        raise BulkRegistrationError(row_errors)
    with caching.scope(networks=workshop.network_id), transaction.atomic():
        locked = _lock_workshop(workshop.pk)
        _check_open(locked)
        _fill_free_seats_locked(locked, now=now)
        created = []
        for index, person in enumerate(participants):
            try:
                # A savepoint per row so that every row's errors can be collected.
                with transaction.atomic():
                    registration = _build_registration(
                        locked,
                        first_name=person.first_name,
                        last_name=person.last_name,
                        email=person.email,
                        company=company,
                        registered_by=registered_by,
                        now=now,
                        optional={**optional, **person.extra},
                    )
                    created.append(_insert_locked(locked, registration, now=now))
            except ValidationError as exc:
                row_errors[index] = exc
            except IntegrityError as exc:
                if not _is_duplicate(exc):
                    raise
                row_errors[index] = _duplicate_error()
        if row_errors:
            # Leaving the block with an exception rolls back every row already written.
            raise BulkRegistrationError(row_errors)
        # The booker gave the colleagues' consent: one insert for all of them.
        record_consents(
            registration_consent(r, registered_by=registered_by, for_colleagues=True)
            for r in created
            if r.consent_text_version
        )
    workshop.seats_taken = locked.seats_taken
    return created


def cancel_registration(*, registration: Registration) -> Registration | None:
    """Cancel; when that frees a seat, the first person on the waitlist moves up.

    Idempotent for an already cancelled registration. Returns the promoted registration or None.
    """
    now = timezone.now()
    with transaction.atomic():
        workshop = _lock_workshop(registration.workshop_id)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            _sync(registration, current)
            return None
        if current.status in (Registration.Status.ATTENDED, Registration.Status.NO_SHOW):
            raise ValidationError(
                _("Attendance has already been recorded; this registration can't be cancelled."),
                code="attendance_recorded",
            )
        freed_seat = current.holds_seat
        current.status = Registration.Status.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        # The person's confirmation; with a seat came a calendar entry, which this removes.
        current.workshop = workshop
        calendar.queue_calendar_email(
            registration=current,
            workshop=workshop,
            template="registration_cancelled",
            context={},
            method=calendar.CANCEL if freed_seat else None,
        )
        promoted = None
        if freed_seat:
            Workshop.objects.filter(pk=workshop.pk).update(seats_taken=F("seats_taken") - 1)
            workshop.seats_taken -= 1
            # Also after the deadline: the seat is still worth having until the start.
            if workshop.status == Workshop.Status.PUBLISHED and workshop.starts_at > now:
                first = (
                    Registration.objects.filter(
                        workshop=workshop, status=Registration.Status.WAITLISTED
                    )
                    .order_by("pk")
                    .select_for_update()
                    .first()
                )
                if first is not None:
                    _promote_locked(workshop, first, now=now)
                    promoted = first
        _sync(registration, current)
    return promoted


def promote_waitlisted(*, registration: Registration, by=None) -> Registration:
    """A coordinator moves a waitlisted person up into a free seat (e.g. after a capacity raise).

    ``by`` is the coordinator, kept for the signature of the audit trail.
    """
    now = timezone.now()
    with transaction.atomic():
        workshop = _lock_workshop(registration.workshop_id)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status != Registration.Status.WAITLISTED:
            raise ValidationError(
                _("Only people on the waitlist can be moved up."), code="not_waitlisted"
            )
        if workshop.seats_taken >= workshop.capacity:
            raise ValidationError(
                _("There is no free place; raise the number of places first."), code="full"
            )
        _promote_locked(workshop, current, now=now)
        _sync(registration, current)
    return registration


def _sync(target: Registration, source: Registration) -> None:
    """Copy the saved state back into the caller's instance."""
    for name in ("status", "cancelled_at", "confirmed_at", "promoted_at"):
        setattr(target, name, getattr(source, name))
