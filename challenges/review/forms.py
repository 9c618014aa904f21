from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Proposal
from . import conflicts as coi
from .services import DEFAULT_REVIEWERS_PER_PROPOSAL

SCORE_ERRORS = {
    "required": _("Give a score from 1 to 5."),
    "invalid": _("Give a score from 1 to 5."),
    "min_value": _("A score must be between 1 and 5."),
    "max_value": _("A score must be between 1 and 5."),
}


class ReviewerForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)


class BalancedForm(forms.Form):
    per_proposal = forms.IntegerField(
        label=_("Reviewers per proposal"),
        min_value=1,
        max_value=10,
        initial=DEFAULT_REVIEWERS_PER_PROPOSAL,
    )


class AssignForm(forms.Form):
    reviewer = forms.TypedChoiceField(label=_("Reviewer"), coerce=int)
    override_reason = forms.CharField(
        label=_("Reason for assigning despite a conflict of interest"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required only when the reviewer has a conflict of interest."),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [
            (
                reviewer.user_id,
                str(reviewer.user.get_full_name() or reviewer.user.email)
                + (f" ({'; '.join(coi.label(c) for c in found)})" if found else ""),
            )
            for reviewer, found in choices
        ]


class ReviewForm(forms.Form):
    """One score (1–5) and a comment per criterion, and a comment on the whole proposal."""

    comment = forms.CharField(
        label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, criteria=(), review=None, **kwargs):
        initial = {}
        if review is not None:
            initial["comment"] = review.comment
            for score in review.scores.all():
                initial[f"score_{score.criterion_id}"] = score.score
                initial[f"note_{score.criterion_id}"] = score.comment
        super().__init__(*args, initial=initial, **kwargs)
        self.criteria = list(criteria)
        fields = {}
        for criterion in self.criteria:
            fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("%(criterion)s (weight %(weight)s): score 1–5")
                % {"criterion": criterion.name, "weight": criterion.weight},
                min_value=1,
                max_value=5,
                help_text=criterion.description,
                error_messages=SCORE_ERRORS,
                widget=forms.NumberInput(attrs={"min": 1, "max": 5, "step": 1}),
            )
            fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Comment on %(criterion)s") % {"criterion": criterion.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        comment = self.fields.pop("comment")
        self.fields.update(fields)
        self.fields["comment"] = comment

    def scores(self) -> dict:
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data[f"note_{c.pk}"])
            for c in self.criteria
        }


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Proposal.Status.SUBMITTED, _("not decided yet")),
            (Proposal.Status.SHORTLISTED, _("shortlisted: invited to pitch")),
            (Proposal.Status.NOT_SELECTED, _("not selected")),
        ],
    )
    feedback = forms.CharField(
        label=_("Feedback to the proposer (optional, sent with the decision)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
