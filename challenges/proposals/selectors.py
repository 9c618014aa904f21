"""Read paths of proposals, scoped to who may see them."""

from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from companies.selectors import membership_of

from ..models import Proposal, ProposalAttachment


def proposals_of_company(user) -> QuerySet[Proposal]:
    """The proposals of the user's company, with their challenge and call."""
    membership = membership_of(user)
    if membership is None:
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(company_id=membership.company_id)
        .select_related("challenge", "challenge__call", "challenge__company")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-updated_at", "pk")
    )


def proposal_for(user, pk: int) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related(
            "challenge", "challenge__call", "challenge__company", "company", "created_by"
        ).prefetch_related("attachments"),
        pk=pk,
    )
    if not user.has_perm("challenges.view_proposal", proposal):
        raise Http404
    return proposal


def attachment_for(user, pk: int) -> ProposalAttachment:
    attachment = get_object_or_404(
        ProposalAttachment.objects.select_related("proposal", "proposal__challenge"), pk=pk
    )
    if not user.has_perm("challenges.view_proposal_attachment", attachment.proposal):
        raise Http404
    return attachment
