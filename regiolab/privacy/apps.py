from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Consents, a person's data export (Art. 15 GDPR) and anonymisation (Art. 17 GDPR); each
    business app registers what it holds of a person from its own ``AppConfig.ready()``."""

    name = "regiolab.privacy"
    label = "privacy"
    verbose_name = _("data protection")
