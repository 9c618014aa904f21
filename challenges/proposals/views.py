"""Proposals (/challenges/…): proposing for a published challenge (draft, submit, PDF
attachments), the company's own proposals, and the permission-checked attachment download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.selectors import membership_of
from regiolab import uploads
from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import run_service, service_errors_on

from ..calls import selectors as call_selectors
from ..models import Proposal
from . import rules, selectors, services  # noqa: F401 — rules registers the permissions
from .forms import ProposalForm


def _max_bytes() -> int:
    return services.MAX_BYTES


@login_required
@require_http_methods(["GET", "POST"])
@uploads.accepts_uploads_up_to(_max_bytes)
def propose(request, slug, pk):
    challenge = call_selectors.challenge_for(request.user, slug, pk)
    membership = membership_of(request.user)
    if challenge.status != "published":
        raise Http404
    if membership is None or membership.company_id == challenge.company_id:
        raise PermissionDenied
    proposal = Proposal.objects.filter(challenge=challenge, company=membership.company).first()
    is_open = services.proposal_is_open(challenge)
    form = ProposalForm(instance=proposal)
    if request.method == "POST":
        if not is_open:
            messages.error(
                request,
                services.DEADLINE_PASSED % {"deadline": services.deadline_text(challenge)},
            )
            return redirect(challenge.get_absolute_url())
        form = ProposalForm(request.POST, request.FILES, instance=proposal or Proposal())
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            with service_errors_on(form):
                saved = services.save_proposal(
                    challenge=challenge,
                    company=membership.company,
                    user=request.user,
                    fields=form.service_fields(),
                    submit=submit,
                    proposal_id=form.cleaned_data.get("proposal_id"),
                    attachment=form.cleaned_data.get("attachment"),
                )
                messages.success(
                    request,
                    _("The proposal has been submitted; a confirmation is on its way by e-mail.")
                    if submit and saved.submitted_at
                    else _("The proposal has been saved."),
                )
                return redirect("challenges:proposal", saved.pk)
    return render(
        request,
        "challenges/proposals/proposal_form.html",
        {
            "challenge": challenge,
            "call": challenge.call,
            "form": form,
            "proposal": proposal,
            "is_open": is_open,
            "deadline": services.deadline_text(challenge),
        },
    )


@login_and_permission_required("challenges.list_own_proposals")
@require_GET
def proposal_list(request):
    return render(
        request,
        "challenges/proposals/proposal_list.html",
        {"proposals": selectors.proposals_of_company(request.user)},
    )


@login_required
@require_GET
def proposal_detail(request, pk):
    proposal = selectors.proposal_for(request.user, pk)
    challenge = proposal.challenge
    return render(
        request,
        "challenges/proposals/proposal_detail.html",
        {
            "proposal": proposal,
            "challenge": challenge,
            "call": challenge.call,
            "can_change": request.user.has_perm("challenges.change_proposal", proposal)
            and services.proposal_is_open(challenge),
            "deadline": services.deadline_text(challenge),
        },
    )


@login_required
@require_GET
def attachment_download(request, pk):
    """A proposal's PDF, only through this permission check (never a media URL)."""
    attachment = selectors.attachment_for(request.user, pk)
    try:
        file = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        file, content_type="application/pdf", as_attachment=True, filename=attachment.name
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = selectors.attachment_for(request.user, pk)
    if not request.user.has_perm("challenges.change_proposal", attachment.proposal):
        raise PermissionDenied
    return run_service(
        request,
        lambda: services.remove_attachment(attachment=attachment, user=request.user),
        success=_("The attachment has been removed."),
        redirect_to=redirect("challenges:proposal", attachment.proposal_id),
    )
