"""Data protection for workshops: the registration consents (recorded by workshops.registration.services) and
a person's workshop data in the export (regiolab.privacy.personal_data). Registered from
WorkshopsConfig.ready()."""

from django.db.models.functions import Lower

from regiolab.privacy import consents
from regiolab.privacy.models import Consent

from .models import Invitation, Registration
from .registration.forms import CONSENT_TEXT, CONSENT_TEXT_VERSION, ColleagueOptionsForm

# The registration's consent_text_version ("2026-11") names the form's text; the consent row
# tells the two texts apart: the person's own box and the booker's box for colleagues.
OWN_TEXT = "workshop-{}"
COLLEAGUES_TEXT = "colleagues-{}"


# Known wherever a consent can be recorded: the services import this module.
consents.register_text(OWN_TEXT.format(CONSENT_TEXT_VERSION), CONSENT_TEXT)
consents.register_text(
    COLLEAGUES_TEXT.format(CONSENT_TEXT_VERSION), ColleagueOptionsForm.base_fields["consent"].label
)


def register() -> None:
    """Called from WorkshopsConfig.ready()."""
    from regiolab.privacy import personal_data

    personal_data.register("workshops", collect)


# --- consent -------------------------------------------------------------------------------------


def registration_consent(
    registration: Registration, *, registered_by, for_colleagues: bool
) -> Consent:
    """The (unsaved) consent of a saved registration that has a consent text version.

    Linked to the account only when the person registered themselves signed in; when someone
    else ticked the box (an HR contact booking colleagues), ``given_by`` says who.
    """
    email = registration.email
    own = registered_by is not None and (registered_by.email or "").lower() == email.lower()
    template = COLLEAGUES_TEXT if for_colleagues else OWN_TEXT
    return consents.build_consent(
        purpose=Consent.Purpose.WORKSHOP,
        text_version=template.format(registration.consent_text_version),
        source=(
            Consent.Source.COLLEAGUE_REGISTRATION
            if for_colleagues
            else Consent.Source.WORKSHOP_REGISTRATION
        ),
        email=email,
        user=registered_by if own else None,
        given_by=None if own else registered_by,
        subject=f"registration:{registration.pk}",
        given_at=registration.consent_given_at,
    )


# --- export --------------------------------------------------------------------------------------

REGISTRATION_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "company_name",
    "status",
    "language",
    "gender",
    "age_band",
    "employment_status",
    "education_level",
    "consent_given_at",
    "consent_text_version",
    "created_at",
    "confirmed_at",
    "promoted_at",
    "cancelled_at",
    "attendance_marked_at",
    "reminder_sent_at",
    "certificate_sent_at",
)


def _workshop(workshop) -> dict:
    return {
        "title": workshop.title,
        "starts_at": workshop.starts_at,
        "ends_at": workshop.ends_at,
        "format": workshop.format,
        "venue": workshop.venue,
        "status": workshop.status,
    }


def collect(*, emails, user) -> dict:
    # The cancel token stays out: it is a key, and the export may be stored anywhere.
    registrations = (
        Registration.objects.alias(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .select_related("workshop")
        .order_by("created_at", "pk")
    )
    invitations = (
        Invitation.objects.alias(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .select_related("workshop")
        .order_by("created_at", "pk")
    )
    data = {
        "registrations": [
            {"workshop": _workshop(r.workshop), **{f: getattr(r, f) for f in REGISTRATION_FIELDS}}
            for r in registrations
        ],
        "registrations_made_for_others": [],
        "invitations_received": [
            {
                "workshop": i.workshop.title,
                "workshop_starts_at": i.workshop.starts_at,
                "email": i.email,
                "status": i.status,
                "created_at": i.created_at,
                "sent_at": i.sent_at,
            }
            for i in invitations
        ],
    }
    if user is not None:
        booked = (
            Registration.objects.alias(email_lower=Lower("email"))
            .filter(registered_by=user)
            .exclude(email_lower__in=emails)
            .select_related("workshop")
            .order_by("created_at", "pk")
        )
        data["registrations_made_for_others"] = [
            {
                "workshop": r.workshop.title,
                "workshop_starts_at": r.workshop.starts_at,
                "first_name": r.first_name,
                "last_name": r.last_name,
                "email": r.email,
                "status": r.status,
                "created_at": r.created_at,
            }
            for r in booked
        ]
    return data
