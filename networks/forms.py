"""Forms of the network pages: network details, adding a company, role, request decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from regiolab.models import Topic
from regiolab.validators import no_markup

from .models import NetworkMembership, TrainingNetwork
from .selectors import coordinator_users

NETWORK_FORM_FIELDS = [
    "name",
    "slug",
    "status",
    "topics",
    "sector_focus",
    "description",
    "description_en",
    "start_date",
    "end_date",
    "coordinators",
]


class DateInput(forms.DateInput):
    """The browser's date picker (ISO dates)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CoordinatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class NetworkForm(forms.ModelForm):
    """A network's details; the model's checks run in networks.services (full_clean)."""

    topics = forms.ModelMultipleChoiceField(
        label=_("Focus topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    coordinators = CoordinatorChoiceField(
        label=_("Coordinators"),
        queryset=coordinator_users(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Left empty for a new network, you coordinate it yourself."),
    )

    class Meta:
        model = TrainingNetwork
        fields = NETWORK_FORM_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "description_en": forms.Textarea(attrs={"rows": 8}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }
        help_texts = {
            "slug": _("Letters, digits and hyphens; made from the name when left empty."),
            "status": _("Only active networks are shown to the public."),
            "description_en": _("Left empty, the English page shows the German description."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        for name in ("name", "description", "description_en"):
            self.fields[name].validators.append(no_markup)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end cannot be before the start."))
        return cleaned

    def _post_clean(self):
        # The model's own checks (unique and reserved slug, markup) run in the service's
        # full_clean, inside its transaction; the view ties their errors to the fields.
        pass

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in NETWORK_FORM_FIELDS}


class AddMemberForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.all(), widget=forms.HiddenInput
    )
    role = forms.ChoiceField(label=_("Role"), choices=NetworkMembership.Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=NetworkMembership.Role.choices)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline"))], widget=forms.HiddenInput
    )

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == "accept"


class CompanySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a company by name"),
        required=False,
        max_length=100,
        help_text=_("At least two characters."),
    )
