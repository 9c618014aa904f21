"""Forms of the coordinators' workshop pages: workshop details, status filter, check-in."""

import django_filters
from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from networks.models import TrainingNetwork
from regiolab.models import Topic
from regiolab.search.registry import matching
from regiolab.sorting import SortFilter
from regiolab.validators import no_control_characters, no_markup, single_line

from ..models import Registration, Workshop
from ..search import WORKSHOP_FIELDS
from . import checkin_codes
from .services import ATTENDANCE_CHOICES, EDITABLE_FIELDS

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; values are local time (Europe/Berlin)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class WorkshopForm(forms.ModelForm):
    """Details of a workshop; the rules across fields live in workshops.lifecycle.services."""

    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Required for online and hybrid workshops."),
    )

    class Meta:
        model = Workshop
        fields = [*EDITABLE_FIELDS, "topics"]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "registration_deadline": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 8}),
            "description_en": forms.Textarea(attrs={"rows": 8}),
            "format": forms.RadioSelect,
        }
        help_texts = {
            "slug": _("Letters, digits and hyphens; made from the title when left empty."),
            "venue": _("Required for on-site and hybrid workshops."),
            "registration_deadline": _("Optional; registration closes at the start otherwise."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["network"].queryset = TrainingNetwork.objects.order_by("name")
        self.fields["network"].empty_label = _("— no network —")
        self.fields["capacity"].validators.append(MinValueValidator(1))
        self.fields["capacity"].widget.attrs["min"] = 1
        for name in ("starts_at", "ends_at", "registration_deadline"):
            self.fields[name].input_formats = [
                DATETIME_LOCAL,
                "%Y-%m-%d %H:%M",
                "%Y-%m-%d %H:%M:%S",
            ]
        for name in ("title", "title_en", "description", "description_en", "venue", "trainers"):
            self.fields[name].validators.append(no_markup)
        for name in ("funding_note", "funding_note_en"):
            self.fields[name].validators.append(no_markup)
        # Titles, venue and names land in one-line places: calendar entries, e-mail subjects,
        # PDF headings; a pasted line break or control character would break them.
        for name in ("title", "title_en", "venue", "trainers", "funding_note", "funding_note_en"):
            self.fields[name].validators.append(single_line)
        for name in ("description", "description_en"):
            self.fields[name].validators.append(no_control_characters)

    def _post_clean(self):
        # The model's own checks run in the service (lifecycle), under the workshop lock.
        pass

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in [*EDITABLE_FIELDS, "topics"]}


class ManageWorkshopFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title"), method="filter_search", max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Workshop.Status.choices, empty_label=_("all statuses")
    )
    # One column at a time; titles in German order.
    ordering = SortFilter(
        fields=(
            ("title", "title"),
            ("starts_at", "date"),
            ("capacity", "capacity"),
            ("confirmed_count", "confirmed"),
            ("waitlisted_count", "waitlist"),
        ),
        field_labels={
            "title": _("title"),
            "starts_at": _("date"),
            "capacity": _("places"),
            "confirmed_count": _("confirmed"),
            "waitlisted_count": _("waitlist"),
        },
        collated=("title",),
    )

    class Meta:
        model = Workshop
        fields = ["status"]

    def filter_search(self, queryset, name, value):
        """Every word in the title (German or English), ignoring case and accents."""
        value = value.strip()
        return matching(queryset, WORKSHOP_FIELDS, value) if value else queryset


class CheckinForm(forms.Form):
    """One radio group per person: attended or no-show."""

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        choices = [(status.value, status.label) for status in ATTENDANCE_CHOICES]
        for registration in registrations:
            company = (
                registration.company.name if registration.company_id else registration.company_name
            )
            label = registration.full_name + (f" ({company})" if company else "")
            initial = registration.status if registration.status in ATTENDANCE_CHOICES else None
            self.fields[self.field_name(registration)] = forms.ChoiceField(
                label=label,
                choices=choices,
                widget=forms.RadioSelect(attrs={"class": "checkin-choice"}),
                required=False,
                initial=initial,
            )

    @staticmethod
    def field_name(registration: Registration) -> str:
        return f"registration_{registration.pk}"

    def marks(self) -> dict[int, str]:
        """Registration pk → chosen status, for the rows that have a choice."""
        return {
            registration.pk: self.cleaned_data[self.field_name(registration)]
            for registration in self.registrations
            if self.cleaned_data.get(self.field_name(registration))
        }


class CheckinFindForm(forms.Form):
    """The type-to-find field of the check-in list (filters on the page as one types; sent as
    a GET without JavaScript)."""

    q = forms.CharField(
        label=_("Find a person"),
        required=False,
        max_length=100,
        strip=True,
        help_text=_("Part of the first or last name, or the company."),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "aria-controls": "checkin-list"}
        ),
    )

    def __init__(self, *args, focus: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if focus:  # after a check-in: ready for the next name
            self.fields["q"].widget.attrs["autofocus"] = True


class CheckinCodeForm(forms.Form):
    """The scan field: a hand scanner types the code of the QR code (or its whole URL)."""

    code = forms.CharField(
        label=_("Scan or type a check-in code"),
        max_length=checkin_codes.MAX_INPUT_LENGTH,
        help_text=_("The code under the QR code on the confirmation e-mail, e.g. 12.ABCD…"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, workshop=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        self.registration = None

    def clean_code(self):
        parsed = checkin_codes.parse(self.cleaned_data["code"])
        if parsed is None:
            raise forms.ValidationError(_("This is not a check-in code of this portal."))
        if parsed.workshop_id != self.workshop.pk:
            raise forms.ValidationError(
                _("This code belongs to another workshop; nobody has been checked in here.")
            )
        registration = checkin_codes.find_registration(parsed, workshop_id=self.workshop.pk)
        if registration is None:
            raise forms.ValidationError(_("This check-in code is not valid."))
        self.registration = registration
        return self.cleaned_data["code"]
