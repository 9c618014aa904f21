"""Answering a survey: by the e-mailed link (/s/<token>/, no login) and, for a training-needs
round, in the company's space (/surveys/<pk>/answer/)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from companies.selectors import membership_of
from regiolab.i18n import LANGUAGE_SESSION_KEY
from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import service_errors_on

from .. import services
from ..models import Response, Survey, SurveyInvitation
from .forms import build_form, pick

LANGUAGES = ("de", "en")
TOKEN_MAX_LENGTH = SurveyInvitation._meta.get_field("token").max_length


def _language(request, invitation: SurveyInvitation | None = None) -> str:
    """?lang= when the respondent switched on the page, else the language chosen with the
    site's switch (kept in the session), else the invitation's, else the active one."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    chosen = request.session.get(LANGUAGE_SESSION_KEY) if hasattr(request, "session") else None
    if chosen in LANGUAGES:
        return chosen
    if invitation is not None and invitation.language in LANGUAGES:
        return invitation.language
    return (translation.get_language() or "de")[:2]


def _survey_texts(survey: Survey, language: str) -> dict:
    return {
        "survey_title": pick(language, survey.title, survey.title_en),
        "survey_intro": pick(language, survey.description, survey.description_en),
    }


def _invitation(token: str) -> SurveyInvitation:
    invitation = (
        SurveyInvitation.objects.select_related("survey", "survey__current_version")
        .filter(token=token)
        .first()
        if len(token) <= TOKEN_MAX_LENGTH
        else None
    )
    if invitation is None:
        raise Http404
    return invitation


@require_http_methods(["GET", "POST"])
def answer_by_link(request, token):
    invitation = _invitation(token)
    survey = invitation.survey
    language = _language(request, invitation)
    with translation.override(language):
        context = {
            "invitation": invitation,
            "language": language,
            **_survey_texts(survey, language),
        }
        refusal = services.token_refusal(invitation, survey)
        if refusal:
            context["reason"] = refusal
            return render(request, "surveys/answering/unavailable.html", context, status=410)
        form = build_form(
            survey.current_version,
            data=request.POST if request.method == "POST" else None,
            language=language,
        )
        if request.method == "POST" and form.is_valid():
            with service_errors_on(form):
                services.submit_response(survey=survey, answers=form.answers(), token=token)
                return redirect(_with_language("survey_links:thanks", language, token=token))
        context["form"] = form
        return render(request, "surveys/answering/answer.html", context)


def _with_language(name: str, language: str, **kwargs) -> str:
    return f"{reverse(name, kwargs=kwargs)}?lang={language}"


@require_http_methods(["GET"])
def thanks(request, token):
    invitation = _invitation(token)
    if invitation.answered_at is None:
        return redirect("survey_links:answer", token=token)
    language = _language(request, invitation)
    with translation.override(language):
        return render(
            request,
            "surveys/answering/thanks.html",
            {"language": language, **_survey_texts(invitation.survey, language)},
        )


@login_and_permission_required("surveys.answer_for_company")
@require_http_methods(["GET", "POST"])
def answer_for_company(request, pk):
    """A training-needs round in the company's space: one response per company, editable
    until the round closes."""
    survey = get_object_or_404(
        Survey.objects.select_related("current_version").exclude(status=Survey.Status.DRAFT),
        pk=pk,
        purpose=Survey.Purpose.TRAINING_NEEDS,
        is_template=False,
    )
    membership = membership_of(request.user)
    if membership is None:  # the permission says otherwise; never answer for nobody
        raise PermissionDenied
    company = membership.company
    language = _language(request)
    existing = Response.objects.filter(survey=survey, company=company).first()
    context = {
        "survey": survey,
        "company": company,
        "existing": existing,
        "language": language,
        **_survey_texts(survey, language),
    }
    reason = services.closed_reason(survey)
    if reason:
        context["reason"] = reason
        return render(request, "surveys/answering/company_closed.html", context)
    form = build_form(
        survey.current_version,
        data=request.POST if request.method == "POST" else None,
        language=language,
    )
    if request.method == "GET" and existing is not None:
        form.initial_from_answers(services.answers_of(existing))
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.save_company_response(
                survey=survey, company=company, answers=form.answers(), respondent=request.user
            )
            messages.success(
                request,
                _("Your answers have been saved. You can change them until the survey closes."),
            )
            return redirect("surveys:answer", pk=survey.pk)
    context["form"] = form
    return render(request, "surveys/answering/company_answer.html", context)
