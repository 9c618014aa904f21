from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """The e-mail outbox: every e-mail of the portal is a row, delivered by Celery after commit,
    retried by one set of rules; addresses that unsubscribed from bulk e-mail; the coordinators'
    page of failed e-mails. The label is ``outbox`` (there is no Django app ``mail``, but the
    name would read like one)."""

    name = "regiolab.mail"
    label = "outbox"
    verbose_name = _("outbox")
