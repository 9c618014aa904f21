"""The newsletter: subscribing with double opt-in and unsubscribing (no login; the token in the
link authorises), and the coordinators' issues: list, compose, preview, send."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from policy.models import Newsletter
from regiolab import mail
from regiolab.links import absolute_url
from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import run_service, service_errors_on

from . import (
    rules,  # noqa: F401 — registers the permission
    selectors,
    services,
)
from .forms import NewsletterForm, SubscribeForm

coordinator_only = login_and_permission_required("policy.manage_newsletter")


# --- visitors ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.subscribe(
            email=form.cleaned_data["email"], language=translation.get_language() or ""
        )
        return render(
            request,
            "policy/newsletter/subscribe_done.html",
            {"email": form.cleaned_data["email"]},
        )
    return render(request, "policy/newsletter/subscribe.html", {"form": form})


def _invalid(request):
    return render(
        request,
        "policy/newsletter/link_invalid.html",
        {"office_email": mail.office_address()},
        status=404,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """GET asks (mail scanners open links before the person does), POST confirms."""
    subscriber = services.subscriber_of_token(token)
    if subscriber is None:
        return _invalid(request)
    if request.method == "POST":
        return run_service(
            request,
            lambda: services.confirm(token=token),
            redirect_to="policy:newsletter_subscribe",
            done=lambda confirmed: render(
                request, "policy/newsletter/confirm_done.html", {"subscriber": confirmed}
            ),
        )
    return render(request, "policy/newsletter/confirm.html", {"subscriber": subscriber})


# CSRF-exempt: mail programs POST "List-Unsubscribe=One-Click" (RFC 8058) without cookies or a
# form token; the unguessable token in the address authorises the request.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    subscriber = services.subscriber_of_token(token)
    if subscriber is None:
        return _invalid(request)
    if request.method == "POST":
        subscriber = services.unsubscribe(token=token)
        return render(
            request, "policy/newsletter/unsubscribe_done.html", {"subscriber": subscriber}
        )
    return render(request, "policy/newsletter/unsubscribe.html", {"subscriber": subscriber})


# --- coordinators --------------------------------------------------------------------------


@coordinator_only
@require_GET
def newsletter_list(request):
    return render(
        request,
        "policy/newsletter/newsletter_list.html",
        {"newsletters": selectors.newsletter_list(), "counts": selectors.subscriber_counts()},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def newsletter_create(request):
    return _newsletter_form(request, Newsletter())


@coordinator_only
@require_http_methods(["GET", "POST"])
def newsletter_edit(request, pk):
    newsletter = get_object_or_404(Newsletter, pk=pk)
    if newsletter.status != Newsletter.Status.DRAFT:
        messages.error(request, _("This newsletter has been sent and can no longer be changed."))
        return redirect("policy:newsletter", pk=pk)
    return _newsletter_form(request, newsletter)


def _newsletter_form(request, newsletter):
    form = NewsletterForm(request.POST or None, instance=newsletter, now=timezone.now())
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            saved = services.save_newsletter(
                newsletter=form.instance,
                workshops=form.cleaned_data["workshops"],
                partner_events=form.cleaned_data["partner_events"],
                user=request.user,
            )
            messages.success(request, _("The newsletter has been saved. Check the preview."))
            return redirect("policy:newsletter", pk=saved.pk)
    return render(
        request,
        "policy/newsletter/newsletter_form.html",
        {"form": form, "newsletter": newsletter if newsletter.pk else None},
    )


@coordinator_only
@require_GET
def newsletter_detail(request, pk):
    """The preview: the e-mail as subscribers get it, and how many will get it."""
    newsletter = get_object_or_404(Newsletter, pk=pk)
    subject, text, html = services.render_issue(
        newsletter,
        language=translation.get_language(),
        unsubscribe=absolute_url("/newsletter/unsubscribe/…/"),
    )
    return render(
        request,
        "policy/newsletter/newsletter_detail.html",
        {
            "newsletter": newsletter,
            "preview_subject": subject,
            "preview": services.issue_context(newsletter),
            "recipients": services.recipients().count(),
            "delivered": newsletter.deliveries.count(),
        },
    )


@coordinator_only
@require_POST
def newsletter_send(request, pk):
    newsletter = get_object_or_404(Newsletter, pk=pk)
    return run_service(
        request,
        lambda: services.start_sending(newsletter_id=newsletter.pk),
        success=lambda count: (
            ngettext(
                "The newsletter is being sent to %(count)d subscriber.",
                "The newsletter is being sent to %(count)d subscribers.",
                count,
            )
            % {"count": count}
        ),
        redirect_to=redirect("policy:newsletter", pk=newsletter.pk),
    )
