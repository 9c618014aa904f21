"""Workshop invitations: choose recipients, write one row per address, send in batches.

The request only writes ``Invitation`` rows (each with its Message-ID) and enqueues
``workshops.send_invitations`` after commit. The task hands the workshop's pending rows to the
outbox's delivery engine (``regiolab.mail.deliver_due``) with what differs for invitations
(``WorkshopInvitations``): the message rendered once per language, and addresses unsubscribed
meanwhile marked and left out. The engine's guarantees are those of every e-mail: batches
claimed under ``select_for_update(skip_locked=True)``, one SMTP connection per batch, each row
marked sent in its own commit right after the server accepted it, so a retry, a second run or
the periodic catch-up never sends an address twice; a worker killed mid-send leaves only the
message in flight unmarked, sent again with the same Message-ID once the claim has run out.
Temporary SMTP trouble (4xx, connection errors) leaves the row pending with back-off for
MAIL_RETRY_HOURS; a permanent refusal (5xx) fails it (regiolab.mail.record_failure).
"""

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
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
    UNSUBSCRIBE_MARK,
    is_permanent,  # noqa: F401 — re-exported: the rules live in regiolab.mail
    new_message_id,
    opted_out,
    render_email,
)

from ..models import Invitation, Registration, Workshop

logger = logging.getLogger(__name__)

# Quick retries by the task itself; after them the periodic task retries, with the back-off and
# for the time of settings.MAIL_RETRY_BACKOFF and MAIL_RETRY_HOURS.
TASK_RETRIES = 3
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


# --- Sending: by the outbox's delivery engine (regiolab.mail.deliver_due) ------------------


def register_url(workshop: Workshop) -> str:
    return absolute_url(reverse("workshops:register", args=[workshop.slug]))


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


def prepare_invitation(workshop: Workshop, language: str = "") -> mail.PreparedEmail:
    """The workshop's invitation in ``language``, rendered and encoded once for every
    recipient."""
    return mail.prepare_bulk_email(*render_invitation(workshop, language=language))


def _fail_all_pending(workshop: Workshop, reason: str) -> int:
    return Invitation.objects.filter(workshop=workshop, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.FAILED, last_error=reason
    )


class WorkshopInvitations(mail.MailSource):
    """A workshop's invitations as the delivery engine sends them: the message rendered once
    per language its rows ask for, an address unsubscribed meanwhile marked and not sent."""

    model = Invitation
    fields = ("email", "language")
    unsubscribed_error = UNSUBSCRIBED

    def __init__(self, workshop: Workshop):
        self.workshop = workshop
        self.prepared: dict[str, mail.PreparedEmail] = {}

    def message(self, row: Invitation, connection):
        language = row.language or self.workshop.language
        if language not in self.prepared:
            self.prepared[language] = prepare_invitation(self.workshop, language)
        return self.prepared[language].message(row.email, connection, message_id=row.message_id)

    def unsubscribed(self, rows: list[Invitation]) -> set[int]:
        addresses = opted_out(row.email for row in rows)
        return {row.pk for row in rows if row.email in addresses}


def send_workshop_invitations(
    *, workshop_id: int, batch_size: int = mail.BATCH_SIZE
) -> mail.SendResult:
    """Send the workshop's pending invitations that are due, in ascending id order, by the
    outbox's engine (its claim, connection per batch, marking and retry rules); nothing once
    the workshop is no longer open for registration."""
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    if workshop is None:
        return mail.SendResult()
    if workshop.status != Workshop.Status.PUBLISHED or workshop.starts_at <= timezone.now():
        reason = "The workshop is no longer open for registration."
        return mail.SendResult(failed=_fail_all_pending(workshop, reason))
    pending = Invitation.objects.filter(workshop=workshop, status=Invitation.Status.PENDING)
    return mail.deliver_due(
        WorkshopInvitations(workshop), pending.order_by("pk"), batch_size=batch_size
    )


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
