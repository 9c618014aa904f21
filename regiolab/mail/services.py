"""The e-mail outbox: queue inside a transaction, deliver after commit, catch up periodically.

Its delivery engine (``deliver_due``) sends the outbox's rows and, handed over by the workshops
app, invitations: one loop, one claim, one set of retry rules.

Its public functions are importable from the package too (``from regiolab import mail``;
``mail.queue_email(...)``)."""

import base64
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from email.utils import formatdate, parseaddr
from urllib.parse import quote, urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection, make_msgid
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.core.mail.utils import DNS_NAME
from django.db import IntegrityError, transaction
from django.db.models import F, Q
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


# --- Bulk e-mail rendered once for many recipients (invitations) ------------------------------

# Stands in a bulk e-mail's rendered body for each recipient's own unsubscribe link. Plain ASCII:
# the body is encoded once as 8bit text, where it stays byte for byte and is replaced per
# recipient.
UNSUBSCRIBE_MARK = "REGIOLAB-UNSUBSCRIBE-LINK"
CRLF = "\r\n"


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
class PreparedEmail:
    """A bulk e-mail rendered and encoded once for every recipient (``prepare_bulk_email``)."""

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


def prepare_bulk_email(subject: str, text: str, html: str) -> PreparedEmail:
    """Encode a bulk e-mail once; ``text`` and ``html`` carry UNSUBSCRIBE_MARK where each
    recipient's unsubscribe link goes."""
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
    return PreparedEmail(subject=subject, text=text, html=html, shared=shared)


# --- Delivery: the one engine for outbox e-mails and invitations -------------------------------
#
# A run looks for due rows of one source, batch by batch. A batch is claimed in one short
# transaction (under select_for_update(skip_locked=True) its rows' next attempt is moved past the
# claim's end, so no other run takes them), then sent over one SMTP connection, each row marked
# sent in its own commit right after the server accepted it. A retry, a second run or a catch-up
# never sends a row twice; a worker killed mid-send leaves only the message in flight unmarked,
# sent again with the same Message-ID once the claim has run out (its unsent rows are then due
# again too). A failed try is recorded by record_failure() (4xx: back-off, 5xx: failed); after a
# lost connection the run stops and the rest of its batch is due again at once.

# Messages sent over one SMTP connection (and claimed together) before it is closed.
BATCH_SIZE = 50


@dataclass
class SendResult:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    unsubscribed: int = 0  # not sent: the address unsubscribed (MailSource.unsubscribed)

    @property
    def retry_later(self) -> bool:
        return self.deferred > 0


class MailSource:
    """One kind of row the delivery engine sends: the outbox's e-mails, or (handed to
    ``deliver_due`` by a business app, which this module does not import) a workshop's
    invitations.

    ``model`` has the outbox's delivery columns: ``status`` (pending, sent, failed),
    ``attempts``, ``last_error``, ``message_id``, ``next_attempt_at``, ``failing_since``,
    ``sent_at``, ``created_at``. A source says only what differs from one kind to the next."""

    model: type
    # The columns message() and unsubscribed() read besides the engine's; () = every column.
    fields: tuple[str, ...] = ()
    # last_error of a row not sent because its address unsubscribed.
    unsubscribed_error = ""

    def message(self, row, connection) -> EmailMessage:
        """The row's e-mail, with the row's Message-ID, for ``connection``."""
        raise NotImplementedError

    def unsubscribed(self, rows: list) -> set[int]:
        """The pks of rows whose address no longer wants them (marked failed, not sent)."""
        return set()


def claim_seconds() -> float:
    """How long a run's claim on a batch lasts: longer than a live sender can take for it (the
    task's hard time limit, or every message of the batch waiting out the SMTP timeout), so a
    claim only runs out when its sender died. MAIL_CLAIM_SECONDS overrides it (fault tests)."""
    if settings.MAIL_CLAIM_SECONDS:
        return settings.MAIL_CLAIM_SECONDS
    limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or 0
    return max(limit, BATCH_SIZE * (settings.EMAIL_TIMEOUT or 10)) + 60


