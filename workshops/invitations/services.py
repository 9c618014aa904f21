"""Workshop invitations: choose recipients, write one row per address, send in batches.

The request only writes ``Invitation`` rows (each with its Message-ID) and enqueues
``workshops.send_invitations`` after commit. The task renders the message once and sends batch
by batch over one SMTP connection. A batch is claimed in one short transaction (its rows'
next attempt moved past the claim's end, under ``select_for_update(skip_locked=True)``), and
each row is marked sent in its own commit right after the server accepted it, so a retry, a
second run or the periodic catch-up never sends an address twice; a worker killed mid-send
leaves only the message in flight unmarked, sent again with the same Message-ID once the claim
has run out (its unsent rows are then due again too). Temporary SMTP trouble (4xx, connection
errors) leaves the row pending with back-off for MAIL_RETRY_HOURS; a permanent refusal (5xx)
fails it (the outbox's rules: regiolab.mail.record_failure).
"""

import logging
import re
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message
from email.utils import formatdate

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from companies.models import CompanyMember
from regiolab import mail
from regiolab.links import absolute_url
from regiolab.mail import (
    PER_RECIPIENT_HEADERS,
    email_headers,
    is_permanent,  # noqa: F401 — re-exported: the rules live in regiolab.mail
    new_message_id,
    opted_out,
    record_failure,
    render_email,
    unsubscribe_url,
)

from ..models import Invitation, Registration, Workshop

logger = logging.getLogger(__name__)

# Quick retries by the task itself; after them the periodic task retries, with the back-off and
# for the time of settings.MAIL_RETRY_BACKOFF and MAIL_RETRY_HOURS.
TASK_RETRIES = 3
# Messages sent over one SMTP connection before it is closed and reopened.
BATCH_SIZE = 50
# The periodic task leaves fresh rows to the task enqueued by the request.
PENDING_GRACE = timedelta(seconds=60)
MAX_PASTED_ADDRESSES = 1000

_SEPARATORS = re.compile(r"[\s,;]+")


# --- Choosing recipients (networks and the company filter: planning.plan_invitations) --------


@dataclass(frozen=True)
class Recipient:
    email: str
    company_id: int | None = None
    network_id: int | None = None
    language: str = ""  # "" = the workshop's


@dataclass
class ParsedAddresses:
    valid: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def parse_addresses(text: str) -> ParsedAddresses:
    """Split pasted text (lines, commas, semicolons) into valid lower-cased and invalid entries."""
    parsed = ParsedAddresses()
    seen: set[str] = set()
    for raw in _SEPARATORS.split(text or ""):
        entry = raw.strip().strip("<>")
        if not entry:
            continue
        address = entry.lower()
        if address in seen:
            continue
        seen.add(address)
        try:
            if len(address) > 254:
                raise ValidationError("too long")
            validate_email(address)
        except ValidationError:
            parsed.invalid.append(raw.strip())
        else:
            parsed.valid.append(address)
    return parsed


def recipients_from_addresses(*, addresses: Iterable[str]) -> list[Recipient]:
    """Pasted addresses; an address of a known company member carries that company."""
    addresses = [a.lower() for a in addresses]
    companies = dict(
        CompanyMember.objects.annotate(email_lower=Lower("user__email"))
        .filter(email_lower__in=addresses, status=CompanyMember.Status.ACTIVE)
        .values_list("email_lower", "company_id")
    )
    return [Recipient(address, companies.get(address)) for address in addresses]


# --- Writing invitations ---------------------------------------------------------------------


@dataclass(frozen=True)
class InviteResult:
    created: int  # to be sent
    already_invited: int
    # Addresses that unsubscribed from invitations: recorded as not sent.
    unsubscribed: int = 0
    # Invited before, but the invitation failed: sent again.
    resent: int = 0


# last_error of an invitation not sent because its address unsubscribed (List-Unsubscribe).
UNSUBSCRIBED = "The recipient has unsubscribed from invitations."


