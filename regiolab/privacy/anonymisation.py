"""Anonymising a person: blank their name, e-mail, free text and statistics answers everywhere,
keep every row, so that every indicator and report figure stays the same.

The core knows no business app. Each app registers what it holds about a person from its
``AppConfig.ready()`` (``register(...)``); ``anonymise_person`` runs every registered app and the
core's own parts (user account, outbox, admin and audit logs, consents, feedback) in ONE
transaction and writes an ``AnonymisationRecord`` that holds no personal data.

A person is found by e-mail address (case-insensitive). Their names are collected from the rows
found by that address (registrations, the user account) and scrubbed, as whole names and as
single parts, from free text wherever they occur, together with the address itself. Over-blanking
a word that happens to equal the person's last name is the accepted price: a name left in a text
would defeat the purpose.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

PSEUDONYM_DOMAIN = "anonymised.invalid"
# What stays in a name field: clearly not a name, never matching one.
NAME_MARKER = "—"
# What replaces a name or address inside free text.
REDACTED = "[…]"
MIN_NAME_PART = 2


def new_pseudonym() -> str:
    """A unique random address (RFC 2606 ``.invalid``: never deliverable)."""
    return f"anon-{secrets.token_hex(10)}@{PSEUDONYM_DOMAIN}"


def is_pseudonym(email: str) -> bool:
    return (email or "").lower().endswith("@" + PSEUDONYM_DOMAIN)


def not_pseudonymised() -> Q:
    """For ``.filter()``: rows whose ``email`` is not yet a pseudonym."""
    return ~Q(email__iendswith="@" + PSEUDONYM_DOMAIN)


# --- Finding a person's traces in free text -------------------------------------------------


def name_terms(names: Iterable[str]) -> list[str]:
    """Full names and their single parts ("Anna-Lena Quenzel" → itself, "Anna-Lena", "Quenzel")."""
    terms = set()
    for name in names:
        name = " ".join((name or "").split())
        if len(name) < MIN_NAME_PART or name == NAME_MARKER:
            continue
        terms.add(name)
        for part in name.split(" "):
            if len(part) >= MIN_NAME_PART:
                terms.add(part)
    return sorted(terms, key=lambda t: (-len(t), t))


@dataclass(frozen=True)
class Scrubber:
    """Replaces a person's address and names in free text (case-insensitive, whole words)."""

    email: str
    names: tuple[str, ...] = ()

    @cached_property
    def terms(self) -> list[str]:
        """Everything searched for, with the forms the text may hold it in (HTML, URL)."""
        plain = [self.email, *name_terms(self.names)] if self.email else name_terms(self.names)
        variants = set(plain)
        for term in plain:
            variants.add(html.escape(term))  # "O'Neill" → "O&#x27;Neill" in HTML bodies
        if self.email:
            variants.add(quote(self.email, safe=""))  # "a%40b.de" in links
        return sorted(variants, key=lambda t: (-len(t), t))

    @cached_property
    def pattern(self) -> re.Pattern:
        alternatives = "|".join(re.escape(t) for t in self.terms)
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def sub(self, text: str) -> str:
        if not text or not self.terms:
            return text
        return self.pattern.sub(REDACTED, text)

    def mentions(self, *fields: str) -> Q:
        """A cheap superset for the database: rows where a field contains one of the terms."""
        query = Q()
        for name in fields:
            for term in self.terms:
                query |= Q(**{f"{name}__icontains": term})
        return query if query else Q(pk__in=[])

    def scrub_rows(self, queryset: QuerySet, fields: Sequence[str]) -> int:
        """Scrub ``fields`` of every row that mentions the person; returns the rows changed."""
        changed = []
        for row in queryset.filter(self.mentions(*fields)).only("pk", *fields):
            before = [getattr(row, f) for f in fields]
            for f in fields:
                setattr(row, f, self.sub(getattr(row, f)))
            if [getattr(row, f) for f in fields] != before:
                changed.append(row)
        if changed:
            queryset.model.objects.bulk_update(changed, list(fields))
        return len(changed)

    def count_rows(self, queryset: QuerySet, fields: Sequence[str]) -> int:
        return queryset.filter(self.mentions(*fields)).count()


