"""Invitation pages for coordinators: who was invited (and who registered), invite more."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from ..lifecycle.views import coordinator_only
from . import services
from .forms import InvitationForm

PAGE_SIZE = 50


@coordinator_only
@require_GET
def invitation_list(request, slug):
    workshop = services.invitation_workshop(slug)
    page_obj = Paginator(services.workshop_invitations(workshop), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "workshops/invitations/invitation_list.html",
        {
            "workshop": workshop,
            "page_obj": page_obj,
            "invitations": page_obj.object_list,
            "counts": services.invitation_counts(workshop),
        },
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def invitation_create(request, slug):
    workshop = services.invitation_workshop(slug)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.invite_chosen(
                workshop=workshop, invited_by=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _invited_message(result))
            if not form.invalid_addresses:
                return redirect("workshops:invitations", slug=workshop.slug)
            # The valid ones are invited; the bad ones come back for correction.
            invalid = form.invalid_addresses
            return render(
                request,
                "workshops/invitations/invitation_form.html",
                {
                    "workshop": workshop,
                    "form": InvitationForm(initial={"emails": "\n".join(invalid)}),
                    "invalid_addresses": invalid,
                },
            )
    return render(
        request,
        "workshops/invitations/invitation_form.html",
        {"workshop": workshop, "form": form},
    )


def _invited_message(result: services.InviteResult) -> str:
    text = ngettext(
        "%(count)d invitation will be sent.", "%(count)d invitations will be sent.", result.created
    ) % {"count": result.created}
    if result.already_invited:
        text += " " + ngettext(
            "%(count)d address had already been invited and was skipped.",
            "%(count)d addresses had already been invited and were skipped.",
            result.already_invited,
        ) % {"count": result.already_invited}
    if result.resent:
        text += " " + ngettext(
            "%(count)d invitation had failed before and will be sent again.",
            "%(count)d invitations had failed before and will be sent again.",
            result.resent,
        ) % {"count": result.resent}
    if result.unsubscribed:
        text += " " + ngettext(
            "%(count)d address has unsubscribed from invitations and was left out.",
            "%(count)d addresses have unsubscribed from invitations and were left out.",
            result.unsubscribed,
        ) % {"count": result.unsubscribed}
    return text
