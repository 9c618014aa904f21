"""The segment filter of a survey's results: only values the survey's responses hold."""

from functools import cached_property

from django import forms
from django.db.models import Count
from django.forms.utils import flatatt
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Sector, SizeClass
from networks.models import TrainingNetwork
from regiolab import caching
from workshops.models import Workshop

from ..models import MIN_SEGMENT, Response, Survey

EMPTY = [("", _("all"))]


def _options_html(choices: tuple[tuple[str, str], ...]) -> str:
    return format_html_join("", '<option value="{}">{}</option>', choices)


class PlainSelect(forms.Select):
    """A select rendered in one pass: a survey's workshops can be hundreds of options, and
    Django's template per option made a cold results page several times slower."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = _options_html(tuple((str(k), str(label)) for k, label in self.choices))
        if value not in (None, ""):
            option = f'<option value="{escape(value)}">'
            options = options.replace(option, option[:-1] + " selected>", 1)
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe(options))  # noqa: S308


SEGMENT_CHOICES = caching.declare(
    "survey_segment_choices",
    reads=[
        Response,
        caching.columns(TrainingNetwork, "name"),
        caching.columns(Workshop, "title", "starts_at"),
    ],
    varies_by=["survey"],
)


def segment_choices(survey: Survey) -> dict[str, list]:
    """The values the survey's responses hold per segment (cached: four scans of the
    responses on every results page otherwise)."""
    return SEGMENT_CHOICES.get(lambda: _segment_choices(survey), survey=survey.pk)


def _segment_choices(survey: Survey) -> dict[str, list]:
    responses = Response.objects.filter(survey=survey)
    # Only workshops with enough responses: a smaller one would show nothing anyway.
    shown = (
        responses.exclude(workshop=None)
        .values("workshop_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=MIN_SEGMENT)
        .values("workshop_id")
    )
    return {
        "municipality": _distinct(survey, "municipality"),
        "actor_type": _distinct(survey, "actor_type"),
        "network": [
            (str(pk), name)
            for pk, name in TrainingNetwork.objects.filter(
                pk__in=responses.values("network_id")
            ).values_list("pk", "name")
        ],
        "workshop": [
            (str(pk), title)
            for pk, title in Workshop.objects.filter(pk__in=shown)
            .order_by("-starts_at", "pk")
            .values_list("pk", "title")
        ],
    }


def _distinct(survey: Survey, field: str) -> list[str]:
    return list(
        Response.objects.filter(survey=survey)
        .exclude(**{field: ""})
        .order_by(field)
        .values_list(field, flat=True)
        .distinct()
    )


class SegmentForm(forms.Form):
    size_class = forms.ChoiceField(label=_("size class"), required=False, widget=PlainSelect)
    sector = forms.ChoiceField(label=_("sector"), required=False, widget=PlainSelect)
    municipality = forms.ChoiceField(label=_("municipality"), required=False, widget=PlainSelect)
    network = forms.ChoiceField(label=_("network"), required=False, widget=PlainSelect)
    actor_type = forms.ChoiceField(label=_("actor type"), required=False, widget=PlainSelect)
    workshop = forms.ChoiceField(label=_("workshop"), required=False, widget=PlainSelect)

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.fields["size_class"].choices = EMPTY + list(SizeClass.choices)
        self.fields["sector"].choices = EMPTY + list(Sector.choices)
        # Callables: the lists are looked up only when the form is validated or rendered, and
        # the page keeps the rendered filter in a cached fragment (SURVEY_SEGMENT_BAR).
        self.fields["municipality"].choices = self._municipalities
        self.fields["actor_type"].choices = self._actor_types
        self.fields["network"].choices = lambda: EMPTY + self._segment["network"]
        self.fields["workshop"].choices = lambda: EMPTY + self._segment["workshop"]

    @cached_property
    def _segment(self) -> dict[str, list]:
        return segment_choices(self.survey)

    def _municipalities(self) -> list:
        return EMPTY + [(m, m) for m in self._segment["municipality"]]

    def _actor_types(self) -> list:
        kinds = dict(Company.Kind.choices)
        return EMPTY + [(a, kinds.get(a, a)) for a in self._segment["actor_type"]]

    def filters(self) -> dict:
        """The cleaned segment (nothing when the form is invalid: never a wrong segment)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