# --- The registry -----------------------------------------------------------------------------

Counts = dict[str, int]


@dataclass(frozen=True)
class Anonymiser:
    """What one app holds about a person.

    - ``anonymise(*, email, names, pseudonym) -> int``: blank it, return the rows changed;
    - ``find(*, email, names) -> dict[label, rows]``: what would be blanked, for the
      confirmation page (labels are translatable strings);
    - ``names(*, email) -> list[str]``: the person's names as the app knows them.
    """

    label: str
    anonymise: Callable[..., int]
    find: Callable[..., Counts]
    names: Callable[..., Iterable[str]] | None = None


_registry: dict[str, Anonymiser] = {}


def register(
    label: str,
    *,
    anonymise: Callable[..., int],
    find: Callable[..., Counts],
    names: Callable[..., Iterable[str]] | None = None,
) -> None:
    """Called from an app's ``AppConfig.ready()``; registering a label again replaces it."""
    _registry[label] = Anonymiser(label, anonymise, find, names)


def registered() -> list[Anonymiser]:
    return list(_registry.values())


# --- The core's own parts -------------------------------------------------------------------


def _users(email: str) -> QuerySet:
    User = get_user_model()
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(email__iexact=email).values("user_id")
    return User.objects.filter(Q(email__iexact=email) | Q(pk__in=addresses))


def _account_names(*, email: str) -> list[str]:
    names = []
    for user in _users(email).only("first_name", "last_name"):
        names += [user.first_name, user.last_name, f"{user.first_name} {user.last_name}"]
    return names


def _find_account(*, email: str, names: Sequence[str]) -> Counts:
    return {_("user account"): _users(email).count()}


def _anonymise_account(*, email: str, names: Sequence[str], pseudonym: str) -> int:
    """Name blanked, address replaced, unusable password, inactive, second factor and sessions
    gone. The row stays: reports, consultations and expenditures point to it."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.models import Session

    changed = 0
    for user in _users(email).select_for_update():
        user.username = f"{pseudonym.split('@')[0]}-{user.pk}"
        user.first_name = ""
        user.last_name = ""
        user.email = pseudonym
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.set_unusable_password()
        user.save()
        addresses = list(EmailAddress.objects.filter(user=user).order_by("-primary", "pk"))
        EmailAddress.objects.filter(pk__in=[a.pk for a in addresses[1:]]).delete()
        if addresses:
            EmailAddress.objects.filter(pk=addresses[0].pk).update(
                email=pseudonym, verified=False, primary=True
            )
        Authenticator.objects.filter(user=user).delete()
        # Sessions store the user id only inside their encoded data; the session engine
        # deletes the cached copy too (cached_db).
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for session in Session.objects.iterator():
            if session.get_decoded().get("_auth_user_id") == str(user.pk):
                store(session.session_key).delete()
        changed += 1
    return changed


def _outbox_to(email: str) -> QuerySet:
    from regiolab.mail.models import OutboundEmail

    return OutboundEmail.objects.filter(to__iexact=email)


OUTBOX_TEXT = ("subject", "body_text", "body_html", "last_error")


def _find_outbox(*, email: str, names: Sequence[str]) -> Counts:
    from regiolab.mail.models import OutboundEmail

    scrubber = Scrubber(email, tuple(names))
    return {
        _("e-mails to the person"): _outbox_to(email).count(),
        _("other e-mails naming the person"): scrubber.count_rows(
            OutboundEmail.objects.exclude(to__iexact=email), OUTBOX_TEXT
        ),
    }


def blank_outbox(*, email: str, pseudonym: str, created_before=None) -> int:
    """E-mails to the person lose recipient, subject, text and attachments (a certificate
    names them); the row, its status and dates stay for the delivery record. Pending ones
    are no longer sent: their recipient is gone."""
    from regiolab.mail.models import OutboundEmail

    rows = _outbox_to(email)
    if created_before is not None:
        rows = rows.filter(created_at__lt=created_before)
    rows.filter(status=OutboundEmail.Status.PENDING).update(status=OutboundEmail.Status.FAILED)
    return rows.update(
        to=pseudonym, subject="", body_text="", body_html="", attachments=[], last_error=""
    )


def _anonymise_outbox(*, email: str, names: Sequence[str], pseudonym: str) -> int:
    from regiolab.mail.models import OutboundEmail

    changed = blank_outbox(email=email, pseudonym=pseudonym)
    changed += Scrubber(email, tuple(names)).scrub_rows(
        OutboundEmail.objects.exclude(to__iexact=pseudonym), OUTBOX_TEXT
    )
    return changed


ADMIN_LOG_TEXT = ("object_repr", "change_message")


def scrub_admin_log(scrubber: Scrubber, *, objects: QuerySet | None = None) -> int:
    """Django admin's history (django_admin_log) names the objects it changed."""
    from django.contrib.admin.models import LogEntry

    rows = LogEntry.objects.all()
    if objects is not None:
        from django.contrib.contenttypes.models import ContentType

        rows = rows.filter(
            content_type=ContentType.objects.get_for_model(objects.model),
            object_id__in=[str(pk) for pk in objects.values_list("pk", flat=True)],
        )
    return scrubber.scrub_rows(rows, ADMIN_LOG_TEXT)


