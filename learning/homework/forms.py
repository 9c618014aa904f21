"""Forms of the homework pages: a task, an answer with its attachment, the feedback of a
returned answer, and the cycle report's items (one formset per section)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from regiolab import uploads
from regiolab.validators import no_control_characters, single_line

from ..models import ReportItem, Task
from . import services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "instructions", "due_date", "assignee"]
        widgets = {
            "due_date": DATE,
            "assignee": forms.RadioSelect,
            "instructions": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].required = False
        self.fields["due_date"].help_text = _(
            "Left empty: %(date)s, the day before the next learning workshop."
        ) % {"date": services.default_due_date(cycle).strftime("%d.%m.%Y")}
        if not self.instance.pk:
            self.initial.setdefault("due_date", services.default_due_date(cycle))
        self.fields["instructions"].validators.append(no_control_characters)


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=20_000,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    attachment = forms.FileField(
        label=_("Attach a file"),
        required=False,
        help_text=_(
            "PDF, Word (.docx), Excel (.xlsx), PNG or JPEG, at most 10 MB. Only your "
            "organisation and the coordinators can open it."
        ),
        widget=forms.FileInput(
            attrs={
                "accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        extension, content_type = uploads.validate_attachment_upload(upload)
        name = uploads.receipt_display_name(upload.name)
        return services.AttachmentUpload(
            name=name if name != "receipt" else f"attachment.{extension}",
            content=upload.read(),
            extension=extension,
            content_type=content_type,
        )


class ReturnForm(forms.Form):
    feedback = forms.CharField(
        label=_("Feedback: what should be revised"),
        max_length=5_000,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 5}),
    )


# --- the cycle report ------------------------------------------------------------------------

MAX_FORMS = services.MAX_ITEMS_PER_SECTION + 5


class ItemForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=5_000,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
        validators=[single_line],
        help_text=_("Separated by commas, e.g. apprenticeships, digital skills."),
    )

    def __init__(self, *args, section: str, follows_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        # Only where there is an earlier finding of the organisation to continue.
        if section in services.FINDING_SECTIONS and follows_choices:
            self.fields["follows"] = forms.TypedChoiceField(
                label=_("Continues the finding"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("– a new finding –")), *follows_choices],
            )
            self.fields["resolved"] = forms.BooleanField(
                label=_("Resolved in this cycle"), required=False
            )
        if self.initial.get("id"):
            self.fields["remove"] = forms.BooleanField(label=_("Remove"), required=False)

    def clean_tags(self):
        names = [name.strip() for name in self.cleaned_data["tags"].split(",")]
        names = [name for name in names if name]
        if any(len(name) > 60 for name in names):
            raise ValidationError(_("A tag may be at most 60 characters long."))
        if len(names) > services.MAX_TAGS_PER_ITEM:
            raise ValidationError(
                _("An item may have at most %(max)s tags.") % {"max": services.MAX_TAGS_PER_ITEM}
            )
        return names

    def item_input(self) -> services.ItemInput | None:
        data = self.cleaned_data
        if not data.get("id") and not (data.get("text") or "").strip():
            return None  # a blank row
        return services.ItemInput(
            id=data.get("id"),
            section=self.section,
            text=data.get("text") or "",
            tags=data.get("tags") or [],
            follows_id=data.get("follows"),
            resolved=bool(data.get("resolved")),
            delete=bool(data.get("remove")),
        )


class BaseItemFormSet(forms.BaseFormSet):
    def __init__(self, *args, section: str, follows_choices=(), **kwargs):
        self.section = section
        self.follows_choices = follows_choices
        super().__init__(*args, prefix=section, **kwargs)

    def get_form_kwargs(self, index):
        return {"section": self.section, "follows_choices": self.follows_choices}


ItemFormSet = forms.formset_factory(
    ItemForm,
    formset=BaseItemFormSet,
    extra=2,
    max_num=services.MAX_ITEMS_PER_SECTION,
    validate_max=True,
    absolute_max=MAX_FORMS,
)


def follows_choices(findings) -> list[tuple[int, str]]:
    return [
        (
            item.pk,
            _("Cycle %(number)s · %(section)s: %(text)s")
            % {
                "number": item.report.cycle.number,
                "section": item.get_section_display(),
                "text": Truncator(item.text).chars(80),
            },
        )
        for item in findings
    ]


class ReportForm:
    """The four sections' formsets as one form."""

    def __init__(self, data=None, *, report, findings):
        choices = follows_choices(findings)
        items = list(report.items.all()) if report is not None else []
        self.sections = []
        for section, label in ReportItem.Section.choices:
            initial = [
                {
                    "id": item.pk,
                    "text": item.text,
                    "tags": ", ".join(tag.name for tag in item.tags.all()),
                    "follows": item.follows_id,
                    "resolved": item.resolved,
                }
                for item in items
                if item.section == section
            ]
            formset = ItemFormSet(
                data,
                initial=initial,
                section=section,
                follows_choices=choices if section in services.FINDING_SECTIONS else (),
            )
            self.sections.append((section, label, formset))
        self.service_errors: list[str] = []

    def add_service_errors(self, exc) -> None:
        """A refusal of the whole report: shown above the sections (regiolab.forms)."""
        self.service_errors = exc.messages

    def is_valid(self) -> bool:
        return all(formset.is_valid() for _s, _l, formset in self.sections)

    def item_inputs(self) -> list[services.ItemInput]:
        inputs = []
        for _section, _label, formset in self.sections:
            for form in formset.forms:
                entry = form.item_input()
                if entry is not None:
                    inputs.append(entry)
        return inputs

    @property
    def errors(self) -> bool:
        return any(formset.total_error_count() for _s, _l, formset in self.sections)
