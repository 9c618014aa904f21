"""The information pages (Impressum, privacy notice, accessibility statement) and the messages
sent through the accessibility statement's feedback form."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from regiolab.validators import no_markup


class SitePage(models.Model):
    """An information page whose text coordinators keep up to date (Impressum, privacy notice,
    accessibility statement). Its content is a list of sections; the parts the law fixes (the
    feedback form, the enforcement procedure) stay in the template."""

    class Key(models.TextChoices):
        IMPRINT = "imprint", _("Imprint")
        PRIVACY = "privacy", _("Privacy notice")
        ACCESSIBILITY = "accessibility", _("Accessibility statement")

    key = models.CharField(_("page"), max_length=20, choices=Key.choices, unique=True)
    updated_at = models.DateTimeField(_("last updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        # The table keeps the name it had in the core app (moved without copying rows).
        db_table = "regiolab_sitepage"
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")

    def __str__(self) -> str:
        return str(self.get_key_display())


class SitePageSection(models.Model):
    """One headed part of a SitePage: plain text in German and (optionally) English."""

    class Level(models.IntegerChoices):
        SECTION = 2, _("section")
        SUBSECTION = 3, _("subsection")

    HEADING_MAX_LENGTH = 200
    BODY_MAX_LENGTH = 20000

    page = models.ForeignKey(
        SitePage, verbose_name=_("page"), on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    level = models.PositiveSmallIntegerField(
        _("heading level"), choices=Level.choices, default=Level.SECTION
    )
    heading_de = models.CharField(
        _("heading (German)"), max_length=HEADING_MAX_LENGTH, validators=[no_markup]
    )
    heading_en = models.CharField(
        _("heading (English)"), max_length=HEADING_MAX_LENGTH, blank=True, validators=[no_markup]
    )
    body_de = models.TextField(
        _("text (German)"), max_length=BODY_MAX_LENGTH, blank=True, validators=[no_markup]
    )
    body_en = models.TextField(
        _("text (English)"), max_length=BODY_MAX_LENGTH, blank=True, validators=[no_markup]
    )

    class Meta:
        db_table = "regiolab_sitepagesection"
        ordering = ["position", "pk"]
        verbose_name = _("page section")
        verbose_name_plural = _("page sections")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=[2, 3]), name="site_page_section_level"
            )
        ]

    def __str__(self) -> str:
        return self.heading

    @property
    def heading(self) -> str:
        if (get_language() or "de").startswith("en") and self.heading_en:
            return self.heading_en
        return self.heading_de

    @property
    def body(self) -> str:
        if (get_language() or "de").startswith("en") and self.body_en:
            return self.body_en
        return self.body_de


class AccessibilityFeedback(models.Model):
    """A message sent through the accessibility statement's feedback form (§ 9b NBGG)."""

    NAME_MAX_LENGTH = 150
    PAGE_MAX_LENGTH = 500
    MESSAGE_MAX_LENGTH = 5000

    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    page_url = models.CharField(_("page concerned"), max_length=PAGE_MAX_LENGTH, blank=True)
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        db_table = "regiolab_accessibilityfeedback"
        ordering = ["-created_at"]
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.name or self.email or '–'}"
