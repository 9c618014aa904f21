"""A coordinator's e-mail to the participants of a workshop, through the outbox.

The recipients are a group (all, confirmed, waitlisted, attended, no-shows) or an explicit
selection of the workshop's registrations; each address gets the message once (the earliest
registration with it speaks for it). The preview shows the e-mail in each language it goes out
in, rendered by the function that renders what is queued. Confirming a preview twice (a double
click, a reload) queues nothing the second time: the preview's key is stored with the message.
"""

import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from regiolab.links import absolute_url
from regiolab.mail import opted_out, queue_rendered_email, render_email
from regiolab.privacy.anonymisation import is_pseudonym

from ..models import ParticipantMessage, Registration, Workshop

Status = Registration.Status

# The groups a coordinator can write to, with the registration statuses each covers.
GROUPS: dict[str, tuple[str, ...]] = {
    "all": (Status.CONFIRMED, Status.WAITLISTED, Status.ATTENDED, Status.NO_SHOW),
    "confirmed": (Status.CONFIRMED,),
    "waitlisted": (Status.WAITLISTED,),
    "attended": (Status.ATTENDED,),
    "no_show": (Status.NO_SHOW,),
}
GROUP_LABELS = {
    "all": _("All participants (confirmed, waitlist, attended, no-show)"),
    "confirmed": _("Confirmed"),
    "waitlisted": _("Waitlist"),
    "attended": _("Those who attended"),
    "no_show": _("Those who did not come (no-shows)"),
}
MAX_SELECTED = 2000
KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def new_key() -> str:
    return secrets.token_hex(16)


def _recipient_rows(workshop: Workshop) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(workshop=workshop)
        .exclude(email="")
        .only("pk", "first_name", "last_name", "email", "language", "status", "workshop_id")
        .order_by("created_at", "pk")
    )


def parse_ids(values) -> list[int]:
    """Registration ids as posted; raises ValidationError for anything that is not one."""
    ids, bad = [], []
    for value in values:
        text = str(value).strip()
        if text.isdigit() and len(text) <= 12:
            ids.append(int(text))
        elif text:
            bad.append(text[:20])
    if bad:
        raise ValidationError(
            _("These are not registration numbers: %(values)s"),
            params={"values": ", ".join(bad[:10])},
            code="invalid_ids",
        )
    if len(ids) > MAX_SELECTED:
        raise ValidationError(
            _("Please select at most %(max)d registrations."),
            params={"max": MAX_SELECTED},
            code="too_many",
        )
    return list(dict.fromkeys(ids))


def selected_registrations(*, workshop: Workshop, ids: list[int]) -> list[Registration]:
    """The workshop's registrations with these ids; any other id is refused by name."""
    rows = list(_recipient_rows(workshop).filter(pk__in=ids))
    found = {row.pk for row in rows}
    foreign = [str(pk) for pk in ids if pk not in found]
    if foreign:
        raise ValidationError(
            _(
                "These registrations do not belong to this workshop (or have no e-mail"
                " address): %(ids)s. Nothing was sent."
            ),
            params={"ids": ", ".join(foreign[:20])},
            code="foreign_ids",
        )
    return rows


def group_registrations(*, workshop: Workshop, group: str) -> list[Registration]:
    return list(_recipient_rows(workshop).filter(status__in=GROUPS[group]))


def once_each(registrations: list[Registration]) -> list[Registration]:
    """One registration per address (case-insensitive), the earliest; anonymised ones left out."""
    seen: dict[str, Registration] = {}
    for registration in registrations:  # in order of registration
        address = registration.email.strip().lower()
        if not address or is_pseudonym(address):
            continue
        seen.setdefault(address, registration)
    return list(seen.values())


def render_message(*, workshop: Workshop, registration: Registration, subject: str, text: str):
    """Subject, text and HTML of the e-mail to one participant, in their language."""
    context = {
        "workshop": workshop,
        "registration": registration,
        "subject": subject,
        "message_text": text,
        "workshop_url": absolute_url(workshop.get_absolute_url()),
    }
    return render_email(
        "participant_message", context, language=registration.language or workshop.language
    )


@dataclass(frozen=True)
class MessagePreview:
    language: str
    recipients: int
    sample_to: str
    subject: str
    text: str

    @property
    def label(self) -> str:
        return dict(settings.LANGUAGES).get(self.language, self.language)


@dataclass
class MessagePlan:
    recipients: list[Registration]
    duplicates: int  # registrations left out because their address is written to already
    # Recipients who unsubscribed from invitations (bulk e-mail): a message about the workshop
    # they registered for still reaches them, as their confirmation did; the preview says so.
    unsubscribed: int = 0
    previews: list[MessagePreview] = field(default_factory=list)


def plan_message(
    *, workshop: Workshop, registrations: list[Registration], subject: str, text: str
) -> MessagePlan:
    recipients = once_each(registrations)
    if not recipients:
        raise ValidationError(
            _("Nobody to write to: no participant with an e-mail address in your choice."),
            code="empty",
        )
    plan = MessagePlan(
        recipients=recipients,
        duplicates=len(registrations) - len(recipients),
        unsubscribed=len(opted_out(r.email.strip().lower() for r in recipients)),
    )
    by_language: dict[str, list[Registration]] = {}
    for registration in recipients:
        language = registration.language or workshop.language
        by_language.setdefault(language, []).append(registration)
    order = [code for code, _label in settings.LANGUAGES]
    for language in sorted(by_language, key=lambda c: order.index(c) if c in order else 99):
        group = by_language[language]
        subject_out, text_out, _html = render_message(
            workshop=workshop, registration=group[0], subject=subject, text=text
        )
        plan.previews.append(
            MessagePreview(language, len(group), group[0].email, subject_out, text_out)
        )
    return plan


class AlreadySent(ValidationError):
    pass


def send_message(
    *,
    workshop: Workshop,
    registrations: list[Registration],
    subject: str,
    text: str,
    key: str,
    sent_by=None,
) -> ParticipantMessage:
    """Queue the e-mail once per address; the same ``key`` a second time queues nothing."""
    if not KEY_PATTERN.match(key or ""):
        raise ValidationError(_("Please preview the message before sending it."), code="no_key")
    recipients = once_each(registrations)
    if not recipients:
        raise ValidationError(
            _("Nobody to write to: no participant with an e-mail address in your choice."),
            code="empty",
        )
    rendered = [
        (r.email, render_message(workshop=workshop, registration=r, subject=subject, text=text))
        for r in recipients
    ]
    try:
        with transaction.atomic():
            message = ParticipantMessage.objects.create(
                workshop=workshop,
                key=key,
                subject=subject,
                text=text,
                recipients=len(recipients),
                sent_by=sent_by,
            )
            for to, (subject_out, text_out, html_out) in rendered:
                queue_rendered_email(to=to, subject=subject_out, text=text_out, html=html_out)
    except IntegrityError:
        raise AlreadySent(
            _("This message has already been sent; it was not sent again."), code="already_sent"
        ) from None
    return message


def recent_messages(workshop: Workshop, limit: int = 10) -> list[ParticipantMessage]:
    """The workshop's latest messages to participants, with who sent them (one query)."""
    return list(
        ParticipantMessage.objects.filter(workshop=workshop)
        .select_related("sent_by")
        .order_by("-created_at", "-pk")[:limit]
    )
