"""Forms of the coordinators' participants page: a walk-in, a move, the bulk selection."""

from django import forms
from django.utils.translation import gettext_lazy as _

from regiolab.validators import single_line

from ..models import Registration, Workshop
from ..registration import services


class WalkInForm(forms.Form):
    """A person added on the spot. The e-mail address is required: the confirmation, a later
    change and the certificate reach the person by e-mail, and it keeps one registration per
    person (people without an address sign the signature sheet's blank rows)."""

    first_name = forms.CharField(label=_("First name"), max_length=100, validators=[single_line])
    last_name = forms.CharField(label=_("Last name"), max_length=100, validators=[single_line])
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("The confirmation and later the certificate are sent to this address."),
    )
    company_name = forms.CharField(
        label=_("Company"), max_length=200, required=False, validators=[single_line]
    )
    language = forms.ChoiceField(
        label=_("Language of the e-mails"), choices=Workshop.Language.choices, initial="de"
    )
    over_capacity = forms.BooleanField(
        label=_("Over capacity: confirm this person even if all places are taken"),
        required=False,
        help_text=_(
            "Only with this choice is a person confirmed beyond the number of places; "
            "the portal records who chose it and when."
        ),
    )

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class MoveForm(forms.Form):
    to_workshop = forms.ModelChoiceField(
        label=_("Move to workshop"),
        queryset=Workshop.objects.none(),
        empty_label=_("Choose a workshop"),
    )

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_workshop"]
        field.queryset = services.move_targets(workshop)
        field.label_from_instance = self.label

    @staticmethod
    def label(workshop: Workshop) -> str:
        from django.utils import timezone
        from django.utils.formats import date_format

        start = date_format(timezone.localtime(workshop.starts_at), "SHORT_DATETIME_FORMAT")
        left = _("%(left)s of %(capacity)s places free") % {
            "left": workshop.places_left,
            "capacity": workshop.capacity,
        }
        return f"{workshop.display_title} – {start} ({left})"


BULK_ACTIONS = (
    ("attended", _("Mark attended")),
    ("no_show", _("Mark no-show")),
    ("cancel", _("Cancel registrations")),
    ("export_csv", _("Export CSV")),
    ("export_xlsx", _("Export Excel (XLSX)")),
    ("email", _("Write an e-mail")),
)


class BulkForm(forms.Form):
    """The rows ticked on the participants page and the action chosen for them."""

    action = forms.ChoiceField(choices=BULK_ACTIONS)
    registrations = forms.ModelMultipleChoiceField(
        queryset=Registration.objects.none(),
        error_messages={
            "required": _("Please select at least one person."),
            "invalid_choice": _("A selected person is not registered for this workshop."),
            "invalid_pk_value": _("A selected person is not registered for this workshop."),
        },
    )

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registrations"].queryset = Registration.objects.filter(
            workshop=workshop
        ).select_related("company")
