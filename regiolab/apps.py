from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegiolabConfig(AppConfig):
    name = "regiolab"
    verbose_name = _("regioLab core")

    def ready(self):
        from allauth.mfa.signals import authenticator_added

        from . import caching, collation
        from .mfa import spend_activation_code

        # Every write moves the versions of the cached values that read its table.
        caching.install()
        # SQLite connections get the accent-free comparison and German sorting (PostgreSQL has
        # them from migration 0009).
        collation.install()

        authenticator_added.connect(
            lambda sender, request, authenticator, **kwargs: spend_activation_code(
                request=request, authenticator=authenticator
            ),
            weak=False,
            dispatch_uid="regiolab.mfa.spend_activation_code",
        )
