"""Forms of the surveys' distribution: the feedback switch and the training-needs choice."""

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.filters import CompanyFilter
from companies.models import Company
from networks.models import TrainingNetwork

COMPANY_FILTER_PREFIX = "company"


class FeedbackSwitchForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Ask the attendees for feedback"),
        required=False,
        help_text=_(
            "When the workshop is done, each attendee gets the feedback survey by e-mail once,"
            " and one reminder after 5 days if they have not answered."
        ),
    )


class NeedsInvitationForm(forms.Form):
    """Companies of networks or of the company list's filter (only those that agreed to be
    contacted are reached)."""

    networks = forms.ModelMultipleChoiceField(
        label=_("Member companies of these networks"),
        queryset=TrainingNetwork.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.company_filter = CompanyFilter(
            data, queryset=Company.objects.all(), prefix=COMPANY_FILTER_PREFIX
        )
        for name in ("ordering", "network"):
            self.company_filter.filters.pop(name, None)
        self.fields["networks"].queryset = TrainingNetwork.objects.exclude(
            status=TrainingNetwork.Status.CLOSED
        ).order_by("name")

    @property
    def uses_company_filter(self) -> bool:
        data = getattr(self.company_filter.form, "cleaned_data", {})
        return any(value not in (None, "", [], ()) for value in data.values())

    def clean(self):
        data = super().clean()
        if self.is_bound and not self.company_filter.is_valid():
            raise forms.ValidationError(
                _("Please correct the company filter."), code="company_filter"
            )
        if not self.errors and not (data.get("networks") or self.uses_company_filter):
            raise forms.ValidationError(
                _("Choose at least one network or a company filter."), code="nothing_chosen"
            )
        return data

    def plan_kwargs(self) -> dict:
        return {
            "networks": list(self.cleaned_data.get("networks") or []),
            "companies": self.company_filter.qs if self.uses_company_filter else None,
        }
