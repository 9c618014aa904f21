"""Consents: recorded where a form asks for one, withdrawn from the account's privacy page.

The business apps register the texts their forms show, by version, so that the exact wording a
person agreed to can be shown again (when the module that records them is imported, so a text is
known wherever it can be recorded); and, where a withdrawal must change something of theirs (a
company no longer wants to be contacted), a handler from their AppConfig.ready(). The core
imports none of them.
"""

from collections.abc import Callable, Iterable

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone, translation

from .models import Consent

_texts: dict[str, object] = {}
_withdrawal_handlers: dict[str, list[Callable[[Consent], None]]] = {}


def register_text(version: str, text) -> None:
    """Make a consent text known under its version (a lazy translation string is fine)."""
    if len(version) > Consent._meta.get_field("text_version").max_length:
        raise ValueError(f"consent text version too long: {version!r}")
    _texts[version] = text


def consent_text(version: str, language: str = "") -> str:
    """The text shown under ``version``, in the language it was shown in; "" when unknown."""
    text = _texts.get(version)
    if text is None:
        return ""
    with translation.override(language or settings.LANGUAGE_CODE):
        return str(text)


def register_withdrawal_handler(purpose: str, handler: Callable[[Consent], None]) -> None:
    """Called inside the withdrawal's transaction with the withdrawn consent."""
    handlers = _withdrawal_handlers.setdefault(purpose, [])
    if handler not in handlers:
        handlers.append(handler)


def build_consent(
    *,
    purpose: str,
    text_version: str,
    source: str,
    email: str = "",
    user=None,
    given_by=None,
    subject: str = "",
    given_at=None,
) -> Consent:
    """An unsaved consent row (``record_consents`` inserts several in one statement)."""
    if purpose not in Consent.Purpose.values:
        raise ValueError(f"unknown consent purpose: {purpose!r}")
    if text_version not in _texts:
        # Without its text a consent proves nothing; register the text first.
        raise ValueError(f"unknown consent text version: {text_version!r}")
    return Consent(
        purpose=purpose,
        text_version=text_version,
        source=source,
        email=(email or "").strip(),
        user=user,
        given_by=given_by,
        subject=subject,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        given_at=given_at or timezone.now(),
    )


def record_consent(**fields) -> Consent:
    """Insert one consent; call it inside the transaction of the change it belongs to."""
    consent = build_consent(**fields)
    consent.save(force_insert=True)
    return consent


def record_consents(consents: Iterable[Consent]) -> list[Consent]:
    """Insert consents built by ``build_consent`` in one statement."""
    return Consent.objects.bulk_create(list(consents))


def withdraw_consent(*, consent: Consent) -> Consent:
    """Mark a consent withdrawn now (idempotent); the row stays as evidence of what was given."""
    with transaction.atomic():
        current = Consent.objects.select_for_update().get(pk=consent.pk)
        if current.withdrawn_at is None:
            current.withdrawn_at = timezone.now()
            current.save(update_fields=["withdrawn_at"])
            for handler in _withdrawal_handlers.get(current.purpose, ()):
                handler(current)
    consent.withdrawn_at = current.withdrawn_at
    return consent


def withdraw_subject_consents(*, purpose: str, subject: str) -> int:
    """Withdraw every active consent about ``subject`` (the box was unticked on its form)."""
    return Consent.objects.filter(purpose=purpose, subject=subject, withdrawn_at=None).update(
        withdrawn_at=timezone.now()
    )


# --- reads ---------------------------------------------------------------------------------------


def verified_emails(user) -> list[str]:
    """The person's confirmed addresses, lower-cased. Only confirmed ones: anybody can add an
    unconfirmed address to their account, and must not see that address's data through it."""
    if user is None or not user.is_authenticated:
        return []
    return sorted(
        {
            e.lower()
            for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
                "email", flat=True
            )
        }
    )


def consents_of(*, user=None, emails: Iterable[str] = ()) -> QuerySet[Consent]:
    """Consents the person gave signed in or that name one of their (lower-cased) addresses."""
    condition = Q(email_lower__in=list(emails))
    if user is not None:
        condition |= Q(user=user)
    return Consent.objects.alias(email_lower=Lower("email")).filter(condition).order_by("-given_at")
