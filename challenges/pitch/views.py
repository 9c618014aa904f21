"""The pitch day of a call: agenda, meeting plan, meeting requests and answers, the plans
e-mailed to each person, and the follow-up of the matches. Thin: forms validate, services
decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from regiolab.views_helpers import run_service, service_errors_on

from ..models import Call, Match
from . import rules as pitch_rules
from . import selectors, services
from .forms import MatchNoteForm, MeetingRequestForm, SlotsForm


def _call(request, slug: str, perm: str) -> Call:
    call = get_object_or_404(Call.objects.select_related("pitch_event"), slug=slug)
    if not request.user.has_perm(perm, call):
        raise PermissionDenied
    return call


def _page(request, call, *, slots_form=None, request_form=None, status=200):
    user = request.user
    manages = user.has_perm("challenges.manage_pitch_day", call)
    takes_part = pitch_rules.is_pitch_participant(user, call)
    challenges = selectors.published_challenges(call)
    context = {
        "call": call,
        "event": call.pitch_event,
        "agenda": selectors.agenda(call, challenges),
        "manages": manages,
        "takes_part": takes_part,
        "company_id": pitch_rules.company_id_of(user),
    }
    if manages:
        tables, plan = selectors.meeting_plan(call)
        start = selectors.meetings_start(call, challenges)
        initial = {"start": timezone.localtime(start).replace(tzinfo=None)} if start else {}
        context.update(
            tables=tables,
            plan=plan,
            slots_form=slots_form or SlotsForm(initial=initial),
        )
    if takes_part:
        context.update(
            my_meetings=selectors.meetings_of(user, call),
            request_form=request_form or MeetingRequestForm(user=user, call=call),
        )
    return render(request, "challenges/pitch/pitch_day.html", context, status=status)


@login_required
@require_GET
def pitch_day(request, slug):
    call = _call(request, slug, "challenges.view_pitch_day")
    return _page(request, call)


@login_required
@require_POST
def generate_slots(request, slug):
    call = _call(request, slug, "challenges.manage_pitch_day")
    form = SlotsForm(request.POST)
    if form.is_valid():
        with service_errors_on(form):
            slots = services.generate_slots(call=call, **form.cleaned_data)
            messages.success(
                request,
                ngettext(
                    "%(count)d meeting slot has been laid out.",
                    "%(count)d meeting slots have been laid out.",
                    len(slots),
                )
                % {"count": len(slots)},
            )
            return redirect("challenges:pitch_day", slug=call.slug)
    return _page(request, call, slots_form=form)


@login_required
@require_POST
def request_meeting(request, slug):
    call = _call(request, slug, "challenges.take_part_in_pitch_day")
    form = MeetingRequestForm(request.POST, user=request.user, call=call)
    if form.is_valid():
        with service_errors_on(form):
            services.request_meeting(
                proposal=form.cleaned_data["proposal"],
                slot=form.cleaned_data["slot"],
                requested_by=request.user,
            )
            messages.success(
                request, _("Your meeting request has been sent; the other side will answer.")
            )
            return redirect("challenges:pitch_day", slug=call.slug)
    return _page(request, call, request_form=form)


@login_required
@require_POST
def answer_meeting(request, slug, pk):
    call = _call(request, slug, "challenges.take_part_in_pitch_day")
    meeting = selectors.meeting_of(request.user, call, pk)
    if meeting is None:
        raise Http404
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, _("Please accept or decline the request."))
        return redirect("challenges:pitch_day", slug=call.slug)
    accept = answer == "accept"
    return run_service(
        request,
        lambda: services.answer_meeting(meeting=meeting, user=request.user, accept=accept),
        success=_("The meeting is in the plan.") if accept else _("The request has been declined."),
        redirect_to=redirect("challenges:pitch_day", slug=call.slug),
    )


@login_required
@require_POST
def send_plans(request, slug):
    call = _call(request, slug, "challenges.manage_pitch_day")
    return run_service(
        request,
        lambda: services.send_plans(call=call, by=request.user),
        success=lambda count: (
            ngettext(
                "%(count)d person gets their meeting plan by e-mail.",
                "%(count)d people get their meeting plans by e-mail.",
                count,
            )
            % {"count": count}
        ),
        redirect_to=redirect("challenges:pitch_day", slug=call.slug),
    )


@login_required
@require_GET
def match_list(request, slug):
    call = _call(request, slug, "challenges.manage_pitch_day")
    return render(
        request,
        "challenges/pitch/matches.html",
        {
            "call": call,
            "funnel": selectors.funnel(call),
            "matches": selectors.matches(call),
            "note_form": MatchNoteForm(),
        },
    )


@login_required
@require_POST
def match_note(request, slug, pk):
    call = _call(request, slug, "challenges.manage_pitch_day")
    match = get_object_or_404(Match, pk=pk, challenge__call=call)
    form = MatchNoteForm(request.POST)
    back = redirect("challenges:pitch_matches", slug=call.slug)
    if not form.is_valid():
        messages.error(request, _("Please choose a status and a valid date."))
        return back
    return run_service(
        request,
        lambda: services.record_match_status(match=match, author=request.user, **form.cleaned_data),
        success=_("The note has been saved."),
        redirect_to=back,
    )
