"""Forms of the calls and challenges: a call with its review criteria, a challenge, the
coordinator's decision and the acceptance of the confidentiality terms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from regiolab.models import Topic
from regiolab.validators import no_control_characters, no_markup
from workshops.lifecycle.forms import DATETIME_LOCAL, DateTimeLocalInput
from workshops.models import Workshop

from ..models import Call, Challenge, ChallengeComment, Criterion

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

CALL_FIELDS = [
    "title",
    "title_en",
    "slug",
    "description",
    "description_en",
    "organiser",
    "funding_note",
    "funding_note_en",
    "network",
    "collecting_from",
    "published_from",
    "proposals_from",
    "proposals_until",
    "review_until",
    "follow_up_from",
    "confidentiality_terms",
    "confidentiality_terms_en",
    "terms_version",
    "anonymous_review",
    "reviewers_see_other_reviews",
]


class CallForm(forms.ModelForm):
    pitch_day = forms.DateField(
        label=_("pitch day"),
        required=False,
        widget=DATE,
        help_text=_(
            "The pitch event is created as a draft workshop on this day (after the review); "
            "the day after the review when left empty."
        ),
    )
    pitch_event = forms.ModelChoiceField(
        label=_("existing workshop as pitch event"),
        queryset=Workshop.objects.none(),
        required=False,
        help_text=_("Optional: link a workshop that already exists instead of creating one."),
    )

    class Meta:
        model = Call
        fields = CALL_FIELDS
        widgets = {
            "collecting_from": DATE,
            "published_from": DATE,
            "proposals_from": DATE,
            "proposals_until": DateTimeLocalInput(),
            "review_until": DATE,
            "follow_up_from": DATE,
            "description": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
            "confidentiality_terms": forms.Textarea(attrs={"rows": 6}),
            "confidentiality_terms_en": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "slug": _("Letters, digits and hyphens; made from the title when left empty."),
            "terms_version": _(
                "Change the version when the terms change: every provider accepts them again."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["proposals_until"].input_formats = [
            DATETIME_LOCAL,
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
        ]
        for name in ("title", "title_en", "organiser", "description", "description_en"):
            self.fields[name].validators.append(no_markup)
        for name in ("confidentiality_terms", "confidentiality_terms_en"):
            self.fields[name].validators.append(no_control_characters)
        linked = Call.objects.exclude(pk=self.instance.pk).exclude(pitch_event=None)
        self.fields["pitch_event"].queryset = Workshop.objects.exclude(
            pk__in=linked.values("pitch_event")
        ).order_by("-starts_at")
        if self.instance.pk and self.instance.pitch_event_id:
            self.fields["pitch_event"].initial = self.instance.pitch_event_id
            self.fields["pitch_event"].help_text = _("The workshop of this call's pitch event.")
            if self.instance.pitch_event:
                self.fields["pitch_day"].initial = self.instance.pitch_event.starts_at.date()


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "name_en", "description", "weight"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.append(no_markup)
        self.fields["weight"].widget.attrs.update({"min": 1, "max": 100})


CriterionFormSet = forms.inlineformset_factory(
    Call,
    Criterion,
    form=CriterionForm,
    extra=2,
    can_delete=True,
    max_num=20,
    validate_max=True,
)


CHALLENGE_FIELDS = [
    "title",
    "public_summary",
    "problem",
    "context",
    "desired_outcome",
    "constraints",
    "offer_budget",
    "offer_pilot_site",
    "offer_data",
    "offer_staff_time",
    "topics",
    "sector",
    "confidential_text",
]


class ChallengeForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Challenge
        fields = CHALLENGE_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in (
                "public_summary",
                "problem",
                "context",
                "desired_outcome",
                "constraints",
                "offer_data",
                "confidential_text",
            )
        }
        help_texts = {
            "public_summary": _("Shown to everybody on the call's public page."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in ("topics", "offer_budget", "offer_pilot_site", "sector"):
                continue
            field.validators.append(no_markup if name == "title" else no_control_characters)

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in CHALLENGE_FIELDS}


class DecisionForm(forms.Form):
    DECISIONS = [
        (ChallengeComment.Kind.COMMENT, _("comment only")),
        (ChallengeComment.Kind.REVISION, _("ask for a revision")),
        (ChallengeComment.Kind.APPROVAL, _("approve")),
    ]
    decision = forms.ChoiceField(label=_("decision"), choices=DECISIONS, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("comment to the company"),
        required=False,
        max_length=5000,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class TermsForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I accept the confidentiality terms of this call."), required=True
    )
    challenge = forms.IntegerField(required=False, widget=forms.HiddenInput)
