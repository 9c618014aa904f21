"""The coordinators' questionnaire pages: the list, creating (empty or as a copy), settings,
opening and closing, the builder with its sections and questions, and the preview."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import run_service, service_errors_on

from ..models import Question, Section, Survey
from . import selectors, services
from .forms import QuestionForm, SectionForm, SurveyForm

coordinator_only = login_and_permission_required("surveys.manage_survey")
ANSWER_FORM_TEMPLATE = "surveys/answering/_form.html"


def _builder(survey, anchor: str = ""):
    """Back to the builder; ``anchor`` ("question-3") brings a keyboard user back to the item
    just moved (the browser continues tabbing from there)."""
    url = reverse("surveys:detail", args=[survey.pk])
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


def _version_note(request, survey, version_before):
    if survey.current_version_id != version_before:
        messages.info(
            request,
            _(
                "The questionnaire already has answers, so this change made version "
                "%(number)s. Earlier answers keep their version."
            )
            % {"number": survey.current_version.number},
        )


@coordinator_only
@require_GET
def survey_list(request):
    return render(
        request,
        "surveys/builder/survey_list.html",
        {"surveys": selectors.surveys_for_list(), "ready_made": selectors.ready_made()},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def survey_create(request):
    initial = {}
    copy = request.GET.get("copy", "")
    if copy.isdigit():
        initial["copy_of"] = int(copy)
    form = SurveyForm(request.POST or None, initial=initial, copy_choices=selectors.copy_choices())
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            survey = services.create_survey(
                created_by=request.user,
                copy_of=form.cleaned_data["copy_of"],
                **form.service_kwargs(),
            )
            messages.success(request, _("The survey has been saved as a draft."))
            return _builder(survey)
    return render(request, "surveys/builder/survey_form.html", {"form": form, "survey": None})


@coordinator_only
@require_http_methods(["GET", "POST"])
def survey_edit(request, pk):
    survey = selectors.managed_survey(pk)
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.update_survey(survey=survey, **form.service_kwargs())
            messages.success(request, _("The survey has been saved."))
            return _builder(survey)
    return render(request, "surveys/builder/survey_form.html", {"form": form, "survey": survey})


@coordinator_only
@require_GET
def survey_detail(request, pk):
    survey = selectors.managed_survey(pk)
    return render(
        request,
        "surveys/builder/builder.html",
        {"survey": survey, **selectors.builder_outline(survey)},
    )


@coordinator_only
@require_POST
def survey_open(request, pk):
    survey = selectors.managed_survey(pk)
    return run_service(
        request,
        lambda: services.open_survey(survey=survey),
        success=_("The survey is open for answers."),
        redirect_to=_builder(survey),
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def survey_close(request, pk):
    survey = selectors.managed_survey(pk)
    if request.method == "POST":
        return run_service(
            request,
            lambda: services.close_survey(survey=survey),
            success=_("The survey is closed. It takes no more answers."),
            redirect_to=_builder(survey),
        )
    effects = [
        _("The survey takes no more answers; its links say that it is closed."),
        _("Answers given so far and their results stay."),
    ]
    return render(
        request, "surveys/builder/survey_close.html", {"survey": survey, "effects": effects}
    )


@coordinator_only
@require_GET
def survey_preview(request, pk):
    survey = selectors.managed_survey(pk)
    language = "en" if request.GET.get("lang") == "en" else "de"
    return render(
        request,
        "surveys/builder/preview.html",
        {"survey": survey, "language": language, **preview_context(survey, language)},
    )


def preview_context(survey: Survey, language: str) -> dict:
    """The respondent's form as the answer page renders it (surveys/answering/forms.py's
    ``build_form`` and its template); the builder's outline read-only while that is missing."""
    try:
        from ..answering.forms import build_form  # noqa: PLC0415

        get_template(ANSWER_FORM_TEMPLATE)
    except (ImportError, TemplateDoesNotExist):
        build_form = None
    if build_form is None or survey.current_version is None:
        return {"form": None, **selectors.builder_outline(survey)}
    return {"form": build_form(survey.current_version, language=language)}


# --- sections -----------------------------------------------------------------------------------


