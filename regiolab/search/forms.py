from django import forms
from django.utils.translation import gettext_lazy as _

MAX_QUERY = 100
MIN_QUERY = 2


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search companies, people, workshops and grants"),
        max_length=MAX_QUERY,
        required=False,
        help_text=_(
            "A name, e-mail address, workshop title or grant reference; at least two characters."
        ),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_q(self):
        query = " ".join(self.cleaned_data["q"].split())
        if query and len(query) < MIN_QUERY:
            raise forms.ValidationError(
                _("Enter at least %(min)d characters.") % {"min": MIN_QUERY}, code="too_short"
            )
        return query
