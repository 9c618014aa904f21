"""The compose form of a coordinator's e-mail to participants."""

from django import forms
from django.utils.translation import gettext_lazy as _

from regiolab.validators import no_control_characters, single_line

from .services import GROUP_LABELS, GROUPS

MAX_TEXT = 10_000


class ParticipantMessageForm(forms.Form):
    group = forms.ChoiceField(
        label=_("Write to"),
        choices=[(key, GROUP_LABELS[key]) for key in GROUPS],
        widget=forms.RadioSelect,
        required=False,
        initial="all",
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        validators=[single_line],
        error_messages={"required": _("Please enter a subject.")},
    )
    text = forms.CharField(
        label=_("Text of the message"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 10}),
        validators=[no_control_characters],
        help_text=_(
            "Plain text. Each person is greeted by name; the workshop's date, place and link"
            " are added below your text."
        ),
        error_messages={"required": _("Please enter the text of the message.")},
    )

    def clean_group(self):
        return self.cleaned_data.get("group") or "all"
