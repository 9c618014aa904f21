"""Core models shared by every business app: the topic vocabulary. (The outbox's models are in
regiolab/mail/models.py.)"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """A training or focus topic (digitalisation, robotics, 3D printing, …).

    A small model rather than an ArrayField so the embedded SQLite default works too.
    """

    slug = models.SlugField(_("key"), max_length=60, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        ordering = ["name_de"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "de").startswith("en") and self.name_en:
            return self.name_en
        return self.name_de
