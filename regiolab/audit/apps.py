from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The change history (django-auditlog): what each app registers, read back per object and
    scrubbed on request. No models of its own; the entries are auditlog's."""

    name = "regiolab.audit"
    label = "audit"
    verbose_name = _("change history")
