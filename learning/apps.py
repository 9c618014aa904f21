from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Learning cycles")

    def ready(self):
        from . import accounts, anonymisation, audit, home, invitations, personal_data

        audit.register()
        personal_data.register()
        anonymisation.register()
        accounts.register()
        home.register()
        invitations.register()
