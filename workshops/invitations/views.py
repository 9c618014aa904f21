"""Invitation pages for coordinators: who was invited (and who registered), invite more."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from regiolab.views_helpers import plan_preview_send

from ..lifecycle.views import coordinator_only
from . import planning, services
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
    """Choose recipients, see who gets what (and who not, and why), then confirm."""
    workshop = services.invitation_workshop(slug)

    def send(form, plan, fingerprint):
        result = planning.send_plan(
            plan=plan, confirmed_fingerprint=fingerprint, invited_by=request.user
        )
        messages.success(request, _invited_message(result, plan))
        if not form.invalid_addresses:
            return redirect("workshops:invitations", slug=workshop.slug)
        # The valid ones are invited; the bad ones come back for correction.
        invalid = form.invalid_addresses
        return _form_page(
            request,
            workshop,
            InvitationForm(initial={"emails": "\n".join(invalid)}),
            invalid_addresses=invalid,
        )

    return plan_preview_send(
        request,
        InvitationForm,
        form_page=lambda form: _form_page(request, workshop, form),
        plan=lambda form: planning.plan_invitations(workshop=workshop, **form.plan_kwargs()),
        send=send,
        plan_changed=planning.PlanChanged,
        preview_template="workshops/invitations/invitation_preview.html",
        context={"workshop": workshop},
    )


def _form_page(request, workshop, form, **extra):
    return render(
        request,
        "workshops/invitations/invitation_form.html",
        {"workshop": workshop, "form": form, **extra},
    )


def _invited_message(result: services.InviteResult, plan: planning.InvitationPlan) -> str:
    skipped = {reason: count for reason, _label, count in plan.skip_counts}
    Reason = planning.SkipReason
    text = ngettext(
        "%(count)d invitation will be sent.", "%(count)d invitations will be sent.", result.created
    ) % {"count": result.created}
    already = skipped.get(Reason.ALREADY_INVITED, 0) + result.already_invited
    if already:
        text += " " + ngettext(
            "%(count)d address had already been invited and was skipped.",
            "%(count)d addresses had already been invited and were skipped.",
            already,
        ) % {"count": already}
    if result.resent:
        text += " " + ngettext(
            "%(count)d invitation had failed before and will be sent again.",
            "%(count)d invitations had failed before and will be sent again.",
            result.resent,
        ) % {"count": result.resent}
    sentences = {
        Reason.ALREADY_REGISTERED: (
            "%(count)d person has already registered and was skipped.",
            "%(count)d people have already registered and were skipped.",
        ),
        Reason.NO_CONSENT: (
            "%(count)d person was skipped: their company has not agreed to be contacted.",
            "%(count)d people were skipped: their companies have not agreed to be contacted.",
        ),
        Reason.NO_EMAIL: (
            "%(count)d contact was skipped for want of an e-mail address.",
            "%(count)d contacts were skipped for want of an e-mail address.",
        ),
        Reason.UNSUBSCRIBED: (
            "%(count)d address has unsubscribed from invitations and was left out.",
            "%(count)d addresses have unsubscribed from invitations and were left out.",
        ),
    }
    for reason, (singular, plural) in sentences.items():
        if skipped.get(reason):
            text += " " + ngettext(singular, plural, skipped[reason]) % {"count": skipped[reason]}
    return text
