"""The public network list's filter: focus topic and sector."""

import django_filters
from django.utils.translation import gettext_lazy as _

from companies.models import Sector
from regiolab.models import Topic

from .models import TrainingNetwork


class NetworkFilter(django_filters.FilterSet):
    topic = django_filters.ModelChoiceFilter(
        label=_("Focus topic"),
        queryset=Topic.objects.all(),
        method="filter_topic",
        empty_label=_("all topics"),
    )
    sector_focus = django_filters.ChoiceFilter(
        label=_("Sector"), choices=Sector.choices, empty_label=_("all sectors")
    )

    class Meta:
        model = TrainingNetwork
        fields = ["topic", "sector_focus"]

    def filter_topic(self, queryset, name, value):
        # A subquery, not a join, so the member count annotation is not multiplied.
        through = TrainingNetwork.topics.through.objects.filter(topic=value)
        return queryset.filter(pk__in=through.values("trainingnetwork_id"))
