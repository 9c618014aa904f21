"""Forms validate input; the services in companies.services do the writing."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from regiolab.models import Topic
from regiolab.validators import no_markup

from .models import MUNICIPALITIES, AssociatedEnterprise, Company, CompanyMember, Consultation
from .services import EDITABLE_FIELDS

_TEXT_FIELDS = ("name", "legal_form", "register_number", "street", "city", "sector_code")
postcode_validator = RegexValidator(
    r"^\d{5}$", _("Please enter a German postcode of five digits."), code="postcode"
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CompanyForm(forms.ModelForm):
    municipality = forms.ChoiceField(
        label=capfirst(_("municipality")),
        required=False,
        choices=[("", "---------"), *[(m, m) for m in MUNICIPALITIES]],
    )
    website = forms.URLField(
        label=capfirst(_("website")), required=False, max_length=200, assume_scheme="https"
    )
    training_needs = forms.ModelMultipleChoiceField(
        label=capfirst(_("training needs")),
        queryset=Topic.objects.order_by("name_de"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Company
        fields = [*EDITABLE_FIELDS, "training_needs"]
        help_texts = {
            "headcount": _("Annual work units: full-time staff count 1, part-time staff pro rata."),
            "annual_turnover": _(
                "Of the last closed financial year. With the balance-sheet total it decides the "
                "EU size class."
            ),
            "enterprise_type": _(
                "Partner and linked enterprises' figures count towards the size class; enter "
                "them on the edit page."
            ),
            "website": _("Starting with https://"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in _TEXT_FIELDS:
            self.fields[name].validators.append(no_markup)
        self.fields["postcode"].validators.append(postcode_validator)
        self.fields["website"].widget.attrs["placeholder"] = "https://"

    def service_fields(self) -> dict:
        """The cleaned profile fields and training needs as the services take them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AssociatedEnterpriseForm(forms.ModelForm):
    class Meta:
        model = AssociatedEnterprise
        fields = [
            "name",
            "relation",
            "share_percent",
            "headcount",
            "annual_turnover",
            "balance_sheet_total",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.append(no_markup)


AssociatedEnterpriseFormSet = forms.inlineformset_factory(
    Company,
    AssociatedEnterprise,
    form=AssociatedEnterpriseForm,
    extra=1,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


class JoinSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Company name"),
        min_length=2,
        max_length=100,
        validators=[no_markup],
        help_text=_("At least two letters of the name."),
    )


class JoinRequestForm(forms.Form):
    company = forms.ModelChoiceField(queryset=Company.objects.all(), widget=forms.HiddenInput)


class InviteColleagueForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail address"), max_length=254)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=CompanyMember.Role.choices)


class ConsultationForm(forms.ModelForm):
    subjects = forms.MultipleChoiceField(
        label=_("topics"),
        choices=Consultation.Subject.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Consultation
        fields = ["date", "channel", "subjects", "minutes", "follow_up_on"]
        widgets = {"date": DateInput(), "follow_up_on": DateInput()}
        help_texts = {"follow_up_on": _("Leave empty when no follow-up is needed.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minutes"].validators.append(no_markup)

    # "Follow-up not before the consultation" is Consultation.clean(), run by the ModelForm.
