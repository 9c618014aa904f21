"""The review pages of a call (/challenges/<call-slug>/review/…). Coordinators run the review;
a reviewer of the call sees their own assignments and scores them; for everybody else the
call's review does not exist (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from regiolab.views_helpers import run_service, service_errors_on

from ..models import Call, Phase, Proposal, ReviewAssignment
from . import conflicts as coi
from . import selectors, services
from .forms import AssignForm, BalancedForm, DecisionForm, ReviewerForm, ReviewForm


def _call(request, slug: str, *, manage: bool = False) -> Call:
    call = get_object_or_404(Call.objects.select_related("pitch_event"), slug=slug)
    user = request.user
    if user.has_perm("challenges.manage_review"):
        return call
    if user.has_perm("challenges.see_review", call):
        if manage:
            raise PermissionDenied
        return call
    raise Http404


def _proposal(call: Call, pk: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("challenge__company", "company", "created_by"),
        pk=pk,
        challenge__call=call,
        status__in=services.REVIEWED_STATUSES,
    )


@login_required
@require_GET
def review(request, slug):
    """Coordinators: the ranking per challenge. Reviewers: their assignments."""
    call = _call(request, slug)
    if not request.user.has_perm("challenges.manage_review"):
        return render(
            request,
            "challenges/review/assignments.html",
            {
                "call": call,
                "assignments": selectors.reviewer_assignments(call, request.user),
                "review_open": services.review_open(call),
            },
        )
    return _ranking_page(request, call)


def _ranking_page(request, call):
    return render(
        request,
        "challenges/review/ranking.html",
        {
            "call": call,
            "phase": Phase(call.phase()).label,
            # Built only when the cached fragment (selectors.RANKING) is missing.
            "ranking": lambda: selectors.ranking(call),
            "review_base": reverse("challenges:review", args=[call.slug]),
            "told": _("told"),
            "criteria": lambda: selectors.criteria_of(call),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reviewers(request, slug):
    call = _call(request, slug, manage=True)
    form = ReviewerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            reviewer = services.add_reviewer(call=call, added_by=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("%(email)s is now a reviewer of this call and has been told by e-mail.")
                % {"email": reviewer.user.email},
            )
            return redirect("challenges:review_reviewers", call.slug)
    return _reviewers_page(request, call, form=form)


def _reviewers_page(request, call, *, form=None, balanced_form=None, status=200):
    """The reviewers with their load, the form to add one and the balanced assignment (here
    rather than on the ranking, which every coordinator opens far more often)."""
    return render(
        request,
        "challenges/review/reviewers.html",
        {
            "call": call,
            "form": form or ReviewerForm(),
            "balanced_form": balanced_form or BalancedForm(),
            "reviewers": selectors.call_reviewers(call),
        },
        status=status,
    )


@login_required
@require_POST
def assign_balanced(request, slug):
    call = _call(request, slug, manage=True)
    form = BalancedForm(request.POST)
    if not form.is_valid():
        return _reviewers_page(request, call, balanced_form=form, status=400)

    def success(result):
        made, short = result
        text = ngettext("%(count)d assignment made.", "%(count)d assignments made.", made) % {
            "count": made
        }
        if short:
            text += " " + ngettext(
                "%(count)d proposal could not get enough reviewers without a conflict of "
                "interest; assign it by hand.",
                "%(count)d proposals could not get enough reviewers without a conflict of "
                "interest; assign them by hand.",
                len(short),
            ) % {"count": len(short)}
        return text

    return run_service(
        request,
        lambda: services.assign_balanced(
            call=call,
            per_proposal=form.cleaned_data["per_proposal"],
            assigned_by=request.user,
        ),
        success=success,
        redirect_to=redirect("challenges:review_reviewers", call.slug),
    )


def _manage_page(request, call, proposal, *, assign_form=None, decision_form=None, status=200):
    choices = selectors.reviewer_choices(proposal)
    assignments = selectors.proposal_reviews(proposal)
    for assignment in assignments:
        assignment.conflict_labels = [coi.label(code) for code in assignment.conflicts]
    return render(
        request,
        "challenges/review/manage.html",
        {
            "call": call,
            "proposal": proposal,
            "assignments": assignments,
            "criteria": selectors.criteria_of(call),
            "choices": [(r, [coi.label(c) for c in found]) for r, found in choices],
            "assign_form": assign_form or AssignForm(choices=choices),
            "decision_form": decision_form
            or DecisionForm(
                initial={"status": proposal.status, "feedback": proposal.decision_feedback}
            ),
        },
        status=status,
    )


@login_required
@require_GET
def proposal_manage(request, slug, pk):
    call = _call(request, slug, manage=True)
    return _manage_page(request, call, _proposal(call, pk))


@login_required
@require_POST
def proposal_assign(request, slug, pk):
    call = _call(request, slug, manage=True)
    proposal = _proposal(call, pk)
    form = AssignForm(request.POST, choices=selectors.reviewer_choices(proposal))
    if form.is_valid():
        reviewer = next(
            r for r, _found in selectors.reviewer_choices(proposal)
            if r.user_id == form.cleaned_data["reviewer"]
        )  # fmt: skip
        with service_errors_on(form):
            services.assign_reviewer(
                proposal=proposal,
                reviewer=reviewer,
                override_reason=form.cleaned_data["override_reason"],
                assigned_by=request.user,
            )
            messages.success(request, _("The reviewer has been assigned."))
            return redirect("challenges:review_manage", call.slug, proposal.pk)
    return _manage_page(request, call, proposal, assign_form=form, status=400)


@login_required
@require_POST
def proposal_unassign(request, slug, pk, assignment):
    call = _call(request, slug, manage=True)
    proposal = _proposal(call, pk)
    target = get_object_or_404(ReviewAssignment, pk=assignment, proposal=proposal)
    return run_service(
        request,
        lambda: services.unassign_reviewer(assignment=target),
        success=_("The assignment has been taken back."),
        redirect_to=redirect("challenges:review_manage", call.slug, proposal.pk),
    )


@login_required
@require_POST
def proposal_decision(request, slug, pk):
    call = _call(request, slug, manage=True)
    proposal = _proposal(call, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        with service_errors_on(form):
            services.decide(
                proposal=proposal,
                status=form.cleaned_data["status"],
                feedback=form.cleaned_data["feedback"],
                decided_by=request.user,
            )
            messages.success(request, _("The decision has been saved."))
            return redirect("challenges:review", call.slug)
    return _manage_page(request, call, proposal, decision_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def decisions(request, slug):
    """Send the decision e-mails: what will be sent, then one button; a second click sends
    nothing."""
    call = _call(request, slug, manage=True)
    if request.method == "POST":
        return run_service(
            request,
            lambda: services.send_decisions(call=call, sent_by=request.user),
            success=lambda count: (
                ngettext(
                    "%(count)d decision e-mail is being sent.",
                    "%(count)d decision e-mails are being sent.",
                    count,
                )
                % {"count": count}
            ),
            redirect_to=redirect("challenges:review", call.slug),
        )
    pending = list(
        Proposal.objects.filter(
            challenge__call=call, status__in=services.DECISIONS, decision_sent_at__isnull=True
        )
        .select_related("challenge", "company")
        .order_by("challenge__title", "pk")
    )
    undecided = Proposal.objects.filter(
        challenge__call=call, status=Proposal.Status.SUBMITTED
    ).count()
    return render(
        request,
        "challenges/review/decisions.html",
        {"call": call, "pending": pending, "undecided": undecided},
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_review(request, slug, pk):
    """The assigned reviewer scores the proposal; anyone else: 404 (a coordinator is sent to
    the proposal's review overview)."""
    call = _call(request, slug)
    assignment = (
        ReviewAssignment.objects.filter(
            proposal_id=pk,
            proposal__challenge__call=call,
            proposal__status__in=services.REVIEWED_STATUSES,
            reviewer=request.user,
        )
        .select_related("proposal__challenge__company", "proposal__company")
        .first()
    )
    if assignment is None or not request.user.has_perm("challenges.score_proposal", assignment):
        if request.user.has_perm("challenges.manage_review"):
            _proposal(call, pk)
            return redirect("challenges:review_manage", call.slug, pk)
        raise Http404
    review = getattr(assignment, "review", None)
    criteria = selectors.criteria_of(call)
    form = ReviewForm(request.POST or None, criteria=criteria, review=review)
    is_open = services.review_open(call)
    if request.method == "POST":
        if form.is_valid():
            with service_errors_on(form):
                services.submit_review(
                    assignment=assignment,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, _("Your review has been saved."))
                return redirect("challenges:review_proposal", call.slug, pk)
        messages.error(request, _("Nothing was saved: please correct the scores below."))
    submitted = review is not None and review.submitted_at is not None
    others = []
    if submitted and call.reviewers_see_other_reviews:
        others = [
            a
            for a in selectors.proposal_reviews(assignment.proposal)
            if a.pk != assignment.pk and getattr(a, "review", None) and a.review.submitted_at
        ]
    return render(
        request,
        "challenges/review/review_form.html",
        {
            "call": call,
            "assignment": assignment,
            "proposal": assignment.proposal,
            "anonymous": call.anonymous_review,
            "form": form,
            "review_open": is_open,
            "submitted": submitted,
            "others": others,
            "others_hidden_until_own": call.reviewers_see_other_reviews and not submitted,
        },
        status=400 if request.method == "POST" else 200,
    )
