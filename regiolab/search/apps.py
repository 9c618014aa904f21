from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The coordinators' search over what the business apps register (registry.py). No models
    of its own."""

    name = "regiolab.search"
    label = "search"
    verbose_name = _("search")