def check_open_for_invitations(workshop: Workshop) -> None:
    if workshop.status != Workshop.Status.PUBLISHED or workshop.starts_at <= timezone.now():
        raise ValidationError(
            _("Invitations can only be sent for published workshops that have not started yet."),
            code="closed",
        )


def invite(*, workshop: Workshop, recipients: Iterable[Recipient], invited_by=None) -> InviteResult:
    """Write one pending row per new address and enqueue sending after commit.

    An address already invited to the workshop is not written again; if its invitation failed
    (not because it unsubscribed), it is sent again.
    """
    check_open_for_invitations(workshop)
    unique: dict[str, Recipient] = {}
    for recipient in recipients:
        unique.setdefault(recipient.email.strip().lower(), recipient)
    if not unique:
        raise ValidationError(_("No recipients were found for your choice."), code="empty")
    with transaction.atomic():
        existing = {
            email: (status, error)
            for email, status, error in Invitation.objects.filter(
                workshop=workshop, email__in=list(unique)
            ).values_list("email", "status", "last_error")
        }
        failed = {
            email
            for email, (status, error) in existing.items()
            if status == Invitation.Status.FAILED and error != UNSUBSCRIBED
        }
        resent = Invitation.objects.filter(
            workshop=workshop, email__in=failed - opted_out(failed)
        ).update(status=Invitation.Status.PENDING, failing_since=None, next_attempt_at=None)
        new_rows = [
            Invitation(
                workshop=workshop,
                email=email,
                company_id=recipient.company_id,
                network_id=recipient.network_id,
                language=recipient.language or workshop.language,
                invited_by=invited_by,
                message_id=new_message_id(),
            )
            for email, recipient in unique.items()
            if email not in existing
        ]
        # Unsubscribed addresses get a row too, so the coordinator sees who was left out.
        unsubscribed = opted_out(row.email for row in new_rows)
        for row in new_rows:
            if row.email in unsubscribed:
                row.status, row.last_error = Invitation.Status.FAILED, UNSUBSCRIBED
        # ignore_conflicts: a parallel request inviting the same address loses quietly.
        Invitation.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=500)
        if len(new_rows) > len(unsubscribed) or resent:
            workshop_id = workshop.pk
            transaction.on_commit(lambda: enqueue_sending(workshop_id))
    return InviteResult(
        created=len(new_rows) - len(unsubscribed),
        already_invited=len(existing) - resent,
        unsubscribed=len(unsubscribed),
        resent=resent,
    )


def enqueue_sending(workshop_id: int) -> None:
    from .tasks import send_invitations

    try:
        send_invitations.delay(workshop_id)
    except Exception:  # broker unreachable: rows stay pending for the periodic task
        logger.warning(
            "Could not enqueue invitations of workshop %s; the periodic task will send them",
            workshop_id,
            exc_info=True,
        )


# --- Sending -----------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    unsubscribed: int = 0  # not sent: the address unsubscribed from invitations

    @property
    def retry_later(self) -> bool:
        return self.deferred > 0


class _ConnectionLost(Exception):
    """The SMTP connection broke; the rest of the batch waits for the next run."""


def _breaks_connection(exc: Exception) -> bool:
    # smtplib's errors are OSErrors too; only a lost connection (or socket error) ends the batch.
    return isinstance(exc, smtplib.SMTPServerDisconnected) or (
        isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
    )


def register_url(workshop: Workshop) -> str:
    return absolute_url(reverse("workshops:register", args=[workshop.slug]))


# Stands in the rendered invitation for each recipient's own unsubscribe link. Plain ASCII: the
# body is encoded once as 8bit text, where it stays byte for byte and is replaced per recipient.
UNSUBSCRIBE_MARK = "REGIOLAB-UNSUBSCRIBE-LINK"
CRLF = "\r\n"


# Apps whose workshops belong to something larger (a learning programme's cycle) add a line to
# its invitation: each callable takes the workshop and answers (text, absolute URL) or None.
INVITATION_CONTEXT: list[Callable[[Workshop], tuple[str, str] | None]] = []


