from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = _("Companies")

    def ready(self):
        from . import anonymisation, audit, home, personal_data
        from .search import register as register_search_kinds

        audit.register()
        personal_data.register()
        anonymisation.register()
        # What the coordinators' search finds (regiolab.search).
        register_search_kinds()
        home.register()
