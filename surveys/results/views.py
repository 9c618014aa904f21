"""Coordinators' results pages: charts with data tables, open answers, exports."""

from functools import cached_property
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from regiolab import xlsx
from regiolab.permissions import login_and_permission_required

from .. import selectors
from ..models import MIN_SEGMENT, Survey
from . import charts, exports
from .forms import SegmentForm

OPEN_ANSWERS_PER_PAGE = 50


def _survey(pk: int) -> Survey:
    return get_object_or_404(Survey.objects.select_related("current_version"), pk=pk)


def _segment(request, survey: Survey) -> tuple[SegmentForm, dict | None]:
    """The filter form and its segment; None when the filter is invalid (nothing is shown
    then, rather than results of a segment the coordinator did not ask for)."""
    form = SegmentForm(request.GET or None, survey=survey)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.filters()


class ResultsPage:
    """What the results fragment shows, computed on first use: on a warm cache not at all."""

    def __init__(self, survey: Survey, filters: dict):
        self.survey = survey
        self.filters = selectors.clean_filters(filters)
        self.key = tuple(sorted((k, str(v)) for k, v in self.filters.items()))
        self.query = urlencode(self.key)

    @cached_property
    def results(self) -> dict:
        return selectors.survey_results(survey=self.survey, filters=self.filters)

    @cached_property
    def questions(self) -> list[dict]:
        questions = []
        for question in self.results["questions"].values():
            if "options" in question and question["type"] != "number":
                question["chart"] = charts.bar_chart(question["options"])
            for row in question.get("rows", []):
                row["chart"] = charts.bar_chart(row["options"])
            questions.append(question)
        return questions


@login_and_permission_required("surveys.view_results")
def results(request, pk: int):
    survey = _survey(pk)
    form, filters = _segment(request, survey)
    return render(
        request,
        "surveys/results/results.html",
        {
            "survey": survey,
            "filter": {"form": form},
            "page": ResultsPage(survey, filters) if filters is not None else None,
            "min_segment": MIN_SEGMENT,
            "is_filtered": bool(filters),
            "identified": survey.anonymity == Survey.Anonymity.IDENTIFIED,
        },
    )


@login_and_permission_required("surveys.view_results")
def open_answers(request, pk: int, code: str):
    survey = _survey(pk)
    questions = selectors.survey_questions(survey)
    if code not in questions or questions[code].type not in selectors.TEXT_TYPES:
        raise Http404
    form, filters = _segment(request, survey)
    answers = (
        selectors.open_answers(survey=survey, code=code, filters=filters, questions=questions)
        if filters is not None
        else None
    )
    page_obj = (
        Paginator(answers, OPEN_ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
        if answers is not None
        else None
    )
    return render(
        request,
        "surveys/results/open_answers.html",
        {
            "survey": survey,
            "question": questions[code],
            "question_text": selectors._text(questions[code], "text"),
            "filter": {"form": form},
            "page_obj": page_obj,
            "identified": survey.anonymity == Survey.Anonymity.IDENTIFIED,
            "min_segment": MIN_SEGMENT,
        },
    )


def _refuse_small(request, survey: Survey):
    """An anonymous survey's raw rows are not handed out below the small-segment size."""
    if survey.anonymity == Survey.Anonymity.ANONYMOUS and (survey.responses.count() < MIN_SEGMENT):
        messages.error(
            request,
            _("The export needs at least %(n)s responses, so no answer can be traced to a person.")
            % {"n": MIN_SEGMENT},
        )
        return redirect("surveys:results", survey.pk)
    return None


def _filename(survey: Survey, suffix: str) -> str:
    return f"survey-{survey.pk}-{slugify(survey.title)[:40] or 'results'}.{suffix}"


@login_and_permission_required("surveys.view_results")
def export_csv(request, pk: int):
    survey = _survey(pk)
    if refused := _refuse_small(request, survey):
        return refused
    response = StreamingHttpResponse(
        exports.iter_results_csv(survey), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(survey, "csv")}"'
    return response


@login_and_permission_required("surveys.view_results")
def export_xlsx(request, pk: int):
    survey = _survey(pk)
    if refused := _refuse_small(request, survey):
        return refused
    response = HttpResponse(exports.build_results_xlsx(survey), content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(survey, "xlsx")}"'
    return response
