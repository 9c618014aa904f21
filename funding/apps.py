from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        from . import anonymisation, audit, home, personal_data

        audit.register()
        personal_data.register()
        anonymisation.register()
        home.register()
