"""Partner feeds (/policy/feeds/): the coordinators' list, registering, editing, removing and
importing a feed now."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from policy.models import PartnerFeed
from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import service_errors_on

from . import (
    rules,  # noqa: F401 — registers the permission
    selectors,
    services,
)
from .forms import PartnerFeedForm

coordinator_only = login_and_permission_required("policy.manage_partner_feeds")


@coordinator_only
@require_GET
def feed_list(request):
    return render(request, "policy/feeds/feed_list.html", {"feeds": selectors.feed_list()})


@coordinator_only
@require_http_methods(["GET", "POST"])
def feed_create(request):
    return _feed_form(request, PartnerFeed())


@coordinator_only
@require_http_methods(["GET", "POST"])
def feed_edit(request, pk):
    return _feed_form(request, get_object_or_404(PartnerFeed, pk=pk))


def _feed_form(request, feed):
    form = PartnerFeedForm(request.POST or None, instance=feed)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.save_feed(feed=form.instance, user=request.user)
            messages.success(request, _("The feed has been saved; its events are being imported."))
            return redirect("policy:feeds")
    return render(
        request,
        "policy/feeds/feed_form.html",
        {"form": form, "feed": feed if feed.pk else None},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def feed_delete(request, pk):
    feed = get_object_or_404(PartnerFeed, pk=pk)
    if request.method == "POST":
        services.delete_feed(feed=feed)
        messages.success(request, _("The feed and its events have been removed."))
        return redirect("policy:feeds")
    effects = [
        _("The feed of %(name)s and its imported events are removed from the portal.")
        % {"name": feed.partner_name}
    ]
    return render(request, "policy/feeds/feed_delete.html", {"feed": feed, "effects": effects})


@coordinator_only
@require_POST
def feed_import(request, pk):
    feed = get_object_or_404(PartnerFeed, pk=pk)
    result = services.import_feed(feed_id=feed.pk)
    if result.error:
        messages.error(request, _("The import failed: %(error)s") % {"error": result.error})
    else:
        messages.success(
            request,
            _(
                "Imported: %(created)s new, %(updated)s changed, %(removed)s removed, "
                "%(unchanged)s unchanged."
            )
            % vars(result),
        )
    return redirect("policy:feeds")
