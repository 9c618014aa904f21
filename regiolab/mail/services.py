"""The e-mail outbox: queue inside a transaction, deliver after commit, catch up periodically.

Its public functions are importable from the package too (``from regiolab import mail``;
``mail.queue_email(...)``)."""

import base64
import contextlib
import logging
import smtplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection, make_msgid
from django.core.mail.utils import DNS_NAME
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from regiolab.links import absolute_url
from regiolab.privacy.anonymisation import PSEUDONYM_DOMAIN, is_pseudonym

from .models import MailOptOut, OutboundEmail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str

    def as_json(self) -> dict:
        return {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content_b64": base64.b64encode(self.content).decode("ascii"),
        }


# --- Headers every e-mail of the portal carries ------------------------------------------------


def site_domain() -> str:
    """The host of SITE_URL: the domain of our Message-IDs (not the sending machine's name)."""
    return urlsplit(settings.SITE_URL).hostname or str(DNS_NAME)


def office_address() -> str:
    """OFFICE_EMAIL without a display name, for a mailto: link."""
    return parseaddr(settings.OFFICE_EMAIL)[1] or settings.OFFICE_EMAIL


# Headers that differ from one recipient to the next; the rest can be encoded once for many.
PER_RECIPIENT_HEADERS = ("Message-ID", "List-Unsubscribe")


def new_message_id() -> str:
    return make_msgid(domain=site_domain())


