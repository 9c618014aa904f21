"""The coordinators' invitation form: networks, a company filter and pasted addresses."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from companies.models import MUNICIPALITIES, Company, Sector, SizeClass
from networks.models import TrainingNetwork

from . import invitations

MAX_PASTED_CHARS = 50_000


class InvitationForm(forms.Form):
    networks = forms.ModelMultipleChoiceField(
        label=_("Members of these networks"),
        queryset=TrainingNetwork.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every active member of the companies in the chosen networks is invited."),
    )
    size_classes = forms.MultipleChoiceField(
        label=_("Companies of these size classes"),
        choices=SizeClass.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sector = forms.ChoiceField(
        label=_("Companies of this sector"),
        choices=[("", _("— any sector —")), *Sector.choices],
        required=False,
    )
    municipality = forms.ChoiceField(
        label=_("Companies in this municipality"),
        choices=[("", _("— any municipality —")), *((m, m) for m in MUNICIPALITIES)],
        required=False,
    )
    consenting_only = forms.BooleanField(
        label=_("Only companies that agree to be contacted"),
        required=False,
        initial=True,
        help_text=_("Applies to the company filter above, not to networks or pasted addresses."),
    )
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        max_length=MAX_PASTED_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line, or separated by commas or semicolons."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["networks"].queryset = TrainingNetwork.objects.exclude(
            status=TrainingNetwork.Status.CLOSED
        ).order_by("name")
        self.invalid_addresses: list[str] = []

    @property
    def uses_company_filter(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("size_classes") or data.get("sector") or data.get("municipality"))

    def clean_emails(self):
        text = self.cleaned_data["emails"]
        parsed = invitations.parse_addresses(text)
        if len(parsed.valid) + len(parsed.invalid) > invitations.MAX_PASTED_ADDRESSES:
            raise forms.ValidationError(
                _("Please paste at most %(max)d addresses at once."),
                params={"max": invitations.MAX_PASTED_ADDRESSES},
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
        if not self.errors and not (
            data.get("networks") or self.uses_company_filter or data.get("emails")
        ):
            raise forms.ValidationError(
                _("Choose at least one network, a company filter or enter e-mail addresses."),
                code="nothing_chosen",
            )
        return data

    def filtered_companies(self) -> QuerySet[Company]:
        data = self.cleaned_data
        companies = Company.objects.all()
        if data.get("size_classes"):
            companies = companies.filter(size_class_stored__in=data["size_classes"])
        if data.get("sector"):
            companies = companies.filter(sector=data["sector"])
        if data.get("municipality"):
            companies = companies.filter(municipality=data["municipality"])
        if data.get("consenting_only"):
            companies = companies.filter(contact_consent=True)
        return companies

    def service_kwargs(self) -> dict:
        """Arguments for ``invitations.invite_chosen``."""
        data = self.cleaned_data
        return {
            "networks": list(data.get("networks") or []),
            "companies": self.filtered_companies() if self.uses_company_filter else None,
            "addresses": data.get("emails") or [],
        }
