"""The builder's forms: a survey's settings, a section, a question. They check the shape of the
input; the rules across rows (earlier questions, versions) are the services'."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from networks.models import TrainingNetwork
from regiolab.validators import single_line

from ..models import MAX_TEXT_ANSWER, Question, Section, Survey
from . import services

OPTION_VALUE = re.compile(r"^[-\w]+$")
MAX_LIST_TEXT = 20000
MAX_LABEL = 200


class SurveyForm(forms.ModelForm):
    """Title, introduction, purpose, anonymity, dates, network; on creation also what to copy."""

    copy_of = forms.ModelChoiceField(
        label=_("Start from"),
        queryset=Survey.objects.none(),
        required=False,
        empty_label=_("an empty questionnaire"),
        help_text=_("A ready-made questionnaire or another survey; you can change the copy."),
    )

    class Meta:
        model = Survey
        fields = (
            "title",
            "title_en",
            "description",
            "description_en",
            "purpose",
            "anonymity",
            "opens_at",
            "closes_at",
            "network",
        )
        widgets = {
            "opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, copy_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = TrainingNetwork.objects.order_by("name")
        self.fields["description"].max_length = 5000
        self.fields["description_en"].max_length = 5000
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        if copy_choices is None:
            del self.fields["copy_of"]
        else:
            self.fields["copy_of"].queryset = copy_choices
            self.fields["copy_of"].label_from_instance = _copy_label

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.SURVEY_FIELDS}


def _copy_label(survey: Survey) -> str:
    if survey.is_template:
        return _("Ready-made: %(title)s") % {"title": survey.title}
    return _("Copy of: %(title)s") % {"title": survey.title}


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line])
    title_en = forms.CharField(
        label=_("Title (English)"), max_length=200, required=False, validators=[single_line]
    )
    show_if_question = forms.ModelChoiceField(
        label=_("Show only if the answer to"),
        queryset=Question.objects.none(),
        required=False,
        empty_label=_("always show"),
    )
    show_if_value = forms.CharField(
        label=_("is or includes the value"),
        max_length=100,
        required=False,
        help_text=_("The option's value, e.g. “yes”, or a scale point."),
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show_if_question"].queryset = condition_sources(version)
        self.fields["show_if_question"].label_from_instance = _question_label

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


def condition_sources(version):
    if version is None:
        return Question.objects.none()
    return version.questions.filter(type__in=services.CONDITION_TYPES).order_by("position", "pk")


def _question_label(question: Question) -> str:
    return f"{question.code}: {question.text[:60]}"


class QuestionForm(forms.Form):
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.none(), required=False
    )
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short and stable (letters, digits, - and _); results and exports use it."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=Question.Type.choices)
    text = forms.CharField(
        label=_("Question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    text_en = forms.CharField(
        label=_("Question (English)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    help = forms.CharField(
        label=_("Help text"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    help_en = forms.CharField(
        label=_("Help text (English)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    options = forms.CharField(
        label=_("Options (single and multiple choice)"),
        required=False,
        max_length=MAX_LIST_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: value | German label | English label, e.g. “yes | Ja | Yes”."),
    )
    rows = forms.CharField(
        label=_("Rows (matrix)"),
        required=False,
        max_length=MAX_LIST_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: value | German label | English label."),
    )
    scale_max = forms.TypedChoiceField(
        label=_("Scale points (scale and matrix)"),
        choices=[("", _("none")), (5, "1–5"), (7, "1–7")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    low_label = forms.CharField(label=_("Label of the lowest point"), max_length=60, required=False)
    low_label_en = forms.CharField(
        label=_("Label of the lowest point (English)"), max_length=60, required=False
    )
    high_label = forms.CharField(
        label=_("Label of the highest point"), max_length=60, required=False
    )
    high_label_en = forms.CharField(
        label=_("Label of the highest point (English)"), max_length=60, required=False
    )
    min_value = forms.DecimalField(
        label=_("Smallest number"), max_digits=12, decimal_places=2, required=False
    )
    max_value = forms.DecimalField(
        label=_("Largest number"), max_digits=12, decimal_places=2, required=False
    )
    max_length = forms.IntegerField(
        label=_("Longest answer in characters (text)"),
        min_value=1,
        max_value=MAX_TEXT_ANSWER,
        initial=500,
        required=False,
    )
    show_if_question = forms.ModelChoiceField(
        label=_("Show only if the answer to"),
        queryset=Question.objects.none(),
        required=False,
        empty_label=_("always show"),
    )
    show_if_value = forms.CharField(
        label=_("is or includes the value"),
        max_length=100,
        required=False,
        help_text=_("The option's value, e.g. “other”, or a scale point."),
    )

    def __init__(self, *args, version, question=None, **kwargs):
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(question)
        super().__init__(*args, **kwargs)
        # A survey made elsewhere may have no version yet: the service makes it on saving.
        if version is not None:
            self.fields["section"].queryset = version.sections.order_by("position", "pk")
        sources = condition_sources(version)
        if question is not None:
            sources = sources.exclude(pk=question.pk)
        self.fields["show_if_question"].queryset = sources
        self.fields["show_if_question"].label_from_instance = _question_label

    def clean_options(self):
        return parse_entries(self.cleaned_data["options"], value_length=100)

    def clean_rows(self):
        return parse_entries(self.cleaned_data["rows"], value_length=40)

    def clean_max_length(self):
        return self.cleaned_data["max_length"] or 500

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


def parse_entries(text: str, *, value_length: int) -> list[dict]:
    """Lines of “value | German | English” → [{"value", "label", "label_en"}]. A line with one
    part uses it as the German label and makes the value from it."""
    from django.utils.text import slugify

    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3:
            raise forms.ValidationError(
                _("Line %(number)s has more than three parts.") % {"number": number}
            )
        if len(parts) == 1:
            value, label, label_en = slugify(parts[0])[:value_length], parts[0], ""
        else:
            value, label = parts[0], parts[1]
            label_en = parts[2] if len(parts) == 3 else ""
        if not value or not OPTION_VALUE.match(value) or len(value) > value_length:
            raise forms.ValidationError(
                _("Line %(number)s: the value must be 1 to %(max)s letters, digits, - or _.")
                % {"number": number, "max": value_length}
            )
        if not label or len(label) > MAX_LABEL or len(label_en) > MAX_LABEL:
            raise forms.ValidationError(
                _("Line %(number)s: a label of 1 to %(max)s characters is needed.")
                % {"number": number, "max": MAX_LABEL}
            )
        entries.append({"value": value, "label": label, "label_en": label_en})
    return entries


def format_entries(entries: list[dict]) -> str:
    return "\n".join(
        " | ".join(part for part in (e["value"], e.get("label", ""), e.get("label_en", "")))
        for e in entries
    )


def initial_for(question: Question) -> dict:
    initial = {name: getattr(question, name) for name in services.QUESTION_FIELDS}
    initial["options"] = format_entries(question.options)
    initial["rows"] = format_entries(question.rows)
    initial["section"] = question.section_id
    initial["show_if_question"] = question.show_if_question_id
    initial["show_if_value"] = question.show_if_value
    return initial
