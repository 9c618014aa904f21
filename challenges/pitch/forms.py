"""Forms of the pitch day; the rules live in challenges.pitch.services."""

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from workshops.lifecycle.forms import DATETIME_LOCAL, DateTimeLocalInput

from ..models import Match
from . import selectors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SlotsForm(forms.Form):
    start = forms.DateTimeField(
        label=_("First meeting round starts"),
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL],
    )
    slot_minutes = forms.IntegerField(
        label=_("Minutes per meeting"), min_value=5, max_value=180, initial=15
    )
    rounds = forms.IntegerField(label=_("Number of rounds"), min_value=1, max_value=40, initial=6)
    tables = forms.IntegerField(label=_("Number of tables"), min_value=1, max_value=60, initial=5)


class ProposalChoice(forms.ModelChoiceField):
    def label_from_instance(self, proposal):
        return f"{proposal.challenge.title} ({proposal.challenge.company.name}) – {proposal.company.name}"


class SlotChoice(forms.ModelChoiceField):
    def label_from_instance(self, slot):
        when = formats.date_format(timezone.localtime(slot.starts_at), "SHORT_DATETIME_FORMAT")
        label = f"{when}, {slot.table}"
        if getattr(slot, "taken", False):
            return _("%(slot)s – taken") % {"slot": label}
        return label


class MeetingRequestForm(forms.Form):
    proposal = ProposalChoice(
        label=_("Meet about"),
        queryset=None,
        help_text=_("A challenge of your company and a shortlisted provider, or your proposal."),
    )
    slot = SlotChoice(
        label=_("Slot"), queryset=None, required=False, empty_label=_("any free slot")
    )

    def __init__(self, *args, user, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = selectors.proposals_to_meet(user, call)
        # Taken slots stay choosable: the service refuses them with a clear message.
        self.fields["slot"].queryset = selectors.slots_for_choice(call)


class MatchNoteForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Match.Status.choices)
    date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    text = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