def _due_at(now) -> Q:
    # Not before its back-off (or another run's claim) has passed; never tried: now.
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def claim(model, ids: list[int], *, force: bool = False) -> list[int]:
    """The rows of ``ids`` still pending and due (``force``: whatever their next attempt),
    claimed for this run and committed at once; in the order of ``ids``."""
    now = timezone.now()
    with transaction.atomic():
        rows = model.objects.select_for_update(skip_locked=True).filter(
            pk__in=ids, status=OutboundEmail.Status.PENDING
        )
        if not force:
            rows = rows.filter(_due_at(now))
        free = set(rows.values_list("pk", flat=True))
        model.objects.filter(pk__in=free).update(
            next_attempt_at=now + timedelta(seconds=claim_seconds())
        )
    return [pk for pk in ids if pk in free]


def deliver_due(
    source: MailSource,
    pending,
    *,
    batch_size: int = BATCH_SIZE,
    limit: int | None = None,
    before_look: Callable[[], None] | None = None,
) -> SendResult:
    """Send the due rows of ``pending`` (the source's pending rows in the order to send them),
    each at most once per run and ever; at most ``limit`` rows. ``before_look`` runs before
    each look for the next batch.

    A row is due if its next attempt is not after the run's start: one tried or claimed during
    the run is not looked at again by it (its next attempt is later)."""
    result = SendResult()
    started = timezone.now()
    passed: set[int] = set()  # still locked by another run's claim: not waited for
    looked = 0
    while limit is None or looked < limit:
        if before_look is not None:
            before_look()
        size = batch_size if limit is None else min(batch_size, limit - looked)
        ids = list(
            pending.filter(_due_at(started))
            .exclude(pk__in=passed)
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            break
        looked += len(ids)
        claimed = claim(source.model, ids)
        passed.update(set(ids) - set(claimed))
        if claimed and not _send_batch(source, claimed, result):
            break  # the connection is gone: the rest waits for the next run
    return result


def _send_batch(source: MailSource, ids: list[int], result: SendResult) -> bool:
    """Send the claimed rows over one connection; False if the run should stop (no server, or
    the connection was lost), the unsent rest of the batch then due again at once."""
    model = source.model
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 — no server: every row of the batch waits
        _defer(model, ids, exc, result)
        return False
    rows: list = []
    done = 0
    try:
        loaded = model.objects.filter(pk__in=ids, status=OutboundEmail.Status.PENDING)
        if source.fields:
            loaded = loaded.only("attempts", "message_id", "failing_since", *source.fields)
        by_pk = {row.pk: row for row in loaded}
        rows = [by_pk[pk] for pk in ids if pk in by_pk]
        # Read once per batch; an address unsubscribed since is not sent, and marked so.
        unsubscribed = source.unsubscribed(rows)
        for row in rows:
            done += 1
            if row.pk in unsubscribed:
                model.objects.filter(pk=row.pk).update(
                    status=OutboundEmail.Status.FAILED,
                    last_error=source.unsubscribed_error,
                    next_attempt_at=None,
                )
                result.unsubscribed += 1
            elif not _send_one(source, row, connection, result):
                return False
        return True
    finally:
        if done < len(rows):  # stopped early (connection lost, time limit): the rest is due again
            model.objects.filter(
                pk__in=[row.pk for row in rows[done:]], status=OutboundEmail.Status.PENDING
            ).update(next_attempt_at=None)
        _reconnect(connection, reopen=False)


def _send_one(source: MailSource, row, connection, result: SendResult) -> bool:
    """Send one claimed row and mark it in its own commit right after the server accepted it:
    a sender killed now leaves only this message unmarked, sent again once the claim runs out,
    with the same Message-ID. False if the connection was lost."""
    if not row.message_id:  # written before Message-IDs were stored: store it first
        row.message_id = new_message_id()
        row.save(update_fields=["message_id"])
    try:
        if connection.send_messages([source.message(row, connection)]) != 1:
            raise smtplib.SMTPException("The message was not accepted.")
    except SoftTimeLimitExceeded:
        raise  # the task's time is up: this row's claim runs out, the rest is due again
    except Exception as exc:  # noqa: BLE001 — every SMTP/connection error is recorded
        if record_failure(row, exc):
            result.failed += 1
        else:
            result.deferred += 1
        row.save(update_fields=RETRY_FIELDS)
        logger.warning("%s %s not sent: %s", row._meta.model_name, row.pk, row.last_error)
        if _breaks_connection(exc):
            return False
        _reconnect(connection)  # the refusal may have left the session unusable
        return True
    # One UPDATE, committed at once (autocommit): a killed worker resends at most this one.
    type(row).objects.filter(pk=row.pk).update(
        status=OutboundEmail.Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        attempts=F("attempts") + 1,
        next_attempt_at=None,
    )
    result.sent += 1
    return True


def _breaks_connection(exc: Exception) -> bool:
    # smtplib's errors are OSErrors too; only a lost connection (or socket error) ends the run.
    return isinstance(exc, smtplib.SMTPServerDisconnected) or (
        isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
    )


def _defer(model, ids: list[int], exc: Exception, result: SendResult) -> None:
    """No connection to the server: a failed try for each pending row of the batch."""
    with transaction.atomic():
        rows = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=OutboundEmail.Status.PENDING)
            .only("pk", *RETRY_FIELDS)
        )
        for row in rows:
            if record_failure(row, exc):
                result.failed += 1
            else:
                result.deferred += 1
        model.objects.bulk_update(rows, RETRY_FIELDS)
    logger.warning("No connection to the mail server: %s", describe_error(exc))


