"""Filters of the cycle board and the findings page (django-filter over a selector's items)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from regiolab.collation import german

from ..models import FindingTag, ProgrammeOrganisation, ReportItem
from .selectors import FINDING_SECTIONS


class _ProgrammeTagsMixin:
    def _limit_tags(self, programme) -> None:
        # In German order (and without the model's ordering, which joins the programme).
        self.filters["tag"].queryset = FindingTag.objects.filter(programme=programme).order_by(
            german("name"), "pk"
        )


class BoardFilter(_ProgrammeTagsMixin, django_filters.FilterSet):
    """The board's items by the organisation's actor type and by a tag of the programme."""

    actor_type = django_filters.ChoiceFilter(
        label=_("Actor type"),
        field_name="report__organisation__actor_type",
        choices=ProgrammeOrganisation.ActorType.choices,
        empty_label=_("all actor types"),
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"),
        field_name="tags",
        queryset=FindingTag.objects.none(),
        empty_label=_("all tags"),
    )

    class Meta:
        model = ReportItem
        fields = ["actor_type", "tag"]

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_tags(programme)

    def cleaned(self, name: str):
        """A filter's valid value; an invalid one is shown at its field and ignored."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.form.cleaned_data.get(name) or None


class FindingFilter(_ProgrammeTagsMixin, django_filters.FilterSet):
    """The findings page: by cycle, section, actor type, tag, and those not yet linked."""

    cycle = django_filters.NumberFilter(
        label=_("Cycle"), field_name="report__cycle__number", min_value=1, max_value=99
    )
    section = django_filters.ChoiceFilter(
        label=_("Section"),
        choices=[(s.value, s.label) for s in FINDING_SECTIONS],
        empty_label=_("obstacles and opportunities"),
    )
    actor_type = django_filters.ChoiceFilter(
        label=_("Actor type"),
        field_name="report__organisation__actor_type",
        choices=ProgrammeOrganisation.ActorType.choices,
        empty_label=_("all actor types"),
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"),
        field_name="tags",
        queryset=FindingTag.objects.none(),
        empty_label=_("all tags"),
    )
    unlinked = django_filters.BooleanFilter(
        label=_("Only findings not linked to an earlier cycle"),
        field_name="follows",
        lookup_expr="isnull",
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = ReportItem
        fields = ["cycle", "section", "actor_type", "tag", "unlinked"]

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_tags(programme)
