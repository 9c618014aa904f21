import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Sector, SizeClass
from regiolab.models import Topic
from regiolab.sorting import SortFilter

from .models import CostCategory, Expenditure, Funder, FundingProgramme


def _json_list_has(field: str, value: str) -> Q:
    # Matches '"value"' in the JSON text, so it works on PostgreSQL and SQLite alike;
    # an empty list means the programme is open to every value.
    return Q(**{field: []}) | Q(**{f"{field}__icontains": f'"{value}"'})


class ProgrammeFilter(django_filters.FilterSet):
    size_class = django_filters.ChoiceFilter(
        label=_("Company size"), choices=SizeClass.choices, method="filter_size_class"
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), choices=Sector.choices, method="filter_sector"
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"), queryset=Topic.objects.all(), field_name="topics"
    )
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Funder.Level.choices)
    open_only = django_filters.BooleanFilter(
        label=_("Only open deadlines"),
        method="filter_open",
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = FundingProgramme
        fields = ["size_class", "sector", "topic", "level", "open_only"]

    def filter_size_class(self, queryset, name, value):
        return queryset.filter(_json_list_has("size_classes", value)) if value else queryset

    def filter_sector(self, queryset, name, value):
        return queryset.filter(_json_list_has("sectors", value)) if value else queryset

    def filter_open(self, queryset, name, value):
        if not value:
            return queryset
        today = timezone.localdate()
        return queryset.filter(Q(deadline__isnull=True) | Q(deadline__gte=today))


class ExpenditureFilter(django_filters.FilterSet):
    """A grant's expenditures by cost category, year and payee (part of the name, any case)."""

    category = django_filters.ChoiceFilter(label=_("Cost category"), choices=CostCategory.choices)
    # A ChoiceFilter offers "any year" first (a plain TypedChoiceFilter would preselect one).
    year = django_filters.ChoiceFilter(label=_("Year"), field_name="date__year", choices=[])
    payee = django_filters.CharFilter(label=_("Payee"), lookup_expr="icontains", max_length=200)

    class Meta:
        model = Expenditure
        fields = ["category", "year", "payee"]

    def __init__(self, *args, grant, **kwargs):
        super().__init__(*args, **kwargs)
        years = range(grant.start_date.year, grant.end_date.year + 1)
        self.filters["year"].extra["choices"] = [(y, str(y)) for y in years]


class GrantListFilter(django_filters.FilterSet):
    """The grant list's sort by a column (no filters: an office has a handful of grants)."""

    ordering = SortFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("start_date", "period"),
            ("total_eligible_costs", "costs"),
        ),
        field_labels={
            "reference": _("reference number"),
            "title": _("title"),
            "start_date": _("period"),
            "total_eligible_costs": _("total eligible costs"),
        },
        collated=("reference", "title"),
    )
