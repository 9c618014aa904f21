"""Forms of the regiolab core: the extra fields of allauth's sign-up form and the personal-data
request."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .validators import no_formula, no_markup

# Same limit as django.contrib.auth's User.first_name/last_name.
NAME_MAX_LENGTH = 150


class SignupForm(forms.Form):
    """Mixed into allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS): the person's name."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=NAME_MAX_LENGTH,
        validators=[no_markup, no_formula],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=NAME_MAX_LENGTH,
        validators=[no_markup, no_formula],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )

    field_order = ["first_name", "last_name"]

    def signup(self, request, user) -> None:
        # allauth calls this after creating the user and before saving it again.
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: at its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class PersonalDataRequestForm(forms.Form):
    """A coordinator answers a request for access (Art. 15 GDPR) for any person by address."""

    email = forms.EmailField(
        label=_("E-mail address of the person"),
        max_length=254,
        validators=[no_markup],
        help_text=_(
            "The export covers the account with this address, if there is one, and every "
            "registration, invitation, consent and e-mail the portal holds for this address. "
            "Check the person's identity first."
        ),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
