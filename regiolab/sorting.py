"""Lists sorted by clicking a column head: one sort key per list, German names in German order.

A list's FilterSet declares ``ordering = SortFilter(fields=…, collated=…)`` (django-filter's
OrderingFilter, limited to one column so that the cleaned value, and with it a cached page's
key, stays one of the filter's choices). The view asks :func:`sort_headers` for the table's
column heads; ``templates/partials/sort_header.html`` renders each as a link in its ``<th>``
with ``aria-sort`` on the sorted column. The links keep the list's other filters (and drop the
page number); the pagination keeps the sort.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import BaseCSVField

from .collation import german

PARAM = "ordering"


class _OneColumnField(BaseCSVField):
    def clean(self, value):
        values = super().clean(value)
        if values and len(values) > 1:
            raise forms.ValidationError(_("Sort by one column at a time."), code="one_column")
        return values


class SortFilter(django_filters.OrderingFilter):
    """OrderingFilter for one column; the ``collated`` fields sort as German text (Bäckerei
    before Burgwedel), every order ends with the primary key (stable pagination) and puts
    empty values last."""

    base_field_class = _OneColumnField

    def __init__(self, *args, collated=(), **kwargs):
        self.collated = frozenset(collated)
        kwargs.setdefault("label", _("Sort by"))
        kwargs.setdefault("empty_label", _("default order"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = []
        for param in value:
            if param in EMPTY_VALUES:
                continue
            field = self.get_ordering_value(param)
            descending = field.startswith("-")
            name = field.removeprefix("-")
            expression = german(name) if name in self.collated else F(name)
            ordering.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        return qs.order_by(*ordering, "pk")


@dataclass(frozen=True)
class SortHeader:
    label: str
    param: str = ""  # empty: the column does not sort
    url: str = ""
    aria_sort: str = ""  # "ascending" | "descending" | "" (not the sorted column)
    action: str = ""  # what the link does, for screen readers
    css_class: str = ""

    @property
    def arrow(self) -> str:
        return {"ascending": "▲", "descending": "▼"}.get(self.aria_sort, "↕")


def current_sort(filterset, default: str) -> str:
    """The list's sort parameter ("name", "-starts_at"), ``default`` when none is chosen."""
    form = filterset.form
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data.get(PARAM)
        if chosen:
            return chosen[0]
    return default


def sort_headers(filterset, columns, *, default: str) -> list[SortHeader]:
    """The column heads of a list: ``columns`` are (label, sort parameter or "", css class).

    A head's link sorts by its column, ascending, or descending when it is sorted ascending
    already; it keeps the filter's other values and drops the page number.
    """
    current = current_sort(filterset, default)
    data = filterset.form.data if filterset.form.is_bound else {}
    kept = [
        (name, value)
        for name in filterset.form.fields
        if name != PARAM and hasattr(data, "getlist")
        for value in data.getlist(name)
        if value not in ("", None)
    ]
    headers = []
    for label, param, css_class in columns:
        if not param:
            headers.append(SortHeader(label=label, css_class=css_class))
            continue
        if current == param:
            state, target = "ascending", f"-{param}"
            action = _("sorted ascending; sort descending")
        elif current == f"-{param}":
            state, target = "descending", param
            action = _("sorted descending; sort ascending")
        else:
            state, target = "", param
            action = _("sort ascending")
        headers.append(
            SortHeader(
                label=label,
                param=param,
                url="?" + urlencode([*kept, (PARAM, target)]),
                aria_sort=state,
                action=str(action),
                css_class=css_class,
            )
        )
    return headers
