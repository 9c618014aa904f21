"""Forms of the regiolab core: the extra fields of allauth's sign-up form."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet
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
    """Show a service's ValidationError on the form: at its field when the form has it. A formset
    shows it above its forms; a form whose fields are not named like the service's keys places
    it with its own ``add_service_errors(exc)``."""
    if isinstance(form, BaseFormSet):
        # is_valid() has run, so the formset's own non-form errors are empty: nothing is lost.
        form._non_form_errors = form.error_class(exc.messages)
    elif hasattr(form, "add_service_errors"):
        form.add_service_errors(exc)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
