"""The public good-practice list's filter: a search over the texts, topic, country, region and
theme (the last three offer the values the validated practices have)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from policy.models import GoodPractice
from regiolab.models import Topic

from .countries import COUNTRIES


def _choices(name):
    def choices():
        from .selectors import filter_choices

        return filter_choices()[name]

    return choices


class PracticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        method="filter_topic",
        empty_label=_("all topics"),
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=COUNTRIES, empty_label=_("all countries")
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=_choices("region"), empty_label=_("all regions")
    )
    theme = django_filters.ChoiceFilter(
        label=_("Theme"), choices=_choices("theme"), empty_label=_("all themes")
    )

    class Meta:
        model = GoodPractice
        fields = ["q", "topic", "country", "region", "theme"]

    def filter_search(self, queryset, name, value):
        words = value.split()
        for word in words[:8]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(title_en__icontains=word)
                | Q(summary__icontains=word)
                | Q(summary_en__icontains=word)
                | Q(organisation__icontains=word)
                | Q(region__icontains=word)
                | Q(theme__icontains=word)
            )
        return queryset

    def filter_topic(self, queryset, name, value):
        # A subquery, not a join: a practice with two topics is listed once.
        through = GoodPractice.topics.through.objects.filter(topic=value)
        return queryset.filter(pk__in=through.values("goodpractice_id"))