def _reconnect(connection, *, reopen: bool = True) -> None:
    try:
        connection.close()
        if reopen:
            connection.open()
    except Exception:  # noqa: BLE001 — the next send opens its own and records the error
        logger.debug("SMTP connection not (re)opened", exc_info=True)


# --- The outbox as a source of the engine --------------------------------------------------


class _Outbox(MailSource):
    model = OutboundEmail

    def message(self, row: OutboundEmail, connection) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[row.to],
            connection=connection,
            headers={**email_headers(to=row.to, message_id=row.message_id), **row.headers},
        )
        if row.body_html:
            message.attach_alternative(row.body_html, "text/html")
        for item in row.attachments:
            message.attach(
                item["filename"], base64.b64decode(item["content_b64"]), item["mimetype"]
            )
        return message


OUTBOX = _Outbox()


def deliver(email_id: int) -> bool:
    """Send one pending e-mail now, whatever its back-off; True when it was sent now.

    For an operator or a test: the runs below wait for back-offs and other runs' claims."""
    result = SendResult()
    claimed = claim(OutboundEmail, [email_id], force=True)
    if claimed:
        _send_batch(OUTBOX, claimed, result)
    return result.sent == 1


def deliver_new() -> int:
    """Send every e-mail not yet tried, until none is left; returns the number sent.

    The wake flag is cleared before each look, so an e-mail committed after the look wakes
    another run, and one committed before it is found by it.
    """
    new = OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING, attempts=0)
    return deliver_due(
        OUTBOX, new.order_by("pk"), before_look=lambda: cache.delete(DELIVERY_WAKE_KEY)
    ).sent


def deliver_pending(*, older_than: timedelta = timedelta(seconds=30)) -> int:
    """Send what the broker never delivered and the retries that are due; returns the number
    sent."""
    now = timezone.now()
    # Oldest first (the model orders newest first), so a backlog over 500 cannot starve old rows.
    pending = OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).filter(
        due(now=now, untried_before=now - older_than)
    )
    return deliver_due(OUTBOX, pending.order_by("created_at", "pk"), limit=500).sent


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
