"""Data protection for companies: the "may be contacted" consent and a person's company data in
the export (regiolab.privacy.personal_data). Registered from CompaniesConfig.ready()."""

from django.db.models.functions import Lower
from django.utils.text import capfirst

from regiolab.privacy import consents
from regiolab.privacy.models import Consent

from .models import Company, CompanyInvitation, CompanyMember, Consultation, profile_values

# Bump when the label of the company form's contact_consent box changes.
CONTACT_CONSENT_VERSION = "contact-2026-11"


def contact_consent_text():
    """The label of the box on the company form (the field's verbose name, as the form shows)."""
    return capfirst(Company._meta.get_field("contact_consent").verbose_name)


# Known wherever a consent can be recorded: the services import this module.
consents.register_text(CONTACT_CONSENT_VERSION, contact_consent_text())


def register() -> None:
    """Called from CompaniesConfig.ready()."""
    from regiolab.privacy import personal_data

    consents.register_withdrawal_handler(Consent.Purpose.CONTACT, stop_contacting)
    personal_data.register("companies", collect)


# --- consent -------------------------------------------------------------------------------------


def company_subject(company: Company) -> str:
    return f"company:{company.pk}"


def record_contact_consent(*, company: Company, given_by, by_coordinator: bool) -> Consent:
    """The box was ticked. A coordinator records the company's consent given elsewhere (phone,
    paper); a representative gives it themselves. Call inside the profile's transaction."""
    person = {"given_by": given_by} if by_coordinator else {"user": given_by}
    return consents.record_consent(
        purpose=Consent.Purpose.CONTACT,
        text_version=CONTACT_CONSENT_VERSION,
        source=Consent.Source.COMPANY_FORM,
        email="" if by_coordinator else given_by.email,
        subject=company_subject(company),
        **person,
    )


def revoke_contact_consent(*, company: Company) -> None:
    """The box was unticked on the company form."""
    consents.withdraw_subject_consents(
        purpose=Consent.Purpose.CONTACT, subject=company_subject(company)
    )


def stop_contacting(consent: Consent) -> None:
    """A representative withdrew on their privacy page: the company is no longer contacted
    (workshop invitations to consenting companies skip it) and its other consents end too."""
    kind, _sep, pk = consent.subject.partition(":")
    if kind != "company" or not pk.isdigit():
        return
    Company.objects.filter(pk=int(pk)).update(contact_consent=False)
    consents.withdraw_subject_consents(purpose=consent.purpose, subject=consent.subject)


# --- export --------------------------------------------------------------------------------------


def _profile(company: Company) -> dict:
    return {
        **profile_values(company),
        "enterprise_type": company.enterprise_type,
        "size_class": company.size_class,
        "training_needs": [topic.slug for topic in company.training_needs.all()],
        "contact_consent": company.contact_consent,
        "show_in_networks": company.show_in_networks,
        "created_at": company.created_at,
        "updated_at": company.updated_at,
    }


def _invitation(invitation: CompanyInvitation) -> dict:
    return {
        "company": invitation.company.name,
        "email": invitation.email,
        "created_at": invitation.created_at,
        "accepted_at": invitation.accepted_at,
    }


def collect(*, emails, user) -> dict:
    invitations = (
        CompanyInvitation.objects.alias(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .select_related("company")
        .order_by("created_at", "pk")
    )
    data = {
        "memberships": [],
        "invitations_received": [_invitation(i) for i in invitations],
        "invitations_sent": [],
        "consultations_logged": [],
    }
    if user is None:
        return data
    memberships = (
        CompanyMember.objects.filter(user=user)
        .select_related("company")
        .prefetch_related("company__training_needs")
    )
    data["memberships"] = [
        {
            "role": m.role,
            "status": m.status,
            "since": m.created_at,
            "company": _profile(m.company),
        }
        for m in memberships
    ]
    sent = (
        CompanyInvitation.objects.filter(invited_by=user)
        .select_related("company")
        .order_by("created_at", "pk")
    )
    data["invitations_sent"] = [_invitation(i) for i in sent]
    # A coordinator's own advice work; the minutes are about the company, not the person.
    consultations = (
        Consultation.objects.filter(coordinator=user)
        .select_related("company")
        .order_by("date", "pk")
    )
    data["consultations_logged"] = [
        {
            "date": c.date,
            "company": c.company.name,
            "channel": c.channel,
            "topics": c.subjects,
            "created_at": c.created_at,
        }
        for c in consultations
    ]
    return data