def register_invitation_context(describe: Callable[[Workshop], tuple[str, str] | None]) -> None:
    if describe not in INVITATION_CONTEXT:
        INVITATION_CONTEXT.append(describe)


def render_invitation(
    workshop: Workshop, *, language: str = "", unsubscribe_link: str = UNSUBSCRIBE_MARK
) -> tuple[str, str, str]:
    """Subject, text and HTML of the workshop's invitation in ``language`` (default: the
    workshop's)."""
    language = language or workshop.language
    with translation.override(language):
        part_of = [line for describe in INVITATION_CONTEXT if (line := describe(workshop))]
    context = {
        "workshop": workshop,
        "register_url": register_url(workshop),
        "workshop_url": absolute_url(workshop.get_absolute_url()),
        "unsubscribe_url": unsubscribe_link,
        "part_of": part_of,
    }
    return render_email("invitation", context, language=language)


def _fail_all_pending(workshop: Workshop, reason: str) -> int:
    return Invitation.objects.filter(workshop=workshop, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.FAILED, last_error=reason
    )


class _Encoded(Message):
    """A MIME message whose bytes are already written (with CRLF, as SMTP wants)."""

    def __init__(self, data: bytes):
        super().__init__()
        self._data = data

    def as_bytes(self, unixfrom=False, policy=None, linesep="\r\n") -> bytes:
        return self._data


class PreEncodedEmail(EmailMultiAlternatives):
    """An e-mail whose MIME bytes were written in advance. ``message()`` is Django's documented
    hook for what a backend sends; everything else (recipients, envelope) is Django's own."""

    def __init__(self, *args, encoded: bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.encoded = encoded

    def message(self) -> Message:
        return _Encoded(self.encoded)


@dataclass(frozen=True)
class PreparedInvitation:
    """The invitation of a workshop, rendered and encoded once for every recipient."""

    subject: str
    text: str
    html: str
    # The encoded MIME message without the headers that differ per recipient, with
    # UNSUBSCRIBE_MARK in its body; None if the body's encoding did not keep the mark intact.
    shared: bytes | None

    def message(self, address: str, connection, message_id: str = "") -> EmailMultiAlternatives:
        """The recipient's e-mail. For Django's SMTP backend with the bytes written in advance
        (only To, Date, Message-ID and the unsubscribe links differ per address) instead of
        building and encoding the whole MIME tree again for every address."""
        link = unsubscribe_url(address)
        headers = email_headers(to=address, bulk=True, unsubscribe_link=link, message_id=message_id)
        kwargs = {}
        cls = EmailMultiAlternatives
        if self.shared is not None and isinstance(connection, SmtpBackend):
            cls, kwargs = PreEncodedEmail, {"encoded": self._encoded(address, link, headers)}
        message = cls(
            subject=self.subject,
            body=self.text.replace(UNSUBSCRIBE_MARK, link),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            connection=connection,
            headers=headers,
            **kwargs,
        )
        message.attach_alternative(self.html.replace(UNSUBSCRIBE_MARK, link), "text/html")
        return message

    def _encoded(self, address: str, link: str, common: dict[str, str]) -> bytes:
        headers = {
            "To": sanitize_address(address, settings.DEFAULT_CHARSET),
            "Date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
            **{name: common[name] for name in PER_RECIPIENT_HEADERS},
        }
        # All ASCII (a sanitised address, a URL, a message id), so written as they are: the
        # email package's folding would turn the long unsubscribe URL into RFC 2047 encoded
        # words, which mail programs do not read as a link. One address of the list per line.
        lines = "".join(
            f"{name}: {value.replace('>, <', '>,' + CRLF + ' <')}{CRLF}"
            for name, value in headers.items()
        )
        body = self.shared.replace(UNSUBSCRIBE_MARK.encode("ascii"), link.encode("ascii"))
        return lines.encode("ascii") + body

    def send(self, address: str, connection, *, message_id: str = "") -> None:
        """Send to one address through the backend's public send_messages (it answers with the
        number sent); raises the SMTP error when it is not accepted."""
        if connection.send_messages([self.message(address, connection, message_id)]) != 1:
            raise smtplib.SMTPException("The message was not accepted.")


def prepare_invitation(workshop: Workshop, language: str = "") -> PreparedInvitation:
    subject, text, html = render_invitation(workshop, language=language)
    sample = "x@example.org"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[sample],
        headers=email_headers(to=sample, bulk=True),
    )
    message.attach_alternative(html, "text/html")
    mime = message.message()
    for header in ("To", "Date", *PER_RECIPIENT_HEADERS):
        del mime[header]
    shared = mime.as_bytes(linesep="\r\n")
    marks = text.count(UNSUBSCRIBE_MARK) + html.count(UNSUBSCRIBE_MARK)
    if shared.count(UNSUBSCRIBE_MARK.encode("ascii")) != marks:
        # A line over 998 characters makes Django quoted-printable encode the body, which may
        # break the mark: then every recipient's message is built whole (slower, same e-mail).
        shared = None
    return PreparedInvitation(
        subject=subject,
        text=text,
        html=html,
        shared=shared,
    )


