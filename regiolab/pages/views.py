"""The information pages: Impressum, privacy notice and accessibility statement (with its
feedback form), and the coordinators' page to edit their sections."""

from urllib.parse import urlsplit

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from regiolab.permissions import login_and_permission_required
from regiolab.text import shown_in_german
from regiolab.views_helpers import service_errors_on

from . import services
from .forms import AccessibilityFeedbackForm, SitePageSectionFormSet
from .models import AccessibilityFeedback, SitePage, SitePageSection

# The long pages get a table of contents (the Impressum is short enough without).
WITH_CONTENTS = {SitePage.Key.PRIVACY, SitePage.Key.ACCESSIBILITY}


def _page_context(key: str, fixed_parts: tuple = ()) -> dict:
    """The page, its sections and, on long pages, a table of contents: (anchor, heading) of
    every section and of the template's fixed parts."""
    page = services.site_page(key)
    sections = services.sections_of(page)
    # The third item: the heading is German on a page in another language (lang="de").
    contents = [
        (f"section-{s.position}", s.heading, shown_in_german(s, "heading"))
        for s in sections
        if s.level == SitePageSection.Level.SECTION
    ] + [(anchor, heading, False) for anchor, heading in fixed_parts]
    return {
        "page": page,
        "sections": sections,
        "contents": contents if key in WITH_CONTENTS and len(contents) > 1 else [],
    }


@require_http_methods(["GET", "HEAD"])
def site_page(request, key: str):
    return render(request, f"pages/{key}.html", _page_context(key))


def _referring_page(request) -> str:
    """The page of this site the visitor came from, to fill in "page concerned"."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    path = urlsplit(referer).path
    if path == reverse("accessibility"):
        return ""
    return path[: AccessibilityFeedback.PAGE_MAX_LENGTH]


@require_http_methods(["GET", "HEAD", "POST"])
def accessibility(request):
    status = 200
    if request.method == "POST":
        form = AccessibilityFeedbackForm(request.POST)
        if form.is_valid():
            thanks = _("Thank you for your message. It has been passed on to our team.")
            if form.is_spam():
                # Answer a bot as a person, so it learns nothing; nothing is stored or sent.
                messages.success(request, thanks)
                return redirect(reverse("accessibility") + "#feedback")
            # The client address as allauth's login limits see it (honours its proxy settings).
            if services.feedback_allowed(get_adapter(request).get_client_ip(request)):
                data = form.cleaned_data
                services.submit_accessibility_feedback(
                    name=data["name"],
                    email=data["email"],
                    page_url=data["page_url"],
                    message=data["message"],
                    language=get_language() or "",
                )
                messages.success(request, thanks)
                return redirect(reverse("accessibility") + "#feedback")
            form.add_error(
                None,
                _(
                    "You have sent several messages within the last hour. Please try again "
                    "later or write to us by e-mail."
                ),
            )
            status = 429
    else:
        form = AccessibilityFeedbackForm(initial={"page_url": _referring_page(request)})
    context = _page_context(
        SitePage.Key.ACCESSIBILITY,
        fixed_parts=(
            ("feedback", _("Report a barrier")),
            ("enforcement", _("Enforcement procedure")),
        ),
    )
    return render(request, "pages/accessibility.html", {**context, "form": form}, status=status)


@login_and_permission_required("pages.edit_site_page")
@require_http_methods(["GET", "HEAD", "POST"])
def site_page_edit(request, key: str):
    page = services.site_page(key)
    formset = SitePageSectionFormSet(request.POST or None, instance=page, prefix="sections")
    if request.method == "POST" and formset.is_valid():
        changed = formset.save(commit=False)
        with service_errors_on(formset):
            services.save_site_page(
                page=page,
                sections=changed,
                deleted=formset.deleted_objects,
                updated_by=request.user,
            )
            messages.success(request, _("The page has been saved."))
            return redirect(key)
    return render(
        request,
        "pages/site_page_edit.html",
        {"page": page, "formset": formset, "page_url": reverse(key)},
    )
