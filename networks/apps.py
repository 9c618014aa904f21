from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    name = "networks"
    verbose_name = _("Training networks")

    def ready(self):
        from . import anonymisation, audit, home, personal_data

        audit.register()
        personal_data.register()
        anonymisation.register()
        home.register()
