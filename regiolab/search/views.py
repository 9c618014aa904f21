"""The coordinators' search page (``/search/?q=``) and the header's results as you type."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from regiolab.permissions import login_and_permission_required

from . import registry
from .forms import SearchForm

PER_KIND = 10
# The id of the header's results panel (templates/partials/site_search.html).
HEADER_PANEL = "site-search-panel"


@login_and_permission_required("search.search_portal")
@require_GET
def search(request):
    form = SearchForm(request.GET)
    query = ""
    groups = []
    if form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            groups = registry.search(query, limit=PER_KIND)
    context = {
        "form": form,
        "query": query,
        "groups": groups,
        "hit_count": sum(len(group.hits) for group in groups),
        "has_more": any(group.more for group in groups),
    }
    # The header's panel gets its fragment; the search page's own htmx requests get the whole
    # page, of which htmx takes the results and the status line (hx-select, hx-select-oob).
    htmx = request.htmx
    if htmx and htmx.target == HEADER_PANEL and not htmx.history_restore_request:
        template = "search/_header_results.html"
    else:
        template = "search/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response
