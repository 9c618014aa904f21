"""Coordinators' pages of the distribution (feedback switch, training-needs invitations, the
panel's import and response rates) and the public opt-out page. Thin: a form, one service."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from regiolab.mail import office_address
from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import plan_preview_send, service_errors_on
from workshops.models import Workshop

from ..models import Survey, WorkshopFeedback
from . import importing, planning, selectors, services
from .forms import FeedbackSwitchForm, NeedsInvitationForm

MANAGE = "surveys.manage_survey"


@login_and_permission_required(MANAGE)
@require_GET
def feedback_list(request):
    return render(
        request,
        "surveys/distribution/feedback_list.html",
        {
            "workshops": selectors.feedback_workshops()[:100],
            "has_template": services.feedback_template() is not None,
        },
    )


@login_and_permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def feedback_switch(request, slug):
    workshop = get_object_or_404(Workshop, slug=slug)
    feedback = WorkshopFeedback.objects.filter(workshop=workshop).first()
    enabled = feedback.enabled if feedback else True
    posted = request.method == "POST"
    form = FeedbackSwitchForm(request.POST if posted else None, initial={"enabled": enabled})
    if posted and form.is_valid():
        on = form.cleaned_data["enabled"]
        services.set_feedback_enabled(workshop=workshop, enabled=on)
        messages.success(
            request,
            _("Feedback is switched on for this workshop.")
            if on
            else _("Feedback is switched off for this workshop: no more survey e-mails go out."),
        )
        return redirect("surveys:feedback", slug=workshop.slug)
    return render(
        request,
        "surveys/distribution/feedback_switch.html",
        {"workshop": workshop, "feedback": feedback, "form": form},
    )


@login_and_permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def needs_invite(request, pk):
    """Choose companies, see who is reached and who is skipped (and why), then confirm."""
    survey = get_object_or_404(
        Survey, pk=pk, purpose=Survey.Purpose.TRAINING_NEEDS, is_template=False
    )

    def send(form, plan, fingerprint):
        written = planning.send_needs_plan(plan=plan, confirmed_fingerprint=fingerprint)
        messages.success(
            request,
            ngettext(
                "%(count)d invitation will be sent.",
                "%(count)d invitations will be sent.",
                written,
            )
            % {"count": written},
        )
        return redirect("surveys:invite", pk=survey.pk)

    return plan_preview_send(
        request,
        NeedsInvitationForm,
        form_page=lambda form: _needs_form(request, survey, form),
        plan=lambda form: planning.plan_needs_invitations(survey=survey, **form.plan_kwargs()),
        send=send,
        plan_changed=planning.PlanChanged,
        preview_template="surveys/distribution/needs_preview.html",
        context={"survey": survey},
    )


def _needs_form(request, survey, form):
    return render(
        request,
        "surveys/distribution/needs_form.html",
        {"survey": survey, "form": form, "status": selectors.panel_status(survey)},
    )


@login_and_permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def panel(request, pk):
    """Import recipients from CSV; the state of the panel and its response rate per segment."""
    survey = get_object_or_404(Survey, pk=pk, purpose=Survey.Purpose.PANEL, is_template=False)
    posted = request.method == "POST"
    form = importing.PanelImportForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    rejected = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with service_errors_on(form):
                count = importing.import_panel(survey=survey, data=upload.read())
                messages.success(
                    request,
                    ngettext(
                        "%(count)d recipient was imported.",
                        "%(count)d recipients were imported.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("surveys:panel", pk=survey.pk)
        except importing.PanelImportRejected as exc:
            rejected = exc
    return render(
        request,
        "surveys/distribution/panel.html",
        {
            "survey": survey,
            "form": form,
            "rejected": rejected,
            "status": selectors.panel_status(survey),
        },
        status=400 if rejected or form.errors else 200,
    )


# CSRF-exempt: mail programs post one-click opt-outs without cookies; the signed token in the
# address is what authorises the request.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def optout(request, token):
    email = services.address_of_optout_token(token)
    if email is None:
        return render(
            request,
            "surveys/distribution/optout_invalid.html",
            {"office_email": office_address()},
            status=404,
        )
    if request.method == "POST":
        services.opt_out(email=email)
        return render(
            request,
            "surveys/distribution/optout_done.html",
            {"email": email, "office_email": office_address()},
        )
    # GET changes nothing: mail scanners open links before the person does.
    return render(
        request,
        "surveys/distribution/optout_confirm.html",
        {"email": email, "already": bool(services.opted_out([email]))},
    )
