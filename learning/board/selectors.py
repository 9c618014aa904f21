"""Reads of the cycle board and the findings across cycles. Each function runs a fixed number
of queries, whatever the number of organisations, reports and items."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company, SizeClass
from regiolab import caching
from regiolab.collation import german
from regiolab.permissions import is_coordinator

from ..models import (
    Cycle,
    CycleReport,
    FindingTag,
    LearningProgramme,
    ProgrammeOrganisation,
    ProgrammePerson,
    ReportItem,
    ReportReminder,
)
from . import charts

SECTIONS = list(ReportItem.Section)
FINDING_SECTIONS = (ReportItem.Section.OBSTACLE, ReportItem.Section.OPPORTUNITY)
STATUSES = ("new", "persisting", "resolved")


# --- The programme and cycle of a page ---------------------------------------------------------


def visible_programme(*, user, slug: str) -> LearningProgramme:
    """The programme for a coordinator or one of its participants; 404 for everybody else, so
    an outsider (a participant of another programme too) cannot tell that it exists."""
    programmes = LearningProgramme.objects.all()
    if not is_coordinator(user):
        if not user.is_authenticated:
            raise Http404
        programmes = programmes.filter(organisations__people__user=user).distinct()
    try:
        return programmes.get(slug=slug)
    except LearningProgramme.DoesNotExist:
        raise Http404 from None


def visible_cycle(*, user, slug: str, number: int) -> Cycle:
    """A programme's cycle with its programme and workshop in one query, for a coordinator or
    one of the programme's participants; 404 for everybody else (as visible_programme)."""
    # Only what the board shows and its rules read of the programme and the workshop.
    cycles = Cycle.objects.select_related("programme", "workshop").only(
        *("number", "theme", "theme_en", "report_opens_on"),
        *("programme__title", "programme__slug", "programme__status"),
        *("programme__shared_reports", "workshop__starts_at"),
    )
    if not is_coordinator(user):
        if not user.is_authenticated:
            raise Http404
        cycles = cycles.filter(programme__organisations__people__user=user).distinct()
    try:
        return cycles.get(programme__slug=slug, number=number)
    except Cycle.DoesNotExist:
        raise Http404 from None


def cycle_of(*, programme: LearningProgramme, number: int) -> Cycle:
    try:
        return Cycle.objects.select_related("workshop").get(programme=programme, number=number)
    except Cycle.DoesNotExist:
        raise Http404 from None


# --- The cycle board ---------------------------------------------------------------------------


@dataclass
class Column:
    """One organisation's submitted report in one section of the board. The board shows up
    to a few hundred entries: they are plain rows (``values()``), not model instances, which
    keeps the page's cost near that of its template (make bench, row 1)."""

    organisation: str  # the company's name
    actor_type: str  # its label
    items: list[dict] = field(default_factory=list)


@dataclass
class Section:
    key: str
    label: str
    columns: list[Column]

    @property
    def item_count(self) -> int:
        return sum(len(c.items) for c in self.columns)


# The board below its heading (who reported, the filter, the reports, who has not reported), as
# the template partials render it: read the same way by every participant during a learning
# workshop (make bench, row 1). Any write to reports, items, tags, organisations, their people
# or reminders rebuilds it; a company's rename too (its name is shown), its other edits do not.
BOARD = caching.declare(
    "cycle_board",
    reads=[
        Cycle,
        CycleReport,
        ReportItem,
        ReportItem.tags.through,
        FindingTag,
        ProgrammeOrganisation,
        ProgrammePerson,
        ReportReminder,
        caching.columns(Company, "name"),
    ],
    # The day: "reminded today" changes at midnight; closed: reports are no longer due.
    varies_by=["cycle", "actor_type", "tag", "can_manage", "day", "closed"],
)


def board_items(*, cycle: Cycle):
    """The items of the cycle's submitted reports (a FilterSet narrows this queryset by actor
    type and tag; :func:`cycle_board` reads the columns it shows)."""
    return ReportItem.objects.filter(
        report__cycle=cycle, report__status=CycleReport.Status.SUBMITTED
    ).order_by("position", "pk")