@coordinator_only
@require_http_methods(["GET", "POST"])
def section_add(request, pk):
    survey = selectors.managed_survey(pk)
    form = SectionForm(request.POST or None, version=survey.current_version)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.add_section(survey=survey, **form.service_kwargs())
            messages.success(request, _("The section has been added."))
            return _builder(survey)
    return render(
        request,
        "surveys/builder/section_form.html",
        {"survey": survey, "form": form, "section": None},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def section_edit(request, pk, section_pk):
    survey = selectors.managed_survey(pk)
    section = selectors.section_of(survey, section_pk)
    initial = {
        "title": section.title,
        "title_en": section.title_en,
        "show_if_question": section.show_if_question_id,
        "show_if_value": section.show_if_value,
    }
    form = SectionForm(request.POST or None, initial=initial, version=survey.current_version)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.update_section(survey=survey, section=section, **form.service_kwargs())
            messages.success(request, _("The section has been saved."))
            return _builder(survey)
    return render(
        request,
        "surveys/builder/section_form.html",
        {"survey": survey, "form": form, "section": section},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def section_delete(request, pk, section_pk):
    survey = selectors.managed_survey(pk)
    section = selectors.section_of(survey, section_pk)
    return _delete(
        request,
        survey,
        section,
        delete=lambda: services.delete_section(survey=survey, section=section),
        deleted=_("The section has been deleted."),
    )


def _delete(request, survey, item: Section | Question, *, delete, deleted: str):
    """Deleting a section or a question: GET asks (saying what goes with it), POST deletes and
    goes back to the builder, with a note when answers given already made a new version."""
    kind = item._meta.model_name
    if request.method != "POST":
        return render(
            request,
            f"surveys/builder/{kind}_delete.html",
            {"survey": survey, kind: item, "effects": _delete_effects(survey, item)},
        )
    before = survey.current_version_id

    def delete_and_reload():
        delete()
        survey.refresh_from_db()  # the version the deletion may have made

    response = run_service(
        request, delete_and_reload, success=deleted, redirect_to=_builder(survey)
    )
    _version_note(request, survey, before)
    return response


def _delete_effects(survey, item: Section | Question) -> list[str]:
    effects = []
    if isinstance(item, Section):
        count = item.questions.count()
        effects.append(
            ngettext(
                "The section and its %(count)s question are removed.",
                "The section and its %(count)s questions are removed.",
                count,
            )
            % {"count": count}
        )
    else:
        effects.append(_("The question is removed from the questionnaire."))
    if services.has_answers(survey.current_version):
        effects.append(
            _(
                "The questionnaire already has answers: it gets a new version without it; the "
                "answers given keep their version and stay in the results."
            )
        )
    return effects


@coordinator_only
@require_POST
def section_move(request, pk, section_pk):
    survey = selectors.managed_survey(pk)
    section = selectors.section_of(survey, section_pk)
    return run_service(
        request,
        lambda: services.move_section(
            survey=survey, section=section, up=request.POST.get("direction") == "up"
        ),
        success=_("The section has been moved."),
        redirect_to=_builder(survey, f"section-{section.pk}"),
    )


# --- questions ----------------------------------------------------------------------------------


@coordinator_only
@require_http_methods(["GET", "POST"])
def question_add(request, pk):
    survey = selectors.managed_survey(pk)
    version = survey.current_version
    initial = {"max_length": 500}
    section = request.GET.get("section", "")
    if section.isdigit():
        initial["section"] = int(section)
    form = QuestionForm(request.POST or None, initial=initial, version=version)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.add_question(survey=survey, **form.service_kwargs())
            messages.success(request, _("The question has been added."))
            return _builder(survey)
    return render(
        request,
        "surveys/builder/question_form.html",
        {"survey": survey, "form": form, "question": None},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def question_edit(request, pk, question_pk):
    survey = selectors.managed_survey(pk)
    question = selectors.question_of(survey, question_pk)
    form = QuestionForm(request.POST or None, version=survey.current_version, question=question)
    if request.method == "POST" and form.is_valid():
        before = survey.current_version_id
        with service_errors_on(form):
            services.update_question(survey=survey, question=question, **form.service_kwargs())
            survey.refresh_from_db()
            messages.success(request, _("The question has been saved."))
            _version_note(request, survey, before)
            return _builder(survey)
    return render(
        request,
        "surveys/builder/question_form.html",
        {
            "survey": survey,
            "form": form,
            "question": question,
            "has_answers": services.has_answers(survey.current_version),
        },
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def question_delete(request, pk, question_pk):
    survey = selectors.managed_survey(pk)
    question = selectors.question_of(survey, question_pk)
    return _delete(
        request,
        survey,
        question,
        delete=lambda: services.delete_question(survey=survey, question=question),
        deleted=_("The question has been deleted."),
    )


@coordinator_only
@require_POST
def question_move(request, pk, question_pk):
    survey = selectors.managed_survey(pk)
    question = selectors.question_of(survey, question_pk)
    return run_service(
        request,
        lambda: services.move_question(
            survey=survey, question=question, up=request.POST.get("direction") == "up"
        ),
        success=_("The question has been moved."),
        redirect_to=_builder(survey, f"question-{question.pk}"),
    )