def email_headers(
    *, to: str, bulk: bool = False, unsubscribe_link: str = "", message_id: str = ""
) -> dict[str, str]:
    """The headers of every automatic e-mail, in this one place (outbox, allauth, invitations).

    Replies go to the office, not to the no-reply sender; auto-responders (RFC 3834, and
    Exchange's own header) stay quiet. ``bulk`` (invitations): the recipient can unsubscribe
    from the mail program with one click (RFC 2369, RFC 8058); ``unsubscribe_link``: the
    recipient's ``unsubscribe_url(to)`` if the caller has it already; ``message_id``: the one
    stored on the row (a new one if empty).
    """
    headers = {
        "Message-ID": message_id or new_message_id(),
        "Reply-To": settings.OFFICE_EMAIL,
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    if bulk:
        mailto = f"mailto:{office_address()}?subject={quote('unsubscribe')}"
        headers["List-Unsubscribe"] = f"<{unsubscribe_link or unsubscribe_url(to)}>, <{mailto}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


# --- Unsubscribing from bulk e-mail -----------------------------------------------------------

# Kept from before the outbox was an app: links in e-mails already sent must stay valid.
_UNSUBSCRIBE_SALT = "regiolab.mail.unsubscribe"


def unsubscribe_token(email: str) -> str:
    """An unguessable token for the address: signed with SECRET_KEY, so nothing is stored
    until someone uses it, and it stays valid for as long as an old e-mail is kept."""
    return signing.dumps(email.strip().lower(), salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(email: str) -> str:
    return absolute_url(reverse("unsubscribe", args=[unsubscribe_token(email)]))


def address_of_token(token: str) -> str | None:
    """The address the token was made for; None for a forged or mangled token."""
    try:
        email = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return email if isinstance(email, str) and email else None


def opt_out(*, email: str) -> MailOptOut:
    """Record that the address wants no more bulk e-mail; a second call changes nothing."""
    email = email.strip().lower()
    try:
        with transaction.atomic():
            return MailOptOut.objects.get_or_create(email=email)[0]
    except IntegrityError:  # the same link clicked twice at once: the other request won
        return MailOptOut.objects.get(email=email)


def opted_out(emails) -> set[str]:
    """Those of the (lower-cased) addresses that unsubscribed."""
    return set(MailOptOut.objects.filter(email__in=list(emails)).values_list("email", flat=True))


def render_email(template: str, context: dict, language: str | None = None) -> tuple[str, str, str]:
    """Render ``email/<template>_subject.txt``, ``.txt`` and ``.html`` in ``language``."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, "office_email": office_address(), **context}
        subject = render_to_string(f"email/{template}_subject.txt", context)
        text = render_to_string(f"email/{template}.txt", context)
        html = render_to_string(f"email/{template}.html", context)
    return " ".join(subject.split()), text, html


def queue_email(
    *,
    to: str,
    template: str,
    context: dict,
    language: str | None = None,
    attachments: list[Attachment] = (),
    headers: dict[str, str] | None = None,
) -> OutboundEmail:
    """Write an outbox row and deliver it once the surrounding transaction commits.

    ``headers``: this message's own on top of the portal's (a newsletter's List-Unsubscribe)."""
    if is_pseudonym(to):
        # An anonymised person's placeholder address (a reminder or certificate for an
        # anonymised registration): nobody to deliver to, and nothing personal to keep.
        return OutboundEmail.objects.create(to=to, subject="", body_text="", status="failed")
    subject, text, html = render_email(template, context, language)
    return queue_rendered_email(
        to=to, subject=subject, text=text, html=html, attachments=attachments, headers=headers
    )


def queue_rendered_email(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    attachments: list[Attachment] = (),
    headers: dict[str, str] | None = None,
) -> OutboundEmail:
    """queue_email() for an e-mail rendered beforehand (e.g. before a row lock was taken)."""
    if is_pseudonym(to):
        return OutboundEmail.objects.create(to=to, subject="", body_text="", status="failed")
    email = OutboundEmail.objects.create(
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        attachments=[a.as_json() for a in attachments],
        headers=dict(headers or {}),
        message_id=new_message_id(),
    )
    transaction.on_commit(wake_delivery)
    return email


# Set while a delivery run is queued or has not yet looked for new rows. Publishing a task cost a
# registration more than its whole commit (make bench), so a burst of e-mails wakes the mail
# worker once; the timeout bounds a flag left behind by a worker that died.
DELIVERY_WAKE_KEY = "mail:delivery-wake"
DELIVERY_WAKE_SECONDS = 30


def wake_delivery() -> None:
    """After a commit that queued e-mails: make sure a delivery run will look for them."""
    from .tasks import deliver_new_emails

    try:
        if cache.add(DELIVERY_WAKE_KEY, 1, DELIVERY_WAKE_SECONDS):
            deliver_new_emails.delay()
    except Exception:  # broker or cache unreachable: the rows stay pending for the periodic task
        cache.delete(DELIVERY_WAKE_KEY)
        logger.warning("Could not wake the mail worker; the periodic task will send the e-mails")


# --- Retry rules (the outbox and invitations) -------------------------------------------------


def is_permanent(exc: Exception) -> bool:
    """A 5xx answer is permanent; 4xx answers (421 too), refused or dropped connections and
    timeouts are temporary. A refused login (535) is our configuration, fixed by an operator
    without losing the e-mails meanwhile."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def describe_error(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [
            f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for code, msg in exc.recipients.values()
        ]
        return "; ".join(parts)[:1000]
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error
        text = msg.decode(errors="replace") if isinstance(msg, bytes) else str(msg)
        return f"{exc.smtp_code} {text}"[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]


def backoff_seconds(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed try (settings.MAIL_RETRY_BACKOFF)."""
    schedule = settings.MAIL_RETRY_BACKOFF
    return float(schedule[min(max(attempts, 1), len(schedule)) - 1])


# The columns record_failure() changes.
RETRY_FIELDS = ["attempts", "last_error", "status", "failing_since", "next_attempt_at"]


def record_failure(row, exc: Exception, *, now=None) -> bool:
    """Note a failed try on an outbox row or an invitation (not saved); True if it failed for
    good: a permanent answer, or temporary ones for MAIL_RETRY_HOURS since the first."""
    now = now or timezone.now()
    row.attempts += 1
    row.last_error = describe_error(exc)
    row.failing_since = row.failing_since or now
    window = timedelta(hours=settings.MAIL_RETRY_HOURS)
    if is_permanent(exc) or now - row.failing_since >= window:
        row.status, row.next_attempt_at = "failed", None
        return True
    row.next_attempt_at = now + timedelta(seconds=backoff_seconds(row.attempts))
    return False


def due(*, now, untried_before) -> Q:
    """Pending rows a catch-up may send now: a retry whose back-off has passed, or one never
    tried (or whose sender died mid-send) older than the grace left to the wake-up task."""
    return Q(next_attempt_at__lte=now) | Q(
        next_attempt_at__isnull=True, created_at__lte=untried_before
    )


def _build_message(email: OutboundEmail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        connection=connection,
        headers={**email_headers(to=email.to, message_id=email.message_id), **email.headers},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for item in email.attachments:
        message.attach(item["filename"], base64.b64decode(item["content_b64"]), item["mimetype"])
    return message


def deliver(email_id: int, connection=None) -> bool:
    """Send one pending e-mail exactly once; True when it was sent now.

    ``connection``: the open backend a delivery run shares over its e-mails; a new one if None.
    """
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return False
        if not email.message_id:  # written before the Message-ID was stored
            email.message_id = new_message_id()
        try:
            _build_message(email, connection or get_connection()).send()
        except Exception as exc:  # noqa: BLE001 — any SMTP/connection error is recorded
            if connection is not None:
                _reconnect(connection)  # the failure may have broken it for the next e-mail
            record_failure(email, exc)
            email.save(update_fields=[*RETRY_FIELDS, "message_id"])
            logger.warning("E-mail %s not sent: %s", email_id, exc)
            return False
        # Committed on its own right after the server accepted it: a worker killed now
        # leaves at most this one e-mail to be sent again (with the same Message-ID).
        email.attempts += 1
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.next_attempt_at = None
        email.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "message_id"])
        return True


@contextlib.contextmanager
def _shared_connection() -> Iterator:
    """One SMTP connection for a delivery run instead of one per e-mail. If it cannot be opened
    now, each e-mail tries on its own and records the error on its row, as without it."""
    connection = get_connection()
    _reconnect(connection)
    try:
        yield connection
    finally:
        _reconnect(connection, reopen=False)


def _reconnect(connection, *, reopen: bool = True) -> None:
    try:
        connection.close()
        if reopen:
            connection.open()
    except Exception:  # noqa: BLE001 — the next send opens its own and records the error
        logger.debug("SMTP connection not (re)opened", exc_info=True)


def deliver_new(*, batch: int = 500) -> int:
    """Send every e-mail not yet tried, until none is left; returns the number sent.

    The wake flag is cleared before each look, so an e-mail committed after the look wakes
    another run, and one committed before it is found by it.
    """
    sent = 0
    skipped: set[int] = set()  # being sent by another run just now
    with _shared_connection() as connection:
        while True:
            cache.delete(DELIVERY_WAKE_KEY)
            ids = list(
                OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING, attempts=0)
                .exclude(pk__in=skipped)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return sent
            for pk in ids:
                if deliver(pk, connection):
                    sent += 1
                else:
                    skipped.add(pk)


def deliver_pending(*, older_than: timedelta = timedelta(seconds=30)) -> int:
    """Send what the broker never delivered and the retries that are due; returns the number
    sent."""
    now = timezone.now()
    # Oldest first (the model orders newest first), so a backlog over 500 cannot starve old rows.
    ids = list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING)
        .filter(due(now=now, untried_before=now - older_than))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    with _shared_connection() as connection:
        return sum(deliver(pk, connection) for pk in ids)


# --- Failed e-mails: listed for coordinators, sent again in one action -------------------------


@dataclass(frozen=True)
class FailedMail:
    kind: str
    to: str
    subject: str
    error: str
    attempts: int
    since: object  # datetime of the first failed try (or of the row)


@dataclass(frozen=True)
class FailedMailSource:
    """Where failed e-mails of one kind live. The outbox is one; a business app registers its
    own (invitations) from its AppConfig.ready(), so this module imports none of them."""

    key: str
    count: Callable[[], int]
    rows: Callable[[int], list[FailedMail]]  # at most that many, newest first
    resend: Callable[..., int]  # (by=user) -> rows made pending again, audited


FAILED_MAIL_SOURCES: dict[str, FailedMailSource] = {}


def register_failed_mail_source(source: FailedMailSource) -> None:
    FAILED_MAIL_SOURCES[source.key] = source


def failed_mail_count() -> int:
    return sum(source.count() for source in FAILED_MAIL_SOURCES.values())


def failed_mail(*, limit: int = 200) -> list[FailedMail]:
    """The failed e-mails of every source (at most ``limit`` of each), one query per source."""
    rows = [row for source in FAILED_MAIL_SOURCES.values() for row in source.rows(limit)]
    return sorted(rows, key=lambda row: row.since, reverse=True)


def resend_failed_mail(*, by) -> int:
    """Make every failed e-mail pending again and have it sent; returns how many."""
    return sum(source.resend(by=by) for source in FAILED_MAIL_SOURCES.values())


def audit_resend(rows, *, by) -> None:
    """One audit entry per e-mail made pending again (bulk updates send no signals)."""
    from auditlog.models import LogEntry

    if not rows:
        return
    content_type = ContentType.objects.get_for_model(type(rows[0]))
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=content_type,
            object_pk=str(row.pk),
            object_id=row.pk,
            object_repr=str(row)[:200],
            action=LogEntry.Action.UPDATE,
            changes={"status": ["failed", "pending"]},
            actor=by,
            actor_email=getattr(by, "email", None),
        )
        for row in rows
    )