def claim_seconds() -> float:
    """How long a run's claim on a batch lasts: longer than a live sender can take for it (the
    task's hard time limit, or every message of the batch waiting out the SMTP timeout), so a
    claim only runs out when its sender died. MAIL_CLAIM_SECONDS overrides it (fault tests)."""
    if settings.MAIL_CLAIM_SECONDS:
        return settings.MAIL_CLAIM_SECONDS
    limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or 0
    return max(limit, BATCH_SIZE * (settings.EMAIL_TIMEOUT or 10)) + 60


def _due_now() -> Q:
    # Not before its back-off (or another run's claim) has passed; never tried: now.
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())


def send_workshop_invitations(*, workshop_id: int, batch_size: int = BATCH_SIZE) -> SendResult:
    """Send the workshop's pending invitations; each row at most once per run and ever.

    Rows go in ascending id order in batches. A batch is claimed in one short transaction (its
    next attempt moved past the claim's end, so no other run takes it), then each row is sent
    over the batch's SMTP connection and marked sent in its own commit.
    """
    result = SendResult()
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    if workshop is None:
        return result
    if workshop.status != Workshop.Status.PUBLISHED or workshop.starts_at <= timezone.now():
        result.failed += _fail_all_pending(
            workshop, "The workshop is no longer open for registration."
        )
        return result
    prepared = _PreparedByLanguage(workshop)
    last_id = 0
    while True:
        candidates = list(
            Invitation.objects.filter(
                workshop_id=workshop_id, status=Invitation.Status.PENDING, pk__gt=last_id
            )
            .filter(_due_now())
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not candidates:
            return result
        last_id = candidates[-1]
        ids = _claim(candidates)
        if not ids:
            continue  # another run took them
        try:
            _send_batch(ids, prepared=prepared, result=result)
        except _ConnectionLost:
            return result


class _PreparedByLanguage(dict):
    """The workshop's invitation in each language its rows ask for, each prepared once."""

    def __init__(self, workshop: Workshop):
        super().__init__()
        self.workshop = workshop

    def __missing__(self, language: str) -> PreparedInvitation:
        prepared = self[language] = prepare_invitation(self.workshop, language)
        return prepared


def _claim(ids: list[int]) -> list[int]:
    """The rows of ``ids`` still pending and due, claimed for this run (committed at once)."""
    with transaction.atomic():
        claimed = list(
            Invitation.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=Invitation.Status.PENDING)
            .filter(_due_now())
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Invitation.objects.filter(pk__in=claimed).update(
            next_attempt_at=timezone.now() + timedelta(seconds=claim_seconds())
        )
    return claimed


def _send_batch(ids: list[int], *, prepared: _PreparedByLanguage, result: SendResult) -> None:
    connection = get_connection(fail_silently=False)
    done = 0
    try:
        try:
            connection.open()
        except Exception as exc:  # noqa: BLE001 — no server: every row of the batch waits
            _defer(ids, exc, result)
            done = len(ids)
            raise _ConnectionLost from exc
        rows = list(
            Invitation.objects.filter(pk__in=ids)
            .order_by("pk")
            .only("pk", "email", "language", "attempts", "message_id", "failing_since")
        )
        # Read once per batch; an address unsubscribed since is not sent, and marked so.
        unsubscribed = opted_out(row.email for row in rows)
        for row in rows:
            done += 1
            _send_one(
                row,
                connection,
                prepared=prepared[row.language or prepared.workshop.language],
                result=result,
                unsubscribed=unsubscribed,
            )
    finally:
        if done < len(ids):  # stopped early (connection lost, time limit): the rest is due again
            Invitation.objects.filter(pk__in=ids[done:], status=Invitation.Status.PENDING).update(
                next_attempt_at=None
            )
        try:
            connection.close()
        except Exception:  # noqa: BLE001 — closing a broken connection may fail too
            logger.debug("Closing the SMTP connection failed", exc_info=True)


def _send_one(invitation: Invitation, connection, *, prepared, result: SendResult, unsubscribed):
    """Send one claimed row and mark it in its own commit right after the server accepted it:
    a sender killed now leaves only this message unmarked, sent again once the claim runs out,
    with the same Message-ID (at most one message per killed process arrives twice)."""
    if invitation.email in unsubscribed:
        Invitation.objects.filter(pk=invitation.pk).update(
            status=Invitation.Status.FAILED, last_error=UNSUBSCRIBED, next_attempt_at=None
        )
        result.unsubscribed += 1
        return
    if not invitation.message_id:  # written before Message-IDs were stored: store it first
        invitation.message_id = new_message_id()
        invitation.save(update_fields=["message_id"])
    try:
        prepared.send(invitation.email, connection, message_id=invitation.message_id)
    except SoftTimeLimitExceeded:
        raise  # the task's time is up: this row and the rest are due again
    except Exception as exc:  # noqa: BLE001 — every SMTP error is recorded on the row
        if record_failure(invitation, exc):
            result.failed += 1
        else:
            result.deferred += 1
        invitation.save(update_fields=mail.RETRY_FIELDS)
        logger.info("Invitation %s not sent: %s", invitation.pk, invitation.last_error)
        if _breaks_connection(exc):
            raise _ConnectionLost from exc
        return
    _mark_sent(invitation.pk)
    result.sent += 1


def _mark_sent(pk: int) -> None:
    """One UPDATE, committed at once (autocommit): a killed worker resends at most this one."""
    Invitation.objects.filter(pk=pk).update(
        status=Invitation.Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        attempts=F("attempts") + 1,
        next_attempt_at=None,
    )


def _defer(ids: list[int], exc: Exception, result: SendResult) -> None:
    """No connection to the server: a failed try for each pending row of the batch."""
    with transaction.atomic():
        rows = list(
            Invitation.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=Invitation.Status.PENDING)
            .only("pk", *mail.RETRY_FIELDS)
        )
        for invitation in rows:
            if record_failure(invitation, exc):
                result.failed += 1
            else:
                result.deferred += 1
        Invitation.objects.bulk_update(rows, mail.RETRY_FIELDS)


