from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Workshops")

    def ready(self):
        from . import anonymisation, audit, home, personal_data
        from .invitations import services as invitations
        from .search import register as register_search_kinds

        audit.register()
        invitations.register_failed_mail_source()
        personal_data.register()
        anonymisation.register()
        # What the coordinators' search finds (regiolab.search).
        register_search_kinds()
        home.register()
