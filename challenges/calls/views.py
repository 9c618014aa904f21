"""Calls and challenges (/challenges/…): the list of calls, a call's public page and its .ics,
the coordinators' call form, a challenge's page, its drafting, submission, the coordinator's
decisions, and the suggested providers of a published challenge."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.models import Company
from companies.selectors import membership_of
from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import run_service, service_errors_on

from ..models import Call, ChallengeComment, Proposal
from . import calendar, rules, selectors, services
from . import providers as provider_service
from .forms import CallForm, ChallengeForm, CriterionFormSet, DecisionForm, TermsForm

coordinator_only = login_and_permission_required("challenges.manage_calls")


@require_GET
def call_list(request):
    calls = selectors.call_list(request.user)
    return render(
        request,
        "challenges/calls/call_list.html",
        {
            "calls": calls,
            "can_manage": request.user.has_perm("challenges.manage_calls"),
            "is_rep": rules.is_company_rep(request.user),
        },
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def call_create(request):
    return _call_form(request, Call())


@coordinator_only
@require_http_methods(["GET", "POST"])
def call_edit(request, slug):
    return _call_form(request, selectors.call_by_slug(slug))


def _call_form(request, call):
    existing = call.pk is not None
    form = CallForm(request.POST or None, instance=call)
    formset = CriterionFormSet(request.POST or None, instance=call, prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with service_errors_on(form), transaction.atomic():
            saved = services.save_call(
                call=form.instance,
                criteria_formset=formset,
                user=request.user,
                pitch_day=form.cleaned_data.get("pitch_day"),
                pitch_event=form.cleaned_data.get("pitch_event"),
            )
            messages.success(request, _("The call has been saved."))
            return redirect(saved.get_absolute_url())
    return render(
        request,
        "challenges/calls/call_form.html",
        {"form": form, "formset": formset, "call": call if existing else None},
    )


@require_GET
def call_detail(request, slug):
    call = selectors.call_by_slug(slug)
    user = request.user
    return render(
        request,
        "challenges/calls/call_detail.html",
        {
            "call": call,
            "phases": services.phases(call),
            "current_phase": call.phase(),
            "published": selectors.published_challenges(call),
            "own_or_all": selectors.challenges_of_call_for(user, call),
            "can_manage": user.has_perm("challenges.manage_calls"),
            "can_add_challenge": user.has_perm("challenges.add_challenge", call),
            "can_see_review": user.has_perm("challenges.see_review", call),
            "can_see_pitch_day": user.has_perm("challenges.view_pitch_day", call),
            "criteria": call.criteria.all(),
        },
    )


@require_GET
def call_ics(request, slug):
    call = selectors.call_by_slug(slug)
    response = HttpResponse(calendar.call_ics(call), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{calendar.ics_filename(call)}"'
    return response


@login_required
@require_POST
def accept_terms(request, slug):
    call = selectors.call_by_slug(slug)
    if not request.user.has_perm("challenges.accept_terms"):
        raise PermissionDenied
    form = TermsForm(request.POST)
    target = call.get_absolute_url()
    if form.is_valid():
        challenge_pk = form.cleaned_data.get("challenge")
        if challenge_pk and call.challenges.filter(pk=challenge_pk).exists():
            target = call.challenges.get(pk=challenge_pk).get_absolute_url()
        membership = membership_of(request.user)
        services.accept_terms(call=call, user=request.user, company=membership.company)
        messages.success(request, _("Thank you: you accepted the confidentiality terms."))
    else:
        messages.error(request, _("Please tick the box to accept the confidentiality terms first."))
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create(request, slug):
    call = selectors.call_by_slug(slug)
    if not request.user.has_perm("challenges.add_challenge", call):
        raise PermissionDenied
    membership = membership_of(request.user)
    form = ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            challenge = services.save_challenge(
                call=call,
                company=membership.company,
                user=request.user,
                fields=form.service_fields(),
            )
            messages.success(
                request,
                _("The challenge has been saved as a draft. Submit it when it is ready."),
            )
            return redirect(challenge.get_absolute_url())
    return render(
        request,
        "challenges/calls/challenge_form.html",
        {"form": form, "call": call, "challenge": None, "company": membership.company},
    )


@require_GET
def challenge_detail(request, slug, pk):
    user = request.user
    challenge = selectors.challenge_for(user, slug, pk)
    call = challenge.call
    can_decide = user.has_perm("challenges.decide_challenge", challenge)
    is_owner = rules.is_challenge_owner(user, challenge)
    membership = membership_of(user)
    own_proposal = None
    if membership is not None and not is_owner:
        own_proposal = Proposal.objects.filter(
            challenge=challenge, company_id=membership.company_id
        ).first()
    return render(
        request,
        "challenges/calls/challenge_detail.html",
        {
            "challenge": challenge,
            "call": call,
            "is_owner": is_owner,
            "can_edit": user.has_perm("challenges.change_challenge", challenge),
            "can_decide": can_decide,
            "can_withdraw": user.has_perm("challenges.withdraw_challenge", challenge)
            and challenge.status != "withdrawn",
            "can_view_confidential": user.has_perm("challenges.view_confidential", challenge),
            "can_accept_terms": user.has_perm("challenges.accept_terms")
            and challenge.status == "published",
            "show_comments": is_owner or can_decide,
            "decision_form": DecisionForm() if can_decide else None,
            "terms_form": TermsForm(initial={"challenge": challenge.pk}),
            "can_propose": membership is not None
            and not is_owner
            and challenge.status == "published"
            and call.proposals_open,
            "own_proposal": own_proposal,
            "can_suggest": user.has_perm("challenges.suggest_providers")
            and challenge.status == "published",
        },
    )


def _owned_challenge(request, slug, pk, perm):
    challenge = selectors.challenge_for(request.user, slug, pk)
    if not request.user.has_perm(perm, challenge):
        raise PermissionDenied
    return challenge


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit(request, slug, pk):
    challenge = selectors.challenge_for(request.user, slug, pk)
    if not request.user.has_perm("challenges.change_challenge", challenge):
        if rules.is_challenge_owner(request.user, challenge):
            messages.error(
                request, _("The challenge can only be changed as a draft or in revision.")
            )
            return redirect(challenge.get_absolute_url())
        raise PermissionDenied
    form = ChallengeForm(request.POST or None, instance=challenge)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.save_challenge(
                call=challenge.call,
                company=challenge.company,
                user=request.user,
                fields=form.service_fields(),
                challenge=challenge,
            )
            messages.success(request, _("The challenge has been saved."))
            return redirect(challenge.get_absolute_url())
    return render(
        request,
        "challenges/calls/challenge_form.html",
        {
            "form": form,
            "call": challenge.call,
            "challenge": challenge,
            "company": challenge.company,
        },
    )


@login_required
@require_POST
def challenge_submit(request, slug, pk):
    challenge = selectors.challenge_for(request.user, slug, pk)
    if not rules.is_challenge_owner(request.user, challenge):
        raise PermissionDenied
    return run_service(
        request,
        lambda: services.submit_challenge(challenge=challenge, user=request.user),
        success=_("The challenge has been submitted; the coordinators will review it."),
        redirect_to=challenge.get_absolute_url(),
    )


@login_required
@require_POST
def challenge_decide(request, slug, pk):
    challenge = _owned_challenge(request, slug, pk, "challenges.decide_challenge")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a decision."))
        return redirect(challenge.get_absolute_url())
    kind = form.cleaned_data["decision"]
    done = {
        ChallengeComment.Kind.COMMENT: _("The comment has been saved."),
        ChallengeComment.Kind.REVISION: _(
            "The company has been asked for a revision and told by e-mail."
        ),
        ChallengeComment.Kind.APPROVAL: _(
            "The challenge has been approved; the company is told by e-mail."
        ),
    }[kind]
    return run_service(
        request,
        lambda: services.decide_challenge(
            challenge=challenge, kind=kind, text=form.cleaned_data["text"], by=request.user
        ),
        success=done,
        redirect_to=challenge.get_absolute_url(),
    )


@login_required
@require_POST
def challenge_withdraw(request, slug, pk):
    challenge = _owned_challenge(request, slug, pk, "challenges.withdraw_challenge")
    return run_service(
        request,
        lambda: services.withdraw_challenge(challenge=challenge, by=request.user),
        success=_("The challenge has been withdrawn."),
        redirect_to=challenge.get_absolute_url(),
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def providers(request, slug, pk):
    challenge = selectors.challenge_for(request.user, slug, pk)
    if challenge.status != "published":
        raise Http404
    suggestions = provider_service.suggested_providers(challenge=challenge, limit=30)
    invited = set(challenge.provider_invitations.values_list("company_id", flat=True))
    if request.method == "POST":
        reasons = {company.pk: reason for company, reason in suggestions}
        ids = [int(v) for v in request.POST.getlist("companies") if v.isdigit()]
        chosen = list(Company.objects.filter(pk__in=ids))

        def invite():
            return provider_service.invite_providers(
                challenge=challenge, companies=chosen, by=request.user, reasons=reasons
            )

        return run_service(
            request,
            invite,
            success=lambda n: _("%(count)s companies have been invited by e-mail.") % {"count": n},
            redirect_to=request.path,
        )
    return render(
        request,
        "challenges/calls/providers.html",
        {
            "challenge": challenge,
            "call": challenge.call,
            "suggestions": [
                {"company": company, "reason": reason, "invited": company.pk in invited}
                for company, reason in suggestions
            ],
        },
    )
