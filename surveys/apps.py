from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from .answering import home

        home.register()  # a company's open training-needs rounds on its representatives' home

        from workshops.lifecycle.services import on_publish

        from .results.demand import invite_on_publish

        on_publish(invite_on_publish)  # a demand plan's workshop published from anywhere
