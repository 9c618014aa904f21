from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy.feeds.selectors import upcoming_partner_events
from policy.models import Newsletter, PartnerEvent
from workshops.models import Workshop
from workshops.selectors import published_upcoming_workshops

from . import services


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    consent = forms.BooleanField(label=services.CONSENT_TEXT, required=True)


class _Choice(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class WorkshopChoice(_Choice):
    def label_from_instance(self, obj):
        return f"{timezone.localtime(obj.starts_at):%d.%m.%Y %H:%M} – {obj.title}"


class PartnerEventChoice(_Choice):
    def label_from_instance(self, obj):
        return f"{timezone.localtime(obj.starts_at):%d.%m.%Y %H:%M} – {obj.title} ({obj.feed})"


class NewsletterForm(forms.ModelForm):
    workshops = WorkshopChoice(
        label=_("Workshops"), queryset=Workshop.objects.none(), required=False
    )
    partner_events = PartnerEventChoice(
        label=_("Partner events"), queryset=PartnerEvent.objects.none(), required=False
    )

    class Meta:
        model = Newsletter
        fields = ["subject", "intro"]
        help_texts = {"intro": _("A few sentences before the list of events.")}

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        now = now or timezone.now()
        self.fields["workshops"].queryset = published_upcoming_workshops()
        self.fields["partner_events"].queryset = PartnerEvent.objects.filter(
            pk__in=[e.pk for e in upcoming_partner_events(now=now)]
        ).select_related("feed")
        if self.instance.pk:
            self.initial["workshops"] = list(self.instance.workshops.values_list("pk", flat=True))
            self.initial["partner_events"] = list(
                self.instance.partner_events.values_list("pk", flat=True)
            )
        else:
            workshops, events = services.prefill(now=now)
            self.initial["workshops"] = [w.pk for w in workshops]
            self.initial["partner_events"] = [e.pk for e in events]
