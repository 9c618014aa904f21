"""Before training-needs invitations are written: who is reached, who is skipped and why.

As the workshop invitations (workshops/invitations/planning.py): the coordinator's choice
(networks, the company list's filter) gives a plan with the companies and people reached, the
skipped ones with their reason and the e-mail as it goes out; confirming sends the plan's
fingerprint back, and nothing is written if a fresh plan differs. Only companies that agreed to
be contacted (``Company.contact_consent``, recorded by companies.personal_data) are reached.
The queries do not grow with the number of companies.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from companies.models import Company, CompanyMember
from networks.models import NetworkMembership, TrainingNetwork
from regiolab.mail import render_email

from ..models import Survey, SurveyInvitation, new_token
from . import services

SHOWN_SKIPPED = 200


class SkipReason(models.TextChoices):
    NO_CONSENT = "no_consent", _("no contact consent")
    NO_EMAIL = "no_email", _("no contact person with an e-mail address")
    ALREADY_INVITED = "already_invited", _("already invited")
    OPTED_OUT = "opted_out", _("opted out of survey e-mails")


@dataclass(frozen=True)
class Skipped:
    reason: str
    company: str
    email: str = ""

    @property
    def reason_label(self) -> str:
        return SkipReason(self.reason).label


@dataclass
class NeedsPlan:
    survey: Survey
    recipients: list[services.NewInvitation] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    fingerprint: str = ""

    @property
    def companies_reached(self) -> int:
        return len({r.company_id for r in self.recipients})

    @property
    def skip_counts(self) -> list[tuple[str, str, int]]:
        counts: dict[str, int] = {}
        for item in self.skipped:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        return [(r.value, r.label, counts[r.value]) for r in SkipReason if r.value in counts]

    @property
    def shown_skipped(self) -> list[Skipped]:
        return self.skipped[:SHOWN_SKIPPED]


def check_survey(survey: Survey) -> None:
    if survey.purpose != Survey.Purpose.TRAINING_NEEDS or survey.is_template:
        raise ValidationError(
            _("Only a training-needs round can be sent to companies."), code="purpose"
        )
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("This survey is closed."), code="closed")
    if survey.current_version_id is None:
        raise ValidationError(_("This survey has no questions yet."), code="empty")


def plan_needs_invitations(
    *,
    survey: Survey,
    networks: Iterable[TrainingNetwork] = (),
    companies: QuerySet[Company] | None = None,
) -> NeedsPlan:
    """The active contact persons of the chosen companies that agreed to be contacted."""
    check_survey(survey)
    chosen: dict[int, tuple[str, bool]] = {}
    networks = list(networks)
    if networks:
        for pk, name, consent in (
            NetworkMembership.objects.filter(
                network__in=networks, status=NetworkMembership.Status.ACTIVE
            )
            .order_by("company__name", "company_id")
            .values_list("company_id", "company__name", "company__contact_consent")
        ):
            chosen.setdefault(pk, (name, consent))
    if companies is not None:
        for pk, name, consent in companies.order_by("name", "pk").values_list(
            "pk", "name", "contact_consent"
        ):
            chosen.setdefault(pk, (name, consent))
    if not chosen:
        raise ValidationError(_("No companies were found for your choice."), code="empty")
    people: dict[int, list[tuple[str, str]]] = {pk: [] for pk in chosen}
    for company_id, email, first, last in (
        CompanyMember.objects.filter(
            company_id__in=list(chosen),
            status=CompanyMember.Status.ACTIVE,
            user__is_active=True,
        )
        .exclude(user__email="")
        .order_by("company_id", "user__email")
        .values_list("company_id", "user__email", "user__first_name", "user__last_name")
    ):
        people[company_id].append((email.strip().lower(), f"{first} {last}".strip()))
    all_emails = [e for group in people.values() for e, _n in group]
    invited = set(
        SurveyInvitation.objects.filter(survey=survey, email__in=all_emails).values_list(
            "email", flat=True
        )
    )
    blocked = services.opted_out(all_emails)
    plan = NeedsPlan(survey=survey)
    seen: set[str] = set()
    for company_id, (name, consent) in sorted(chosen.items(), key=lambda i: (i[1][0], i[0])):
        if not consent:
            plan.skipped.append(Skipped(SkipReason.NO_CONSENT, name))
            continue
        if not people[company_id]:
            plan.skipped.append(Skipped(SkipReason.NO_EMAIL, name))
            continue
        for email, person in people[company_id]:
            if email in seen:
                continue
            seen.add(email)
            if email in invited:
                plan.skipped.append(Skipped(SkipReason.ALREADY_INVITED, name, email))
            elif email in blocked:
                plan.skipped.append(Skipped(SkipReason.OPTED_OUT, name, email))
            else:
                plan.recipients.append(
                    services.NewInvitation(
                        email=email, name=person, organisation=name, company_id=company_id
                    )
                )
    _render_preview(plan)
    return plan


def _render_preview(plan: NeedsPlan) -> None:
    digest = hashlib.sha256(str(plan.survey.pk).encode())
    for r in sorted(plan.recipients, key=lambda r: r.email):
        digest.update(f"\n{r.email}|{r.company_id}".encode())
    if plan.recipients:
        sample = plan.recipients[0]
        invitation = SurveyInvitation(
            survey=plan.survey,
            email=sample.email,
            name=sample.name,
            organisation=sample.organisation,
            language=sample.language,
            token=new_token(),  # an example link: the row is never saved
        )
        context = services.email_context(invitation, reminder=False)
        subject, text, _html = render_email("survey_invitation", context, sample.language)
        plan.subject, plan.text = subject, text
        digest.update("\0".join((plan.survey.title, plan.survey.status)).encode())
    plan.fingerprint = digest.hexdigest()


class PlanChanged(ValidationError):
    """The recipients differ from the preview the coordinator confirmed."""


def send_needs_plan(*, plan: NeedsPlan, confirmed_fingerprint: str) -> int:
    if not confirmed_fingerprint or confirmed_fingerprint != plan.fingerprint:
        raise PlanChanged(
            _(
                "The recipients have changed since the preview. Please check the new preview"
                " and confirm again."
            ),
            code="changed",
        )
    if not plan.recipients:
        raise ValidationError(_("Nobody would receive an invitation."), code="empty")
    return services.write_invitations(survey=plan.survey, recipients=plan.recipients)
