"""Forms of the programme pages: create, edit, move a learning workshop, organisations and
people. The rules across objects live in learning.services."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from networks.models import TrainingNetwork
from regiolab.validators import no_control_characters, no_markup, single_line
from workshops.lifecycle.forms import DATETIME_LOCAL, DateTimeLocalInput

from ..models import LearningProgramme, ProgrammeOrganisation
from ..services import MAX_CYCLES, PersonInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_PEOPLE_LINES = 200
_ANGLE = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]+)>\s*$")
_SPLIT = re.compile(r"[;,\t]")


def _currency(value: str) -> str:
    value = (value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValidationError(_("Please enter a three-letter currency code such as EUR or SEK."))
    return value


class ProgrammeCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line, no_markup])
    goal = forms.CharField(
        label=_("Goal"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_markup, no_control_characters],
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[no_markup, no_control_characters],
    )
    network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=TrainingNetwork.objects.order_by("name"),
        required=False,
        empty_label=_("— no network —"),
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    start = forms.DateField(
        label=_("Date of the first learning workshop"), widget=DATE, input_formats=["%Y-%m-%d"]
    )
    cycles = forms.IntegerField(
        label=_("Number of cycles"),
        initial=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CYCLES)],
    )
    interval_weeks = forms.IntegerField(
        label=_("Weeks between the learning workshops"),
        initial=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    themes = forms.CharField(
        label=_("Themes of the cycles"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One line per cycle, in order; lines left out leave the theme empty."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("cycles", "interval_weeks"):
            self.fields[name].widget.attrs.update({"min": 1})
        self.fields["cycles"].widget.attrs["max"] = MAX_CYCLES
        self.fields["interval_weeks"].widget.attrs["max"] = 52

    def clean_currency(self):
        return _currency(self.cleaned_data.get("currency"))

    def clean_themes(self):
        lines = [line.strip() for line in (self.cleaned_data.get("themes") or "").splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        for line in lines:
            if len(line) > 200:
                raise ValidationError(_("A theme has at most 200 characters."))
            no_markup(line)
            single_line(line)
        return lines

    def clean(self):
        data = super().clean()
        cycles, themes = data.get("cycles"), data.get("themes") or []
        if cycles and len(themes) > cycles:
            self.add_error(
                "themes",
                _("There are more themes (%(themes)s) than cycles (%(cycles)s).")
                % {"themes": len(themes), "cycles": cycles},
            )
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "start": data["start"],
            "cycles": data["cycles"],
            "interval_weeks": data["interval_weeks"],
            "themes": data["themes"],
            "goal": data["goal"],
            "description": data["description"],
            "network": data["network"],
            "currency": data["currency"],
        }


class ProgrammeEditForm(forms.ModelForm):
    class Meta:
        model = LearningProgramme
        fields = [
            "title",
            "goal",
            "description",
            "network",
            "currency",
            "shared_reports",
            "public_summary",
            "summary_published",
        ]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "public_summary": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "public_summary": _(
                "What anybody may read about the programme once you publish it; nothing else "
                "of the programme is shown outside it."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = TrainingNetwork.objects.order_by("name")
        self.fields["network"].empty_label = _("— no network —")
        self.fields["title"].validators += [no_markup]
        for name in ("goal", "description", "public_summary"):
            self.fields[name].validators += [no_markup, no_control_characters]
            self.fields[name].max_length = 20000
            self.fields[name].widget.attrs["maxlength"] = 20000

    def clean_currency(self):
        return _currency(self.cleaned_data.get("currency"))

    def _post_clean(self):
        # The model's checks run in the service, under the programme's row lock.
        pass

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class MoveForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("New start"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    ends_at = forms.DateTimeField(
        label=_("New end"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    shift_later = forms.BooleanField(
        label=_("Move the later cycles' learning workshops by the same amount"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        return data


class ThemeForm(forms.Form):
    theme = forms.CharField(
        label=_("Theme"), max_length=200, required=False, validators=[single_line, no_markup]
    )
    theme_en = forms.CharField(
        label=_("Theme (English)"),
        max_length=200,
        required=False,
        validators=[single_line, no_markup],
    )


def parse_people(text: str) -> list[PersonInput]:
    """One person a line: "Erika Muster <erika@example.org>", "erika@example.org; Erika;
    Muster" or just the address. Raises ValidationError naming every line it can't read."""
    people, bad = [], []
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_PEOPLE_LINES:
        raise ValidationError(
            _("At most %(max)s people at a time, please.") % {"max": MAX_PEOPLE_LINES}
        )
    for line in lines:
        match = _ANGLE.match(line)
        if match:
            email = match["email"].strip()
            first, _sep, last = match["name"].strip().strip('"').rpartition(" ")
            if not first:
                first, last = last, ""
        else:
            parts = [part.strip() for part in _SPLIT.split(line)]
            emails = [part for part in parts if "@" in part]
            if len(emails) != 1:
                bad.append(line)
                continue
            email = emails[0]
            names = [part for part in parts if part and part != email]
            first = names[0] if names else ""
            last = " ".join(names[1:])
        if " " in email or not email or len(first) > 100 or len(last) > 100:
            bad.append(line)
            continue
        people.append(PersonInput(email=email, first_name=first, last_name=last))
    if bad:
        raise ValidationError(
            _("These lines could not be read as a person: %(lines)s")
            % {"lines": "; ".join(bad[:10])}
        )
    return people


class PeopleField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4})

    def clean(self, value):
        value = super().clean(value)
        # "Name <address>" is no markup; the names are checked one by one by the service.
        no_control_characters(value)
        return parse_people(value)


class OrganisationForm(forms.Form):
    company = forms.ModelChoiceField(label=_("Organisation"), queryset=Company.objects.none())
    actor_type = forms.ChoiceField(
        label=_("Actor type"),
        choices=ProgrammeOrganisation.ActorType.choices,
        widget=forms.RadioSelect,
    )
    people = PeopleField(
        label=_("People"),
        required=False,
        max_length=40000,
        help_text=_(
            "One person a line: “Erika Muster <erika@example.org>” or just the e-mail "
            "address. People with an account see the programme in their space."
        ),
    )

    def __init__(self, *args, programme, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["company"].empty_label = _("— choose an organisation —")
        self.programme = programme


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    first_name = forms.CharField(
        label=_("First name"), max_length=100, required=False, validators=[single_line, no_markup]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, required=False, validators=[single_line, no_markup]
    )

    def person(self) -> PersonInput:
        return PersonInput(**self.cleaned_data)


# What the company's kind suggests as its actor type.
ACTOR_TYPE_OF_KIND = {
    Company.Kind.SME: ProgrammeOrganisation.ActorType.FIRM,
    Company.Kind.LARGE: ProgrammeOrganisation.ActorType.FIRM,
    Company.Kind.PUBLIC_BODY: ProgrammeOrganisation.ActorType.PUBLIC_SECTOR,
    Company.Kind.EDUCATION_PROVIDER: ProgrammeOrganisation.ActorType.EDUCATION,
    Company.Kind.RESEARCH: ProgrammeOrganisation.ActorType.EDUCATION,
    Company.Kind.CHAMBER: ProgrammeOrganisation.ActorType.SUPPORT,
}
