from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The information pages (Impressum, privacy notice, accessibility statement) and the
    accessibility feedback."""

    name = "regiolab.pages"
    label = "pages"
    verbose_name = _("information pages")
