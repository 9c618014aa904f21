"""Forms of the stakeholder groups; the rules live in policy.groups.services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from companies.models import Company
from policy.models import HelixCategory, StakeholderGroup
from workshops.lifecycle.forms import DATETIME_LOCAL, DateTimeLocalInput


class GroupForm(forms.ModelForm):
    class Meta:
        model = StakeholderGroup
        fields = ["name", "purpose", "region", "meetings_per_year"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}


def _lines(text: str) -> list[str]:
    return [part for line in (text or "").splitlines() for part in line.replace(",", " ").split()]


class MemberForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Company.objects.order_by("name", "pk")
    )
    category = forms.ChoiceField(label=_("Category"), choices=HelixCategory.choices)
    people = forms.CharField(
        label=_("People (e-mail addresses)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One address per line."),
    )

    def emails(self) -> list[str]:
        return _lines(self.cleaned_data.get("people", ""))


class PeopleForm(forms.Form):
    people = forms.CharField(
        label=_("People (e-mail addresses)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address per line."),
    )

    def emails(self) -> list[str]:
        return _lines(self.cleaned_data.get("people", ""))


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("start"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    ends_at = forms.DateTimeField(
        label=_("end"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    venue = forms.CharField(label=_("venue"), max_length=300)
    capacity = forms.IntegerField(label=_("places"), min_value=1, max_value=10000, initial=30)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=pgettext_lazy("group meeting", "Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
