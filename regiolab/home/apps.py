from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """Each signed-in role's home at ``/``: the sections the apps register for that role.

    The core contributes its own (failed e-mails, data-protection requests) here; each business
    app registers its sections from its ``AppConfig.ready()`` (``<app>/home.py``), so the core
    never imports a business app."""

    name = "regiolab.home"
    label = "home"
    verbose_name = _("home")

    def ready(self):
        from . import core_sections

        core_sections.register()
