"""Forms of the action plans; the rules live in policy.plans.services and .monitoring."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.models import Indicator as GrantIndicator
from funding.selectors import grants_visible_to
from policy.models import Action, ActionIndicator, ActionPlan, GoodPractice, IndicatorValue

from .services import GRANT_NOT_VISIBLE

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.ModelForm):
    practices = forms.ModelMultipleChoiceField(
        label=_("good practices it builds on"),
        queryset=GoodPractice.objects.order_by("title", "pk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ActionPlan
        fields = ["title", "region", "period_start", "period_end", "group", "practices"]
        widgets = {"period_start": DATE, "period_end": DATE}


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "title", "description", "status", "responsible", "responsible_text", "players",
            "starts_on", "ends_on", "estimated_cost", "grant", "funding_text",
        ]  # fmt: skip
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "players": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        grant = self.fields["grant"]
        grant.queryset = grants_visible_to(user).order_by("reference")
        grant.error_messages["invalid_choice"] = GRANT_NOT_VISIBLE
        self.fields["responsible"].queryset = self.fields["responsible"].queryset.order_by(
            "name", "pk"
        )


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = ActionIndicator
        fields = ["name", "unit", "target", "source", "grant_indicator", "topic", "network"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["grant_indicator"]
        field.label = _("indicator of a grant")
        field.queryset = (
            GrantIndicator.objects.filter(grant__in=grants_visible_to(user))
            .select_related("grant")
            .order_by("grant__reference", "code")
        )
        field.error_messages["invalid_choice"] = GRANT_NOT_VISIBLE
        field.label_from_instance = lambda i: f"{i.grant.reference}: {i.get_code_display()}"
        self.fields["topic"].label = _("topic (for workshops held, challenges matched)")
        self.fields["network"].label = _("network (for workshops held, companies reached)")


class ValueForm(forms.ModelForm):
    class Meta:
        model = IndicatorValue
        fields = ["value", "measured_on"]
        widgets = {"measured_on": DATE}


class MonitoringForm(forms.Form):
    period_start = forms.DateField(label=_("from"), widget=DATE)
    period_end = forms.DateField(label=_("until"), widget=DATE)

    def __init__(self, *args, actions, narratives=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = actions
        for action in actions:
            self.fields[f"narrative_{action.pk}"] = forms.CharField(
                label=_("Narrative: %(title)s") % {"title": action.title},
                required=False,
                initial=(narratives or {}).get(action.pk, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def narratives(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data.get(f"narrative_{a.pk}", "") for a in self.actions}
