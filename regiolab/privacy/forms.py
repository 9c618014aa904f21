from django import forms
from django.utils.translation import gettext_lazy as _

from regiolab.validators import no_markup


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
