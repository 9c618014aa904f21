"""Before invitations are written: who gets one, who is skipped and why, and the e-mails.

``plan_invitations`` reads the coordinator's choice (networks, a company filter, pasted
addresses) and answers with an ``InvitationPlan``: the recipients, every person or company left
out with its reason, and the invitation rendered in each language it will be sent in. The form
shows it as a preview; confirming it calls ``send_plan``, which writes the rows only if a fresh
plan for the same choice still has the same fingerprint (same recipients, same e-mails), so what
is sent is what the coordinator saw. The queries do not grow with the number of recipients.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from companies.models import Company, CompanyMember
from networks.models import NetworkMembership, TrainingNetwork
from regiolab.mail import opted_out, unsubscribe_url

from ..models import Invitation, Registration, Workshop
from .services import (
    UNSUBSCRIBE_MARK,
    UNSUBSCRIBED,
    InviteResult,
    Recipient,
    check_open_for_invitations,
    invite,
    render_invitation,
)

# Skipped people shown on the preview page (the counts always cover all of them).
SHOWN_SKIPPED = 200


class SkipReason(models.TextChoices):
    NO_CONSENT = "no_consent", _("no contact consent")
    NO_EMAIL = "no_email", _("no e-mail address")
    ALREADY_INVITED = "already_invited", _("already invited")
    ALREADY_REGISTERED = "already_registered", _("already registered")
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed from invitations")
    INVALID = "invalid", _("not a valid e-mail address")


@dataclass(frozen=True)
class Skipped:
    reason: str
    email: str = ""
    person: str = ""
    company: str = ""

    @property
    def reason_label(self) -> str:
        return SkipReason(self.reason).label


@dataclass(frozen=True)
class LanguagePreview:
    language: str
    recipients: int
    sample_to: str  # the preview is the e-mail exactly as this recipient gets it
    subject: str
    text: str
    html: str

    @property
    def label(self) -> str:
        return dict(settings.LANGUAGES).get(self.language, self.language)


@dataclass
class InvitationPlan:
    workshop: Workshop
    recipients: list[Recipient] = field(default_factory=list)
    resend: int = 0  # of the recipients: invited before, failed, sent again
    skipped: list[Skipped] = field(default_factory=list)
    # Unsubscribed addresses not invited before: written as not sent, so the list shows them.
    unsubscribed: list[Recipient] = field(default_factory=list)
    previews: list[LanguagePreview] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def skip_counts(self) -> list[tuple[str, str, int]]:
        """(reason, label, count) for every reason with at least one skipped."""
        counts: dict[str, int] = {}
        for item in self.skipped:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        return [(r.value, r.label, counts[r.value]) for r in SkipReason if r.value in counts]

    @property
    def shown_skipped(self) -> list[Skipped]:
        return self.skipped[:SHOWN_SKIPPED]


# --- Candidates from the coordinator's choice --------------------------------------------------


@dataclass
class _Candidates:
    allowed: dict[str, Recipient] = field(default_factory=dict)
    refused: dict[str, Skipped] = field(default_factory=dict)  # no contact consent
    skipped: dict[tuple, Skipped] = field(default_factory=dict)  # no e-mail address

    def add_companies(
        self, companies: list[tuple[int, str, bool]], *, need_consent: bool, network_of=None
    ) -> None:
        """Every active contact person of the companies (id, name, contact consent)."""
        network_of = network_of or {}
        people: dict[int, list[tuple[str, str]]] = {pk: [] for pk, _name, _consent in companies}
        rows = (
            CompanyMember.objects.filter(
                company_id__in=list(people),
                status=CompanyMember.Status.ACTIVE,
                user__is_active=True,
            )
            .order_by("company_id", "user__email", "pk")
            .values_list("company_id", "user__email", "user__first_name", "user__last_name")
        )
        for company_id, email, first, last in rows:
            people[company_id].append((email, f"{first} {last}".strip()))
        for company_id, name, consent in companies:
            with_address = [(e, n) for e, n in people[company_id] if e]
            for _email, person in (p for p in people[company_id] if not p[0]):
                self._skip(Skipped(SkipReason.NO_EMAIL, person=person, company=name))
            if not with_address:
                if not people[company_id]:  # nobody to write to at this company
                    self._skip(Skipped(SkipReason.NO_EMAIL, company=name))
                continue
            for email, person in with_address:
                email = email.strip().lower()
                if need_consent and not consent:
                    self.refused.setdefault(
                        email, Skipped(SkipReason.NO_CONSENT, email, person, name)
                    )
                else:
                    self.allowed.setdefault(
                        email, Recipient(email, company_id, network_of.get(company_id))
                    )

    def add_addresses(self, addresses: Iterable[str]) -> None:
        addresses = [a.lower() for a in addresses]
        companies = dict(
            CompanyMember.objects.annotate(email_lower=Lower("user__email"))
            .filter(email_lower__in=addresses, status=CompanyMember.Status.ACTIVE)
            .values_list("email_lower", "company_id")
        )
        for address in addresses:
            self.allowed.setdefault(address, Recipient(address, companies.get(address)))

    def _skip(self, item: Skipped) -> None:
        self.skipped.setdefault((item.reason, item.person, item.company), item)


def _network_companies(networks: list[TrainingNetwork]):
    network_of: dict[int, int] = {}
    companies: dict[int, tuple[int, str, bool]] = {}
    for company_id, network_id, name, consent in (
        NetworkMembership.objects.filter(
            network__in=networks, status=NetworkMembership.Status.ACTIVE
        )
        .order_by("network__name", "network_id", "company__name", "company_id")
        .values_list("company_id", "network_id", "company__name", "company__contact_consent")
    ):
        network_of.setdefault(company_id, network_id)
        companies.setdefault(company_id, (company_id, name, consent))
    return list(companies.values()), network_of


# --- The plan ------------------------------------------------------------------------------------


def plan_invitations(
    *,
    workshop: Workshop,
    networks: Iterable[TrainingNetwork] = (),
    companies: QuerySet[Company] | None = None,
    consenting_only: bool = True,
    addresses: Iterable[str] = (),
    invalid_addresses: Iterable[str] = (),
) -> InvitationPlan:
    """Who would be invited by this choice, who not and why, and the e-mails they would get.

    Networks reach the contact persons (active company members) of their active member
    companies that agreed to be contacted; the company filter does so too unless
    ``consenting_only`` is off; pasted addresses are the coordinator's own choice.
    """
    check_open_for_invitations(workshop)
    candidates = _Candidates()
    networks = list(networks)
    if networks:
        chosen, network_of = _network_companies(networks)
        candidates.add_companies(chosen, need_consent=True, network_of=network_of)
    if companies is not None:
        chosen = list(companies.order_by("name", "pk").values_list("pk", "name", "contact_consent"))
        candidates.add_companies(chosen, need_consent=consenting_only)
    addresses = list(addresses)
    if addresses:
        candidates.add_addresses(addresses)
    skipped = list(candidates.skipped.values())
    skipped += [s for email, s in candidates.refused.items() if email not in candidates.allowed]
    skipped += [Skipped(SkipReason.INVALID, email=address) for address in invalid_addresses]
    if not candidates.allowed and not skipped:
        raise ValidationError(_("No recipients were found for your choice."), code="empty")
    plan = InvitationPlan(workshop=workshop)
    _sort_out(plan, candidates.allowed, skipped)
    _render_previews(plan)
    return plan


def _sort_out(plan: InvitationPlan, allowed: dict[str, Recipient], skipped: list[Skipped]):
    """Split the allowed addresses into recipients and skipped ones (four queries)."""
    workshop, emails = plan.workshop, list(allowed)
    registered = set(
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(workshop=workshop, email_lower__in=emails)
        .exclude(status=Registration.Status.CANCELLED)
        .values_list("email_lower", flat=True)
    )
    existing = {
        email: (status, error, language)
        for email, status, error, language in Invitation.objects.filter(
            workshop=workshop, email__in=emails
        ).values_list("email", "status", "last_error", "language")
    }
    unsubscribed = opted_out(emails)
    languages = _known_languages([e for e in emails if e not in existing])
    for email, recipient in allowed.items():
        if email in registered:
            skipped.append(Skipped(SkipReason.ALREADY_REGISTERED, email))
        elif email in existing:
            status, error, language = existing[email]
            if status != Invitation.Status.FAILED:
                skipped.append(Skipped(SkipReason.ALREADY_INVITED, email))
            elif error == UNSUBSCRIBED or email in unsubscribed:
                skipped.append(Skipped(SkipReason.UNSUBSCRIBED, email))
            else:  # failed before: invite() sends it again, in the language written then
                plan.recipients.append(_with_language(recipient, language or workshop.language))
                plan.resend += 1
        elif email in unsubscribed:
            skipped.append(Skipped(SkipReason.UNSUBSCRIBED, email))
            plan.unsubscribed.append(recipient)
        else:
            language = languages.get(email) or workshop.language
            plan.recipients.append(_with_language(recipient, language))
    order = {reason.value: n for n, reason in enumerate(SkipReason)}
    plan.skipped = sorted(skipped, key=lambda s: (order[s.reason], s.company, s.email, s.person))


def _with_language(recipient: Recipient, language: str) -> Recipient:
    return Recipient(recipient.email, recipient.company_id, recipient.network_id, language)


def _known_languages(emails: list[str]) -> dict[str, str]:
    """The language of each person's latest registration (any workshop), where there is one."""
    known = dict(settings.LANGUAGES)
    rows = (
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .order_by("created_at", "pk")
        .values_list("email_lower", "language")
    )
    return {email: language for email, language in rows if language in known}


