"""The coordinators' company list filter (also used by the export of the filtered list)."""

import django_filters
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from regiolab.models import Topic
from regiolab.search.registry import matching
from regiolab.sorting import SortFilter

from .models import MUNICIPALITIES, Company, Sector, SizeClass
from .search import COMPANY_FIELDS as SEARCH_FIELDS
from .selectors import ACTIVE_NETWORK_MEMBERSHIP, companies_for_list


def _networks(request):
    # Looked up lazily: companies import no other app.
    return apps.get_model("networks", "TrainingNetwork").objects.only("name").order_by("name")


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search name or city"), method="filter_search", max_length=100
    )
    size_class = django_filters.ChoiceFilter(
        field_name="size_class_stored", label=_("Size class"), choices=SizeClass.choices
    )
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    municipality = django_filters.ChoiceFilter(
        label=_("Municipality"), choices=[(m, m) for m in MUNICIPALITIES]
    )
    network = django_filters.ModelChoiceFilter(
        label=_("Network"), queryset=_networks, method="filter_network"
    )
    topic = django_filters.ModelChoiceFilter(
        field_name="training_needs",
        label=_("Training need"),
        queryset=Topic.objects.order_by("name_de"),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Company.Kind.choices)
    # One column at a time (the cached page's key stays one of these choices); names and
    # cities in German order (Bäckerei before Burgwedel).
    ordering = SortFilter(
        fields=(
            ("name", "name"),
            ("city", "city"),
            ("size_class_stored", "size_class"),
            ("headcount", "headcount"),
            ("network_count", "networks"),
            ("created_at", "created"),
        ),
        field_labels={
            "name": _("name"),
            "city": _("city"),
            "size_class_stored": _("size class"),
            "headcount": _("headcount"),
            "network_count": _("networks"),
            "created_at": _("created"),
        },
        collated=("name", "city"),
    )

    class Meta:
        model = Company
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = companies_for_list()
        super().__init__(data, queryset=queryset, **kwargs)

    def filter_search(self, queryset, name, value):
        """Every word in the name or city, ignoring case and accents (as the search does)."""
        value = value.strip()
        if not value:
            return queryset
        return matching(queryset, SEARCH_FIELDS, value)

    def filter_network(self, queryset, name, value):
        if value is None:
            return queryset
        # A subquery rather than a join, so the network count annotation is not skewed.
        return queryset.filter(
            pk__in=Company.objects.filter(
                network_memberships__network=value,
                network_memberships__status=ACTIVE_NETWORK_MEMBERSHIP,
            ).values("pk")
        )

    @property
    def qs(self):
        qs = super().qs
        # A stable order under every sort key, so pagination never repeats a row.
        if qs.query.order_by and "pk" not in qs.query.order_by:
            qs = qs.order_by(*qs.query.order_by, "pk")
        return qs
