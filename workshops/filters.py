"""Filters of the public workshop list."""

from datetime import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from networks.models import TrainingNetwork
from regiolab.models import Topic

from .models import Workshop
from .selectors import with_places_left

MONTHS_AHEAD = 12


def _month_start(year: int, month: int) -> datetime:
    return timezone.make_aware(datetime(year, month, 1))


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_choices() -> list[tuple[str, str]]:
    """The coming months as ("2026-11", "November 2026")."""
    today = timezone.localdate()
    year, month = today.year, today.month
    choices = []
    for _index in range(MONTHS_AHEAD):
        label = date_format(datetime(year, month, 1), "F Y")
        choices.append((f"{year:04d}-{month:02d}", label))
        year, month = _next_month(year, month)
    return choices


class WorkshopFilter(django_filters.FilterSet):
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        field_name="topics",
        queryset=Topic.objects.all(),
        empty_label=_("all topics"),
    )
    network = django_filters.ModelChoiceFilter(
        label=_("Network"),
        queryset=TrainingNetwork.objects.only("name").order_by("name"),
        empty_label=_("all networks"),
    )
    format = django_filters.ChoiceFilter(
        label=_("Format"), choices=Workshop.Format.choices, empty_label=_("all formats")
    )
    month = django_filters.ChoiceFilter(
        label=_("Month"), choices=month_choices, method="in_month", empty_label=_("any month")
    )
    places_left = django_filters.BooleanFilter(
        label=_("Only with places left"),
        method="with_places_left",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Workshop
        fields = ["topic", "network", "format", "month", "places_left"]

    def in_month(self, queryset, name, value):
        year, month = (int(part) for part in value.split("-"))
        start = _month_start(year, month)
        end = _month_start(*_next_month(year, month))
        return queryset.filter(starts_at__gte=start, starts_at__lt=end)

    def with_places_left(self, queryset, name, value):
        if not value:
            return queryset
        return with_places_left(queryset)
