from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from policy.models import PartnerFeed

from . import fetching


class PartnerFeedForm(forms.ModelForm):
    partner_url = forms.URLField(
        label=_("partner's website"), required=False, max_length=200, assume_scheme="https"
    )
    url = forms.URLField(
        label=_("calendar address (iCalendar)"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "The partner's public calendar address (iCalendar, .ics), starting with "
            "https:// or http://."
        ),
    )

    class Meta:
        model = PartnerFeed
        fields = ["partner_name", "partner_url", "url", "active"]
        help_texts = {
            "active": _("Upcoming events are imported every hour and shown on the portal."),
        }

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            fetching.check_url(url)
        except fetching.FetchError as exc:
            raise ValidationError(str(exc), code="feed_url") from exc
        return url

    def clean_partner_url(self):
        url = self.cleaned_data.get("partner_url", "")
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Only http:// and https:// addresses are accepted."))
        return url
