"""Registration forms (one person; several colleagues of a company)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from regiolab.validators import no_markup

from ..models import Registration

# Bump when the consent text below changes; the version is stored with each registration.
CONSENT_TEXT_VERSION = "2026-11"
CONSENT_TEXT = _(
    "I agree that regioLab processes my details to run this workshop, to send me e-mails about "
    "it and to report anonymised figures to the funders. The statistics questions are "
    "voluntary. I can withdraw my consent at any time."
)
LANGUAGE_CHOICES = [("de", _("German")), ("en", _("English"))]
NOT_ANSWERED = [("", _("— no answer —"))]


def _name_field(label):
    return forms.CharField(label=label, max_length=100, validators=[no_markup])


class ParticipantFields(forms.Form):
    """Name and e-mail of one person."""

    first_name = _name_field(_("First name"))
    last_name = _name_field(_("Last name"))
    email = forms.EmailField(label=_("E-mail"), max_length=254)

    def clean_first_name(self):
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip()


class ConsentFields(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the e-mails"), choices=LANGUAGE_CHOICES, initial="de"
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, required=True)

    def service_options(self) -> dict:
        return {
            "language": self.cleaned_data["language"],
            "consent_text_version": CONSENT_TEXT_VERSION,
        }


class RegistrationForm(ParticipantFields, ConsentFields):
    """One person registers themselves; the statistics questions are optional."""

    company_name = forms.CharField(
        label=_("Company"), max_length=200, required=False, validators=[no_markup]
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=NOT_ANSWERED + Registration.Gender.choices, required=False
    )
    age_band = forms.ChoiceField(
        label=_("Age"), choices=NOT_ANSWERED + Registration.AgeBand.choices, required=False
    )
    employment_status = forms.ChoiceField(
        label=_("Employment status"),
        choices=NOT_ANSWERED + Registration.EmploymentStatus.choices,
        required=False,
    )
    education_level = forms.ChoiceField(
        label=_("Education level"),
        choices=NOT_ANSWERED + Registration.EducationLevel.choices,
        required=False,
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "company_name",
        "language",
        "gender",
        "age_band",
        "employment_status",
        "education_level",
        "consent",
    ]

    def __init__(self, *args, company=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        if company is not None:
            # A company representative registers for their own company.
            field = self.fields["company_name"]
            field.initial = company.name
            field.disabled = True
            field.help_text = _("You register for your company.")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "company": self.company,
            "company_name": self.company.name if self.company else data["company_name"].strip(),
            "gender": data["gender"],
            "age_band": data["age_band"],
            "employment_status": data["employment_status"],
            "education_level": data["education_level"],
            **self.service_options(),
        }


class ColleagueForm(ParticipantFields):
    """One row of a company's multi-person registration."""


class BaseColleagueFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            email = (form.cleaned_data or {}).get("email")
            if not email:
                continue
            if email.lower() in seen:
                form.add_error("email", _("This e-mail address appears twice in the list."))
            seen.add(email.lower())
        if any(form.errors for form in self.forms):
            raise ValidationError(_("Please correct the rows marked below."))


ColleagueFormSet = forms.formset_factory(
    ColleagueForm,
    formset=BaseColleagueFormSet,
    extra=3,
    min_num=1,
    validate_min=True,
    max_num=30,
    validate_max=True,
)


class ColleagueOptionsForm(ConsentFields):
    """What applies to every row: e-mail language and consent (given for the colleagues)."""

    consent = forms.BooleanField(
        label=_(
            "My colleagues know about this registration and agree that regioLab processes "
            "their details to run this workshop and to report anonymised figures to the funders."
        ),
        required=True,
    )