def scrub_audit_log(scrubber: Scrubber, *, objects: QuerySet | None = None) -> int:
    """django-auditlog entries keep old and new values of every change: scrub them (all
    entries, or only those about ``objects``)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from regiolab.audit.services import scrub_audit_entries

    entries = None
    if objects is not None:
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(objects.model),
            object_pk__in=[str(pk) for pk in objects.values_list("pk", flat=True)],
        )
    return scrub_audit_entries(values=scrubber.terms, replacement=REDACTED, entries=entries)


AUDIT_TEXT = ("object_repr", "changes_text", "actor_email")
AUDIT_JSON = ("changes", "serialized_data", "additional_data")


def _json_mentions(model, json_fields: Sequence[str], scrubber: Scrubber) -> QuerySet:
    from django.db.models import TextField
    from django.db.models.functions import Cast

    annotations = {f"_{f}_text": Cast(f, TextField()) for f in json_fields}
    return (
        model.objects.annotate(**annotations).filter(scrubber.mentions(*annotations)).values("pk")
    )


def _find_logs(*, email: str, names: Sequence[str]) -> Counts:
    from auditlog.models import LogEntry as AuditEntry
    from django.contrib.admin.models import LogEntry

    scrubber = Scrubber(email, tuple(names))
    return {
        _("admin history entries"): scrubber.count_rows(LogEntry.objects.all(), ADMIN_LOG_TEXT),
        _("audit log entries"): AuditEntry.objects.filter(
            scrubber.mentions(*AUDIT_TEXT)
            | Q(pk__in=_json_mentions(AuditEntry, AUDIT_JSON, scrubber))
        ).count(),
    }


def _find_consents(*, email: str, names: Sequence[str]) -> Counts:
    from regiolab.pages.models import AccessibilityFeedback

    from .models import Consent

    return {
        _("consent records"): Consent.objects.filter(email__iexact=email).count(),
        _("accessibility feedback"): AccessibilityFeedback.objects.filter(
            Q(email__iexact=email) | Scrubber(email, tuple(names)).mentions("name", "message")
        ).count(),
    }


def _anonymise_consents(*, email: str, names: Sequence[str], pseudonym: str) -> int:
    """Consents stay as evidence of what was agreed and when, without the address."""
    from regiolab.pages.models import AccessibilityFeedback

    from .models import Consent

    feedback = AccessibilityFeedback.objects
    return (
        Consent.objects.filter(email__iexact=email).update(email=pseudonym)
        + feedback.filter(email__iexact=email).update(email="", name="")
        + Scrubber(email, tuple(names)).scrub_rows(feedback.all(), ("name", "message", "page_url"))
    )


def _find_opt_out(*, email: str, names: Sequence[str]) -> Counts:
    from regiolab.mail.models import MailOptOut

    return {_("unsubscribed addresses"): MailOptOut.objects.filter(email=email).count()}


def _delete_opt_out(*, email: str, names: Sequence[str], pseudonym: str) -> int:
    """The opt-out holds nothing but the address: erased, not kept under a placeholder."""
    from regiolab.mail.models import MailOptOut

    return MailOptOut.objects.filter(email=email).delete()[0]


CORE = [
    Anonymiser("account", _anonymise_account, _find_account, _account_names),
    Anonymiser("unsubscribed", _delete_opt_out, _find_opt_out),
    Anonymiser("outbox", _anonymise_outbox, _find_outbox),
    Anonymiser("consents", _anonymise_consents, _find_consents),
]


# --- The service ------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """The address as looked up; ValidationError for anything that is not one."""
    email = (email or "").strip()
    if not email:
        raise ValidationError(_("Please enter an e-mail address."), code="required")
    if len(email) > 254:
        raise ValidationError(_("An e-mail address has at most 254 characters."), code="long")
    validate_email(email)
    if is_pseudonym(email):
        raise ValidationError(
            _("This is the placeholder address of a person already anonymised."),
            code="pseudonym",
        )
    return email.lower()


@dataclass
class Preview:
    email: str
    names: list[str]
    counts: dict[str, int] = field(default_factory=dict)  # label → rows

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _collect_names(email: str) -> list[str]:
    names: list[str] = []
    for anonymiser in [*CORE, *registered()]:
        if anonymiser.names is not None:
            names += [n for n in anonymiser.names(email=email) if n]
    return name_terms(names)


def find_person(*, email: str) -> Preview:
    """What anonymising ``email`` would blank, per kind of record (for the confirmation)."""
    email = normalise_email(email)
    names = _collect_names(email)
    preview = Preview(email=email, names=names)
    for anonymiser in [*registered(), *CORE]:
        for label, rows in anonymiser.find(email=email, names=names).items():
            preview.counts[str(label)] = preview.counts.get(str(label), 0) + rows
    preview.counts.update({str(k): v for k, v in _find_logs(email=email, names=names).items()})
    return preview


@dataclass
class AnonymisationResult:
    pseudonym: str
    counts: dict[str, int]  # app or part → rows changed
    record_id: int | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def record_anonymisation(
    *, pseudonym: str, reason: str, counts: dict, performed_by=None, note: str = ""
):
    from .models import AnonymisationRecord

    return AnonymisationRecord.objects.create(
        pseudonym=pseudonym, reason=reason, counts=counts, performed_by=performed_by, note=note
    )


def anonymise_person(*, email: str, performed_by=None) -> AnonymisationResult:
    """Blank everything the portal holds about the person with this address, in one transaction.

    Idempotent: once done, nothing carries the address any more, so a second call finds nothing,
    changes no row and records nothing. Raises ValidationError for a malformed address.
    """
    from .models import AnonymisationRecord

    email = normalise_email(email)
    pseudonym = new_pseudonym()
    with transaction.atomic():
        names = _collect_names(email)
        counts = {}
        # Business apps first, the account next; logs last, after every change they might
        # have recorded themselves.
        for anonymiser in [*registered(), *CORE]:
            counts[anonymiser.label] = anonymiser.anonymise(
                email=email, names=names, pseudonym=pseudonym
            )
        scrubber = Scrubber(email, tuple(names))
        counts["admin_log"] = scrub_admin_log(scrubber)
        counts["audit_log"] = scrub_audit_log(scrubber)
        counts = {k: v for k, v in counts.items() if v}
        record = None
        if counts:
            record = record_anonymisation(
                pseudonym=pseudonym,
                reason=AnonymisationRecord.Reason.REQUEST,
                counts=counts,
                performed_by=performed_by,
            )
    return AnonymisationResult(pseudonym=pseudonym, counts=counts, record_id=record and record.pk)