def cycle_board(
    *, cycle: Cycle, items, actor_type: str = "", tag: FindingTag | None = None
) -> list[Section]:
    """The submitted reports of the cycle side by side, one section after the other
    (activities, challenges, obstacles, opportunities). ``items`` is the filtered queryset of
    :func:`board_items`. With a tag chosen, only reports with a matching item in a section
    appear in it; otherwise every submitted report of the chosen actor type has its column.
    Each item is a dict: pk, section, text, resolved, tags (names), and what it continues
    (follows_cycle, follows_organisation, follows_text, or None). Three queries."""
    reports = CycleReport.objects.filter(cycle=cycle, status=CycleReport.Status.SUBMITTED)
    if actor_type:
        reports = reports.filter(organisation__actor_type=actor_type)
    reports = list(
        reports.order_by(german("organisation__company__name"), "pk").values_list(
            "pk", "organisation__company__name", "organisation__actor_type"
        )
    )
    rows = list(
        items.values(
            "pk",
            "report_id",
            "section",
            "text",
            "resolved",
            follows_cycle=F("follows__report__cycle__number"),
            follows_organisation=F("follows__report__organisation__company__name"),
            follows_text=F("follows__text"),
        )
    )
    tags = defaultdict(list)
    for item_id, name in (
        ReportItem.tags.through.objects.filter(
            reportitem__report__cycle=cycle,
            reportitem__report__status=CycleReport.Status.SUBMITTED,
        )
        .order_by(german("findingtag__name"), "findingtag_id")
        .values_list("reportitem_id", "findingtag__name")
    ):
        tags[item_id].append(name)
    by_report: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for row in rows:
        row["tags"] = tags.get(row["pk"], ())
        by_report[(row["report_id"], row["section"])].append(row)
    actor_labels = dict(ProgrammeOrganisation.ActorType.choices)
    sections = []
    for section in SECTIONS:
        columns = []
        for report_id, name, kind in reports:
            found = by_report.get((report_id, section.value), [])
            if tag is None or found:
                columns.append(Column(name, actor_labels.get(kind, kind), found))
        sections.append(Section(section.value, section.label, columns))
    return sections


@dataclass
class Missing:
    """An organisation that has not submitted its report of the cycle."""

    pk: int
    name: str  # the company's
    actor_type: str  # its label
    report_status: str  # "draft" or "" (not begun)
    people: int  # people with an e-mail address
    reminded_at: object | None = None  # today's reminder's time, if one was sent


@dataclass
class ReportStatus:
    organisations: int
    submitted: int
    missing: list[Missing]


def report_status(*, cycle: Cycle, with_reminders: bool) -> ReportStatus:
    """How many organisations the programme has, how many submitted their report of the cycle,
    and the others in name order with their draft (if begun), how many people a reminder
    reaches and (``with_reminders``) today's reminder. One query, two with the reminders."""
    report = CycleReport.objects.filter(cycle=cycle, organisation=OuterRef("pk")).order_by()
    people = (
        ProgrammePerson.objects.filter(organisation=OuterRef("pk"))
        .exclude(email="")
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        ProgrammeOrganisation.objects.filter(programme_id=cycle.programme_id)
        .annotate(
            report_status=Subquery(report.values("status")[:1]), people_count=Subquery(people)
        )
        .order_by(german("company__name"), "pk")
        .values_list("pk", "company__name", "actor_type", "report_status", "people_count")
    )
    labels = dict(ProgrammeOrganisation.ActorType.choices)
    submitted, missing = 0, []
    for pk, name, kind, status, people_count in rows:
        if status == CycleReport.Status.SUBMITTED:
            submitted += 1
        else:
            missing.append(
                Missing(pk, name, labels.get(kind, kind), status or "", people_count or 0)
            )
    if with_reminders:
        reminded = dict(
            ReportReminder.objects.filter(cycle=cycle, sent_on=timezone.localdate()).values_list(
                "organisation_id", "sent_at"
            )
        )
        for row in missing:
            row.reminded_at = reminded.get(row.pk)
    return ReportStatus(submitted + len(missing), submitted, missing)


# --- Findings across cycles --------------------------------------------------------------------


def findings(*, programme: LearningProgramme):
    """The obstacles and opportunities of the programme's submitted reports, cycle by cycle,
    for the findings page (a FilterSet narrows it)."""
    return (
        ReportItem.objects.filter(
            report__cycle__programme=programme,
            report__status=CycleReport.Status.SUBMITTED,
            section__in=FINDING_SECTIONS,
        )
        .select_related(
            "report__cycle",
            "report__organisation__company",
            "follows__report__cycle",
            "follows__report__organisation__company",
        )
        .prefetch_related(Prefetch("tags", queryset=FindingTag.objects.order_by(german("name"))))
        .order_by("report__cycle__number", german("report__organisation__company__name"), "pk")
    )


def finding_of(*, programme: LearningProgramme, pk: int) -> ReportItem:
    """An obstacle or opportunity of a submitted report of the programme; 404 otherwise."""
    try:
        return findings(programme=programme).get(pk=pk)
    except ReportItem.DoesNotExist:
        raise Http404 from None


def earlier_findings(*, item: ReportItem):
    """What ``item`` may continue: obstacles and opportunities of submitted reports of earlier
    cycles of the same programme."""
    cycle = item.report.cycle
    return findings(programme=cycle.programme_id).filter(report__cycle__number__lt=cycle.number)


def programme_tags(*, programme: LearningProgramme):
    return FindingTag.objects.filter(programme=programme).order_by(german("name"))


def _empty_counts() -> dict:
    return {section: dict.fromkeys(STATUSES, 0) for section in FINDING_SECTIONS}


