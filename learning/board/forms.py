"""The coordinators' small form per finding: its tags and the earlier finding it continues."""

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import selectors
from .services import clean_tag_names


class EarlierFindingField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _("Cycle %(number)s · %(organisation)s · %(section)s: %(text)s") % {
            "number": obj.report.cycle.number,
            "organisation": obj.report.organisation.company.name,
            "section": obj.get_section_display(),
            "text": Truncator(" ".join(obj.text.split())).chars(90),
        }


class FindingForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_tags = forms.CharField(
        label=_("New tags"),
        required=False,
        max_length=700,
        help_text=_("Separate several with commas, e.g. “skilled workers, apprenticeships”."),
    )
    follows = EarlierFindingField(
        label=_("Continues the finding"),
        queryset=None,
        required=False,
        empty_label=_("– a new finding, continues none –"),
        help_text=_("An obstacle or opportunity of an earlier cycle that this one carries on."),
    )

    def __init__(self, *args, item, **kwargs):
        initial = {"tags": list(item.tags.all()), "follows": item.follows_id}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["tags"].queryset = selectors.programme_tags(
            programme=item.report.cycle.programme_id
        )
        self.fields["follows"].queryset = selectors.earlier_findings(item=item)
        if not self.fields["tags"].queryset.exists():
            self.fields["tags"].widget = forms.MultipleHiddenInput()

    def clean_new_tags(self) -> list[str]:
        return clean_tag_names(self.cleaned_data.get("new_tags", ""))

    def service_fields(self) -> dict:
        return {
            "tags": self.cleaned_data["tags"],
            "new_tags": self.cleaned_data["new_tags"],
            "follows": self.cleaned_data["follows"],
        }