def send_pending_invitations(*, older_than: timedelta = PENDING_GRACE) -> int:
    """Catch up on rows the broker or a worker left behind and on retries that are due;
    returns the number sent."""
    now = timezone.now()
    workshop_ids = list(
        Invitation.objects.filter(status=Invitation.Status.PENDING)
        .filter(mail.due(now=now, untried_before=now - older_than))
        .order_by("workshop_id")
        .values_list("workshop_id", flat=True)
        .distinct()
    )
    return sum(send_workshop_invitations(workshop_id=pk).sent for pk in workshop_ids)


def retry_countdown(retries: int) -> float:
    """Seconds before the task's own next retry: the back-off schedule of settings."""
    return mail.backoff_seconds(retries + 1)


# --- Reading ---------------------------------------------------------------------------------


def invitation_workshop(slug: str) -> Workshop:
    try:
        return Workshop.objects.get(slug=slug)
    except Workshop.DoesNotExist:
        raise Http404 from None


def _registered() -> Exists:
    """An active registration with the invited address (matched case-insensitively)."""
    return Exists(
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(workshop_id=OuterRef("workshop_id"), email_lower=OuterRef("email"))
        .exclude(status=Registration.Status.CANCELLED)
    )


def _unsubscribed() -> Q:
    """Not sent because the address unsubscribed from invitations."""
    return Q(status=Invitation.Status.FAILED, last_error=UNSUBSCRIBED)


