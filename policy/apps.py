from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "policy"
    verbose_name = _("Policy learning")

    def ready(self):
        from . import practices
        from .feeds import display
        from .groups import setup  # noqa: F401 — group permissions, meeting publish hook
        from .newsletter import privacy
        from .plans import rules  # noqa: F401 — action plan permissions

        display.register()
        privacy.register()
        practices.register()
