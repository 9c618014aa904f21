"""Forms of the results page: a tool or recommendation, and the final report's request."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy as pgettext

from regiolab.validators import no_control_characters

from ..models import ResultSection

BODY_MAX_LENGTH = 20_000  # a few printed pages; longer text belongs in an attachment


class ResultSectionForm(forms.ModelForm):
    position = forms.IntegerField(
        label=pgettext("learning results", "Order"),
        required=False,
        min_value=0,
        max_value=999,
        help_text=_("Smaller numbers come first; left empty, the section goes last."),
    )

    class Meta:
        model = ResultSection
        fields = ["kind", "title", "body", "title_en", "body_en", "position"]
        widgets = {
            "kind": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 8}),
            "body_en": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "title_en": _("Optional: shown in English and in an English final report."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("body", "body_en"):
            field = self.fields[name]
            field.max_length = BODY_MAX_LENGTH
            field.widget.attrs["maxlength"] = BODY_MAX_LENGTH
            field.validators += [
                forms.fields.validators.MaxLengthValidator(BODY_MAX_LENGTH),
                no_control_characters,
            ]

    def clean(self):
        data = super().clean()
        if data.get("body_en") and not data.get("title_en"):
            self.add_error("title_en", _("Give the English text an English title too."))
        return data


class FinalReportRequestForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=[("de", _("German")), ("en", _("English"))],
        initial="de",
        widget=forms.RadioSelect,
    )