def workshop_invitations(workshop: Workshop) -> QuerySet[Invitation]:
    """The workshop's invitations with company, ``registered`` and ``unsubscribed`` (one query
    for a page)."""
    return (
        Invitation.objects.filter(workshop=workshop)
        .select_related("company")
        .annotate(
            registered=_registered(),
            unsubscribed=ExpressionWrapper(_unsubscribed(), output_field=BooleanField()),
        )
        .order_by("email", "pk")
    )


def invitation_counts(workshop: Workshop) -> dict[str, int]:
    """Counts per shown status; "registered" wins over the sending status."""
    not_registered = Q(is_registered=False)
    return (
        Invitation.objects.filter(workshop=workshop)
        .annotate(is_registered=_registered())
        .aggregate(
            total=Count("pk"),
            registered=Count("pk", filter=Q(is_registered=True)),
            pending=Count("pk", filter=Q(status=Invitation.Status.PENDING) & not_registered),
            sent=Count("pk", filter=Q(status=Invitation.Status.SENT) & not_registered),
            failed=Count(
                "pk",
                filter=Q(status=Invitation.Status.FAILED) & ~_unsubscribed() & not_registered,
            ),
            unsubscribed=Count("pk", filter=_unsubscribed() & not_registered),
        )
    )


# --- Failed invitations: on the coordinators' failed-mail page (regiolab.mail) ----------------


def failed_invitations() -> QuerySet[Invitation]:
    """Invitations that failed for good and could still be useful: not unsubscribed, and the
    workshop still open for registration."""
    return Invitation.objects.filter(
        status=Invitation.Status.FAILED,
        workshop__status=Workshop.Status.PUBLISHED,
        workshop__starts_at__gt=timezone.now(),
    ).exclude(_unsubscribed())


def _failed_rows(limit: int) -> list[mail.FailedMail]:
    return [
        mail.FailedMail(
            kind=str(_("Invitation")),
            to=row.email,
            subject=row.workshop.title,
            error=row.last_error,
            attempts=row.attempts,
            since=row.failing_since or row.created_at,
        )
        for row in failed_invitations()
        .select_related("workshop")
        .only(
            "email",
            "last_error",
            "attempts",
            "failing_since",
            "created_at",
            "workshop__title",
        )
        .order_by("-pk")[:limit]
    ]


def resend_failed_invitations(*, by) -> int:
    """Make the failed invitations pending again (audited) and send them after commit."""
    with transaction.atomic():
        rows = list(
            failed_invitations().select_related("workshop").select_for_update(of=("self",))
        )  # with the workshop: the audit entry names it
        Invitation.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Invitation.Status.PENDING, failing_since=None, next_attempt_at=None
        )
        mail.audit_resend(rows, by=by)
        for workshop_id in sorted({row.workshop_id for row in rows}):
            transaction.on_commit(lambda pk=workshop_id: enqueue_sending(pk))
    return len(rows)


def register_failed_mail_source() -> None:
    mail.register_failed_mail_source(
        mail.FailedMailSource(
            key="invitations",
            count=lambda: failed_invitations().count(),
            rows=_failed_rows,
            resend=resend_failed_invitations,
        )
    )
