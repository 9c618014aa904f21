from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegiolabConfig(AppConfig):
    name = "regiolab"
    verbose_name = _("regioLab core")
