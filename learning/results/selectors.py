"""Reads of a programme's results page: the programme as the viewer may see it, its sections in
the active language and its final reports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation

from ..models import FinalReport, LearningProgramme, ResultSection


def programme_for(*, user, slug: str) -> LearningProgramme:
    """The programme if the user may see its space (coordinators, its participants); else 404,
    so a person of another programme learns nothing about it."""
    programme = LearningProgramme.objects.select_related("network").filter(slug=slug).first()
    if programme is None or not user.has_perm("learning.view_programme", programme):
        raise Http404
    return programme


def section_of(*, programme: LearningProgramme, pk: int) -> ResultSection:
    """A section of this programme (another programme's answers 404)."""
    section = ResultSection.objects.filter(programme=programme, pk=pk).first()
    if section is None:
        raise Http404
    return section


@dataclass(frozen=True)
class ShownSection:
    """A section in one language: the English text where it is written, else the German."""

    section: ResultSection
    title: str
    body: str

    @property
    def pk(self) -> int:
        return self.section.pk


def localised(section: ResultSection, language: str | None = None) -> ShownSection:
    language = (language or translation.get_language() or "de").split("-")[0]
    if language == "en":
        return ShownSection(
            section, section.title_en or section.title, section.body_en or section.body
        )
    return ShownSection(section, section.title, section.body)


def sections_by_kind(
    programme: LearningProgramme, language: str | None = None
) -> list[tuple[str, str, list[ShownSection]]]:
    """(kind, its label, its sections in order) for tools, then recommendations; one query."""
    rows = list(ResultSection.objects.filter(programme=programme).order_by("position", "pk"))
    return [
        (
            kind.value,
            kind.label,
            [localised(s, language) for s in rows if s.kind == kind.value],
        )
        for kind in ResultSection.Kind
    ]


def final_reports_of(programme: LearningProgramme, *, ready_only: bool) -> QuerySet[FinalReport]:
    reports = programme.final_reports.select_related("requested_by").order_by(
        "-requested_at", "-pk"
    )
    return reports.filter(status=FinalReport.Status.READY) if ready_only else reports


def final_report_visible_to(*, user, pk: int) -> FinalReport:
    """A final report of a programme the user may see; else 404."""
    report = FinalReport.objects.select_related("programme").filter(pk=pk).first()
    if report is None or not user.has_perm("learning.download_final_report", report):
        raise Http404
    return report
