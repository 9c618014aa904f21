"""Everything the portal holds about one person, as JSON (right of access, Art. 15 GDPR).

Each business app registers a collector from its AppConfig.ready():
``register("workshops", collect)`` with ``collect(*, emails, user) -> dict``, where ``emails`` are
the person's lower-cased addresses and ``user`` their account or None (people registered by a
colleague have none). The core imports no business app; this module adds the account, the
consents, the e-mails sent and the audit trail. Every collector runs a fixed number of queries,
however many rows it finds.
"""

import json
from collections.abc import Callable, Sequence

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog import get_logentry_model
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from regiolab.mail.models import MailOptOut, OutboundEmail

from . import consents

Collector = Callable[..., dict]

FORMAT_VERSION = 1
_collectors: dict[str, Collector] = {}


def register(section: str, collector: Collector) -> None:
    """Add ``collector``'s dict to the export under ``section`` (registering again replaces)."""
    _collectors[section] = collector


# --- whose data ----------------------------------------------------------------------------------


def find_account(email: str):
    """The account holding ``email`` as its address or one of its confirmed addresses."""
    email = email.strip()
    return (
        get_user_model()
        .objects.filter(
            Q(email__iexact=email)
            | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
        )
        .order_by("pk")
        .first()
    )


def subject_emails(*, user, email: str = "") -> list[str]:
    """The addresses whose data belong to the person: their confirmed ones and ``email``."""
    found = set(consents.verified_emails(user)) if user is not None else set()
    if email:
        found.add(email.strip().lower())
    return sorted(found)


# --- the core's part -----------------------------------------------------------------------------


def _account(user) -> dict | None:
    if user is None:
        return None
    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    # Types and dates only: the secrets stay in the portal.
    authenticators = [
        {"type": a.type, "created_at": a.created_at, "last_used_at": a.last_used_at}
        for a in Authenticator.objects.filter(user=user).order_by("created_at")
    ]
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_active": user.is_active,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary} for a in addresses
        ],
        "two_factor_authentication": authenticators,
    }


def _consents(*, user, emails) -> list[dict]:
    return [
        {
            "purpose": c.purpose,
            "purpose_label": str(c.get_purpose_display()),
            "text_version": c.text_version,
            "text": consents.consent_text(c.text_version, c.language),
            "language": c.language,
            "source": c.source,
            "concerns": c.subject,
            "given_for_you_by_someone_else": c.given_by_id is not None,
            "given_at": c.given_at,
            "withdrawn_at": c.withdrawn_at,
        }
        for c in consents.consents_of(user=user, emails=emails)
    ]


def _emails_sent(emails) -> list[dict]:
    rows = (
        OutboundEmail.objects.alias(to_lower=Lower("to"))
        .filter(to_lower__in=emails)
        .order_by("created_at", "pk")
    )
    return [
        {
            "to": e.to,
            "subject": e.subject,
            "created_at": e.created_at,
            "sent_at": e.sent_at,
            "status": e.status,
            "text": e.body_text,
            "attachments": [a.get("filename", "") for a in e.attachments],
        }
        for e in rows
    ]


def _audit_trail(user) -> list[dict] | None:
    """What the person changed: when, what kind of object, which action. The changed values
    stay out, as they are mostly other people's data."""
    if user is None:
        return None
    entries = (
        get_logentry_model()
        .objects.filter(actor=user)
        .select_related("content_type")
        .order_by("timestamp")
    )
    return [
        {
            "timestamp": e.timestamp,
            "action": str(e.get_action_display()),
            "object_type": e.content_type.model if e.content_type_id else "",
            "object_id": e.object_pk,
            "remote_addr": e.remote_addr,
        }
        for e in entries
    ]


# --- the export ----------------------------------------------------------------------------------


def collect(*, user=None, emails: Sequence[str]) -> dict:
    """Every registered section for the person with account ``user`` and/or ``emails``."""
    emails = sorted({e.strip().lower() for e in emails if e and e.strip()})
    data = {
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "email_addresses_searched": emails,
        "account": _account(user),
        "consents": _consents(user=user, emails=emails),
        "emails_sent_to_you": _emails_sent(emails),
        "unsubscribed_from_invitations": [
            {"email": o.email, "at": o.created_at}
            for o in MailOptOut.objects.filter(email__in=emails).order_by("email")
        ],
    }
    audit = _audit_trail(user)
    if audit is not None:
        data["changes_you_made"] = audit
    for section, collector in _collectors.items():
        data[section] = collector(emails=emails, user=user)
    return data


def export_json(*, user=None, emails: Sequence[str]) -> bytes:
    """The export as indented UTF-8 JSON; dates and times in ISO 8601."""
    text = json.dumps(
        collect(user=user, emails=emails), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    return (text + "\n").encode("utf-8")