def findings_evolution(programme) -> dict:
    """The evolution of obstacles and opportunities from cycle to cycle (new, persisting,
    resolved) by actor type and by company size class, for the programme page, its chart and
    the final report. Only items of submitted reports count. In cycle *n*, an item is

    - **resolved** if its organisation marked it resolved; and an item of cycle *n − 1* that
      is not resolved itself counts as resolved in cycle *n* when its organisation has
      submitted its cycle-*n* report and no item of any later cycle continues it (the finding
      was dropped, so it no longer stands in the way or waits to be used);
    - **persisting** if it continues (``follows``) an item of an earlier cycle;
    - **new** otherwise.

    An item belongs to its organisation's actor type and size class (``Company.size_class``,
    as stored beside the company's figures).

    Returns ``{"cycles": [numbers], "sections": [...], "statuses": [...],
    "totals": {n: {section: {status: count}}}, "by_actor_type": {type: {n: {...}}},
    "by_size_class": {class: {n: {...}}}, "tables": [...], "charts": [...]}``; ``tables``
    and ``charts`` are the same figures laid out for the partial
    ``learning/partials/findings_evolution.html``. Three queries.
    """
    programme_id = getattr(programme, "pk", programme)
    cycles = list(
        Cycle.objects.filter(programme_id=programme_id)
        .order_by("number")
        .values_list("number", flat=True)
    )
    items = list(
        ReportItem.objects.filter(
            report__cycle__programme_id=programme_id,
            report__status=CycleReport.Status.SUBMITTED,
            section__in=FINDING_SECTIONS,
        ).values(
            "pk",
            "section",
            "resolved",
            "follows_id",
            cycle=F("report__cycle__number"),
            organisation=F("report__organisation_id"),
            actor_type=F("report__organisation__actor_type"),
            size_class=F("report__organisation__company__size_class_stored"),
        )
    )
    submitted = set(
        CycleReport.objects.filter(
            cycle__programme_id=programme_id, status=CycleReport.Status.SUBMITTED
        ).values_list("organisation_id", "cycle__number")
    )
    number_of = {item["pk"]: item["cycle"] for item in items}
    continued = defaultdict(list)  # earlier item → cycles of the items continuing it
    for item in items:
        if item["follows_id"] in number_of:
            continued[item["follows_id"]].append(item["cycle"])

    totals = {n: _empty_counts() for n in cycles}
    by_actor = {
        key: {n: _empty_counts() for n in cycles} for key in ProgrammeOrganisation.ActorType.values
    }
    by_size = {key: {n: _empty_counts() for n in cycles} for key in SizeClass.values}

    def count(item: dict, cycle: int, status: str) -> None:
        section = item["section"]
        totals[cycle][section][status] += 1
        if item["actor_type"] in by_actor:
            by_actor[item["actor_type"]][cycle][section][status] += 1
        if item["size_class"] in by_size:
            by_size[item["size_class"]][cycle][section][status] += 1

    later = {n: [m for m in cycles if m > n] for n in cycles}
    for item in items:
        n = item["cycle"]
        if item["resolved"]:
            count(item, n, "resolved")
        elif item["follows_id"] in number_of and number_of[item["follows_id"]] < n:
            count(item, n, "persisting")
        else:
            count(item, n, "new")
        nxt = later.get(n, [])
        if (
            not item["resolved"]
            and nxt
            and (item["organisation"], nxt[0]) in submitted
            and not any(m > n for m in continued.get(item["pk"], ()))
        ):
            count(item, nxt[0], "resolved")
    evolution = {
        "cycles": cycles,
        "sections": [str(s) for s in FINDING_SECTIONS],
        "statuses": list(STATUSES),
        "totals": totals,
        "by_actor_type": by_actor,
        "by_size_class": by_size,
    }
    evolution["tables"] = _tables(evolution)
    evolution["charts"] = charts.evolution_charts(evolution)
    return evolution


def status_labels() -> dict[str, str]:
    return {"new": _("new"), "persisting": _("persisting"), "resolved": _("resolved")}


def _tables(evolution: dict) -> list[dict]:
    """One table per section: a total row, then a row per actor type and per size class, each
    with the counts of every cycle and status."""
    cycles = evolution["cycles"]
    labels = ReportItem.Section
    actor_labels = dict(ProgrammeOrganisation.ActorType.choices)
    size_labels = dict(SizeClass.choices)
    tables = []
    for section in evolution["sections"]:

        def cells(per_cycle: dict, section=section) -> list[int]:
            return [per_cycle[n][section][s] for n in cycles for s in STATUSES]

        groups = [
            {"label": _("All organisations"), "rows": [
                {"label": _("Total"), "cells": cells(evolution["totals"])}
            ]},
            {"label": _("By actor type"), "rows": [
                {"label": actor_labels[key], "cells": cells(per)}
                for key, per in evolution["by_actor_type"].items()
            ]},
            {"label": _("By company size class"), "rows": [
                {"label": size_labels[key], "cells": cells(per)}
                for key, per in evolution["by_size_class"].items()
            ]},
        ]  # fmt: skip
        tables.append(
            {
                "section": section,
                "label": labels(section).label,
                "cycles": cycles,
                "statuses": [status_labels()[s] for s in STATUSES],
                "columns": 1 + len(cycles) * len(STATUSES),
                "groups": groups,
            }
        )
    return tables
