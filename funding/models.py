from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Funder(models.Model):
    """A funding body (ministry, region, EU programme); its users get read-only access."""

    class Level(models.TextChoices):
        EU = "eu", _("EU")
        FEDERAL = "federal", _("federal")
        STATE = "state", _("state")
        REGION = "region", _("region")

    name = models.CharField(_("name"), max_length=200, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("users"), blank=True, related_name="funders"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self) -> str:
        return self.name
