"""Forms of the information pages: their sections (coordinators) and the accessibility
feedback form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from regiolab.validators import no_markup

from .models import AccessibilityFeedback, SitePage, SitePageSection
from .services import section_order

BODY_HELP = _(
    "Plain text. Leave a blank line between paragraphs; start a line with “- ” for a bullet "
    "point. Web and e-mail addresses become links. HTML is not allowed."
)


class SitePageSectionForm(forms.ModelForm):
    class Meta:
        model = SitePageSection
        fields = ["position", "level", "heading_de", "heading_en", "body_de", "body_en"]
        widgets = {
            "position": forms.NumberInput(attrs={"min": 0, "max": 999}),
            "body_de": forms.Textarea(attrs={"rows": 8}),
            "body_en": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "position": _("Sections are shown in this order."),
            "level": _("A subsection belongs to the section above it."),
            "heading_en": _("Left empty, the English page shows the German heading."),
            "body_de": BODY_HELP,
            "body_en": _("Left empty, the English page shows the German text."),
        }
        error_messages = {
            "heading_de": {"required": _("Every section needs a German heading.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        # Left empty, a new section goes to the end (and an untouched extra form is unchanged).
        self.fields["position"].initial = None
        if self.instance.pk is None:
            self.initial.pop("position", None)


class BaseSitePageSectionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not (self.can_delete and self._should_delete_form(form))
        ]
        if not kept:
            raise ValidationError(_("A page needs at least one section."), code="empty")
        first = min(
            kept, key=lambda f: section_order(f.cleaned_data.get("position"), f.instance.pk)
        )
        if first.cleaned_data.get("level") != SitePageSection.Level.SECTION:
            raise ValidationError(
                _("The first section must be a section, not a subsection (heading order)."),
                code="heading_order",
            )


SitePageSectionFormSet = forms.inlineformset_factory(
    SitePage,
    SitePageSection,
    form=SitePageSectionForm,
    formset=BaseSitePageSectionFormSet,
    extra=1,
    can_delete=True,
    max_num=60,
    validate_max=True,
)


class AccessibilityFeedbackForm(forms.Form):
    """The feedback mechanism of the accessibility statement (§ 9b Abs. 2 Nr. 2 NBGG)."""

    name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=AccessibilityFeedback.NAME_MAX_LENGTH,
        validators=[no_markup],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        max_length=254,
        help_text=_("Only if you would like an answer. We send you a confirmation."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    page_url = forms.CharField(
        label=_("Page concerned (optional)"),
        required=False,
        max_length=AccessibilityFeedback.PAGE_MAX_LENGTH,
        validators=[no_markup],
        help_text=_("The address or the title of the page, e.g. /workshops/."),
    )
    # No markup check here: people reporting a barrier may quote code ("<button> has no
    # label"); the text is only ever shown escaped.
    message = forms.CharField(
        label=_("Your message"),
        max_length=AccessibilityFeedback.MESSAGE_MAX_LENGTH,
        help_text=_("Which barrier did you meet, or which content do you need in another form?"),
        error_messages={"required": _("Please describe the barrier or your question.")},
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # Honeypot: hidden from people by CSS (and from screen readers); bots fill in every field.
    homepage = forms.CharField(
        label=_("Please leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("homepage"))

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise ValidationError(_("Please describe the barrier or your question."))
        return message