def _render_previews(plan: InvitationPlan) -> None:
    by_language: dict[str, list[Recipient]] = {}
    for recipient in plan.recipients:
        by_language.setdefault(recipient.language, []).append(recipient)
    digest = hashlib.sha256()
    digest.update(str(plan.workshop.pk).encode())
    for recipient in sorted(plan.recipients, key=lambda r: r.email):
        digest.update(
            f"\n{recipient.email}|{recipient.language}|{recipient.company_id}"
            f"|{recipient.network_id}".encode()
        )
    order = [code for code, _label in settings.LANGUAGES]
    for language in sorted(by_language, key=lambda c: order.index(c) if c in order else len(order)):
        group = by_language[language]
        subject, text, html = render_invitation(plan.workshop, language=language)
        digest.update("\0".join((language, subject, text, html)).encode())
        sample = group[0].email
        link = unsubscribe_url(sample)
        plan.previews.append(
            LanguagePreview(
                language=language,
                recipients=len(group),
                sample_to=sample,
                subject=subject,
                text=text.replace(UNSUBSCRIBE_MARK, link),
                html=html.replace(UNSUBSCRIBE_MARK, link),
            )
        )
    plan.fingerprint = digest.hexdigest()


class PlanChanged(ValidationError):
    """The recipients or the e-mail differ from the preview the coordinator confirmed."""


def send_plan(*, plan: InvitationPlan, confirmed_fingerprint: str, invited_by=None) -> InviteResult:
    """Write the planned invitations if ``plan`` is still the one previewed."""
    if not confirmed_fingerprint or confirmed_fingerprint != plan.fingerprint:
        raise PlanChanged(
            _(
                "The recipients or the e-mail have changed since the preview (someone registered,"
                " was invited or the workshop was edited). Please check the new preview and"
                " confirm again."
            ),
            code="changed",
        )
    if not plan.recipients:
        raise ValidationError(_("Nobody would receive an invitation."), code="empty")
    return invite(
        workshop=plan.workshop,
        recipients=[*plan.recipients, *plan.unsubscribed],
        invited_by=invited_by,
    )
