"""The coordinators' invitation form: networks, the company list filter and pasted addresses."""

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.filters import CompanyFilter
from companies.models import Company
from networks.models import TrainingNetwork

from . import services

MAX_PASTED_CHARS = 50_000
COMPANY_FILTER_PREFIX = "company"


class InvitationForm(forms.Form):
    networks = forms.ModelMultipleChoiceField(
        label=_("Members of these networks"),
        queryset=TrainingNetwork.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The contact persons of the network's member companies that agreed to be contacted."
        ),
    )
    consenting_only = forms.BooleanField(
        label=_("Only companies that agree to be contacted"),
        required=False,
        initial=True,
        help_text=_(
            "Applies to the company filter. Networks always reach only companies that agreed;"
            " pasted addresses are your own choice."
        ),
    )
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        max_length=MAX_PASTED_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line, or separated by commas or semicolons."),
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # The company list's own filter (companies.filters), with its fields prefixed.
        self.company_filter = CompanyFilter(
            data, queryset=Company.objects.all(), prefix=COMPANY_FILTER_PREFIX
        )
        # Order does not matter here, and networks have their own choice above.
        for name in ("ordering", "network"):
            self.company_filter.filters.pop(name, None)
        self.fields["networks"].queryset = TrainingNetwork.objects.exclude(
            status=TrainingNetwork.Status.CLOSED
        ).order_by("name")
        self.invalid_addresses: list[str] = []

    @property
    def uses_company_filter(self) -> bool:
        """True when at least one company filter field has a value."""
        data = getattr(self.company_filter.form, "cleaned_data", {})
        return any(value not in (None, "", [], ()) for value in data.values())

    def clean_emails(self):
        text = self.cleaned_data["emails"]
        parsed = services.parse_addresses(text)
        if len(parsed.valid) + len(parsed.invalid) > services.MAX_PASTED_ADDRESSES:
            raise forms.ValidationError(
                _("Please paste at most %(max)d addresses at once."),
                params={"max": services.MAX_PASTED_ADDRESSES},
                code="too_many",
            )
        if parsed.invalid and not parsed.valid:
            raise forms.ValidationError(
                _("None of these is a valid e-mail address: %(addresses)s"),
                params={"addresses": ", ".join(parsed.invalid[:20])},
                code="invalid",
            )
        self.invalid_addresses = parsed.invalid
        return parsed.valid

    def clean(self):
        data = super().clean()
        if self.is_bound and not self.company_filter.is_valid():
            raise forms.ValidationError(
                _("Please correct the company filter."), code="company_filter"
            )
        if not self.errors and not (
            data.get("networks") or self.uses_company_filter or data.get("emails")
        ):
            raise forms.ValidationError(
                _("Choose at least one network, a company filter or enter e-mail addresses."),
                code="nothing_chosen",
            )
        return data

    def plan_kwargs(self) -> dict:
        """Arguments for ``planning.plan_invitations``."""
        data = self.cleaned_data
        return {
            "networks": list(data.get("networks") or []),
            "companies": self.company_filter.qs if self.uses_company_filter else None,
            "consenting_only": bool(data.get("consenting_only")),
            "addresses": data.get("emails") or [],
            "invalid_addresses": self.invalid_addresses,
        }