def _failed_outbox():
    # An anonymised person's placeholder is written failed on purpose: nobody to send to.
    return OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).exclude(
        to__iendswith="@" + PSEUDONYM_DOMAIN
    )


def _outbox_rows(limit: int) -> list[FailedMail]:
    return [
        FailedMail(
            kind=str(_("E-mail")),
            to=row.to,
            subject=row.subject,
            error=row.last_error,
            attempts=row.attempts,
            since=row.failing_since or row.created_at,
        )
        for row in _failed_outbox()
        .only("to", "subject", "last_error", "attempts", "failing_since", "created_at")
        .order_by("-pk")[:limit]
    ]


def _resend_outbox(*, by) -> int:
    with transaction.atomic():
        rows = list(_failed_outbox().select_for_update().only("pk", "to", "subject"))
        OutboundEmail.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=OutboundEmail.Status.PENDING,
            failing_since=None,
            next_attempt_at=timezone.now(),
        )
        audit_resend(rows, by=by)
        if rows:
            transaction.on_commit(_enqueue_catch_up)
    return len(rows)


def _enqueue_catch_up() -> None:
    from .tasks import deliver_pending_emails

    try:
        deliver_pending_emails.delay()
    except Exception:  # broker unreachable: beat's catch-up sends them within a minute
        logger.warning("Could not enqueue the outbox catch-up; the periodic task will send them")


register_failed_mail_source(
    FailedMailSource(
        key="outbox",
        count=lambda: _failed_outbox().count(),
        rows=_outbox_rows,
        resend=_resend_outbox,
    )
)
