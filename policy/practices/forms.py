"""The coordinators' forms: a practice (German and English texts), its linked portal figures
(a formset) and a transfer."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from funding.models import Grant
from policy import figures as portal_figures
from policy.models import GoodPractice, PracticeFigure, Transfer
from regiolab.models import Topic
from regiolab.text import german_slug

from .countries import COUNTRIES
from .services import RESERVED_SLUGS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCOPE_LABELS = {
    "grant": _("grant"),
    "topic": _("topic"),
    "network": _("network"),
    "call": _("call"),
}


class PracticeForm(forms.ModelForm):
    country = forms.ChoiceField(
        label=capfirst(_("country")), choices=[("", "---------"), *COUNTRIES]
    )
    topics = forms.ModelMultipleChoiceField(
        label=capfirst(_("topics")),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    company = forms.ModelChoiceField(
        label=capfirst(_("organisation in the portal")),
        queryset=Company.objects.order_by("name").only("pk", "name"),
        required=False,
        help_text=_("Optional: link the organisation when it is a company in the portal."),
    )

    class Meta:
        model = GoodPractice
        fields = [
            "title",
            "title_en",
            "slug",
            "summary",
            "summary_en",
            "description",
            "description_en",
            "region",
            "country",
            "organisation",
            "company",
            "topics",
            "theme",
            "period_start",
            "period_end",
            "resources",
            "resources_en",
            "evidence",
            "evidence_en",
            "contact_name",
            "contact_email",
        ]
        widgets = {
            "period_start": DATE,
            "period_end": DATE,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "slug": _("Letters, digits and hyphens; left empty, it is made from the title."),
            "evidence": _(
                "What shows the practice works, in your words. Figures from the portal can be "
                "linked below; they are computed live."
            ),
            "theme": _("For example: open innovation, innovation lab, skills."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["organisation"].required = False

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                _("This short name is reserved for a page of the library; choose another.")
            )
        return slug

    def clean(self):
        data = super().clean()
        if not data.get("organisation") and not data.get("company"):
            self.add_error(
                "organisation",
                _("Name the organisation behind the practice, or choose it from the portal."),
            )
        elif not data.get("organisation"):
            data["organisation"] = data["company"].name
            self.instance.organisation = data["organisation"]
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end cannot be before the start."))
        if not data.get("slug") and data.get("title"):
            data["slug"] = self._free_slug(data["title"])
            self.instance.slug = data["slug"]
        return data

    def _free_slug(self, title: str) -> str:
        base = (german_slug(title) or "praxis")[:100]
        if base in RESERVED_SLUGS:
            base = f"{base}-praxis"
        taken = set(
            GoodPractice.objects.filter(slug__startswith=base)
            .exclude(pk=self.instance.pk)
            .values_list("slug", flat=True)
        )
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        return slug


class FigureForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label=capfirst(_("figure")), choices=lambda: [("", "---------"), *portal_figures.choices()]
    )
    grant = forms.ModelChoiceField(
        label=capfirst(_("grant")),
        queryset=Grant.objects.order_by("reference").only("pk", "reference", "title"),
        required=False,
    )

    class Meta:
        model = PracticeFigure
        fields = ["kind", "grant", "call", "network", "topic", "since", "until"]
        labels = {
            "call": capfirst(_("call")),
            "network": capfirst(_("network")),
            "topic": capfirst(_("topic")),
            "since": capfirst(_("from")),
            "until": capfirst(_("until")),
        }
        widgets = {"since": DATE, "until": DATE}
        help_texts = {
            "kind": _(
                "Workshops, participants and companies can be narrowed to a topic and a network; "
                "money spent needs a grant; challenges matched a call or a topic."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grant"].label_from_instance = lambda g: f"{g.reference} – {g.title}"

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        takes = portal_figures.figure(kind).scope
        for name, label in SCOPE_LABELS.items():
            if data.get(name) and f"{name}_id" not in takes:
                self.add_error(
                    name,
                    _("This figure cannot be narrowed to a %(part)s; leave it empty.")
                    % {"part": label},
                )
        if kind == PracticeFigure.Kind.GRANT_SPENT and not data.get("grant"):
            self.add_error("grant", _("Choose the grant whose spending is shown."))
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end cannot be before the start."))
        return data


FigureFormSet = forms.inlineformset_factory(
    GoodPractice,
    PracticeFigure,
    form=FigureForm,
    extra=2,
    max_num=12,
    can_delete=True,
)


class TransferForm(forms.ModelForm):
    class Meta:
        model = Transfer
        fields = [
            "from_region",
            "to_region",
            "partner",
            "status",
            "started_on",
            "status_changed_on",
            "notes",
        ]
        widgets = {
            "started_on": DATE,
            "status_changed_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "partner": _("The organisation adopting the practice."),
            "status_changed_on": _("Moved to today when the status changes, unless you set it."),
        }
