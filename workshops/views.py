"""The public workshop pages: the list and a workshop's page (registering: registration/views.py)."""

import functools

from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from regiolab import caching
from regiolab.views import filtered_list_response

from . import selectors
from .filters import WorkshopFilter
from .registration import services

PAGE_SIZE = 20


@require_GET
def workshop_list(request):
    workshop_filter = functools.cache(
        lambda: WorkshopFilter(request.GET or None, queryset=selectors.workshop_list_queryset())
    )
    filters = caching.filter_parts(request.GET, WorkshopFilter)

    def build() -> str:
        return _workshop_list_content(request, workshop_filter())

    # The same for every visitor, per cleaned filter and minute (workshops drop off the list
    # when they start); an invalid filter or page is answered uncached, so the entries one
    # visitor can create are bounded by the filter's choices.
    if filters is None:
        content = build()
    else:
        content = caching.get(
            "workshop_list",
            build,
            filters=filters,
            minute=timezone.now().replace(second=0, microsecond=0),
        )
    return filtered_list_response(request, "workshops/workshop_list.html", content)


def _workshop_list_content(request, workshop_filter) -> str:
    page_obj = Paginator(workshop_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": workshop_filter,
        "page_obj": page_obj,
        "workshops": selectors.workshop_rows(page_obj.object_list),
    }
    return render_to_string("workshops/_workshop_list_content.html", context, request)


@require_GET
def workshop_detail(request, slug):
    workshop = selectors.workshop_visible_to(request.user, slug)
    return render(
        request,
        "workshops/workshop_detail.html",
        {"workshop": workshop, "closed_reason": services.registration_open_error(workshop)},
    )
