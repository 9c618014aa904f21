from django import forms
from django.utils.translation import gettext_lazy as _

from regiolab import uploads
from regiolab.validators import no_control_characters

from ..models import Proposal
from .services import AttachmentUpload, validate_pdf

PROPOSAL_FIELDS = ["approach", "team", "references", "cost_estimate", "timeline"]


class ProposalForm(forms.ModelForm):
    # The version the form was opened on: empty for a new proposal, so that a second one by
    # the same company (a colleague was quicker) is refused instead of overwriting theirs.
    proposal_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachment = forms.FileField(
        label=_("Attach a PDF"),
        required=False,
        help_text=_(
            "PDF only, at most 10 MB. Only your company, the coordinators and the reviewers "
            "can open it."
        ),
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    class Meta:
        model = Proposal
        fields = PROPOSAL_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 5})
            for name in ("approach", "team", "references", "timeline")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("approach", "team", "references", "timeline"):
            self.fields[name].validators.append(no_control_characters)
        if self.instance.pk:
            self.fields["proposal_id"].initial = self.instance.pk

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        validate_pdf(upload)
        name = uploads.receipt_display_name(upload.name)
        return AttachmentUpload(
            name=name if name != "receipt" else "attachment.pdf", content=upload.read()
        )

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROPOSAL_FIELDS}
