from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = _("Open Innovation Challenge")

    def ready(self) -> None:
        from . import review
        from .calls import rules, tasks  # noqa: F401
        from .pitch import registry  # noqa: F401 — the pitch day's permissions and audit
        from .proposals import rules as proposal_rules  # noqa: F401

        review.register()
