"""Reads of the builder's pages, each in a fixed number of queries."""

from django.db.models import Count
from django.shortcuts import get_object_or_404

from ..models import Question, Section, Survey


def surveys_for_list():
    """The coordinators' surveys (not the ready-made ones) with their response counts."""
    return (
        Survey.objects.filter(is_template=False)
        .select_related("network", "current_version")
        .annotate(response_count=Count("responses", distinct=True))
        .order_by("-created_at", "-pk")
    )


def ready_made():
    return Survey.objects.filter(is_template=True).order_by("pk")


def copy_choices():
    """What a new survey may start from: the ready-made questionnaires first, then the others."""
    return Survey.objects.order_by("-is_template", "-created_at", "-pk")


def managed_survey(pk) -> Survey:
    return get_object_or_404(
        Survey.objects.select_related("current_version", "network", "created_by"), pk=pk
    )


def builder_outline(survey: Survey) -> dict:
    """The current version's sections, each with its questions in order, and the questions
    outside any section; plus whether the version has answers and the version count."""
    version = survey.current_version
    if version is None:
        return {"sections": [], "loose": [], "has_answers": False, "versions": 0, "version": None}
    sections = list(
        Section.objects.filter(version=version)
        .select_related("show_if_question")
        .order_by("position", "pk")
    )
    questions = list(
        Question.objects.filter(version=version).select_related("show_if_question", "section")
    )
    by_section: dict = {section.pk: [] for section in sections}
    loose = []
    for question in sorted(questions, key=lambda q: (q.position, q.pk)):
        (by_section[question.section_id] if question.section_id else loose).append(question)
    for section in sections:
        section.ordered_questions = by_section[section.pk]
    return {
        "version": version,
        "sections": sections,
        "loose": loose,
        "has_answers": version.responses.exists(),
        "versions": survey.versions.count(),
    }


def section_of(survey: Survey, section_pk) -> Section:
    return get_object_or_404(Section, pk=section_pk, version_id=survey.current_version_id)


def question_of(survey: Survey, question_pk) -> Question:
    return get_object_or_404(
        Question.objects.select_related("section", "version"),
        pk=question_pk,
        version_id=survey.current_version_id,
    )
