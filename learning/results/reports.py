"""The final report of a learning programme: one context, rendered as a tagged PDF (WeasyPrint,
regiolab.pdf) and as an XLSX twin of its tables (regiolab.xlsx).

Parts: the programme and its cycles, the participating organisations (actor type, size class),
attendance per cycle (recorded attendance at each cycle's learning workshop, per organisation),
tasks submitted per cycle and organisation, the findings' evolution
(learning.board.selectors.findings_evolution, rendered whatever its breakdowns hold), every
finding (obstacles and opportunities of the submitted reports), the tools and the policy
recommendations. The queries do not grow with the number of organisations or items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from companies.models import SizeClass
from regiolab import xlsx
from regiolab.pdf import footer_text, render_pdf
from workshops.models import Registration

from ..board.selectors import findings_evolution
from ..models import (
    Cycle,
    CycleReport,
    FinalReport,
    FindingTag,
    ProgrammeOrganisation,
    ReportItem,
    Task,
    TaskSubmission,
)
from .selectors import sections_by_kind

TEMPLATE = "pdf/learning_final_report.html"
FINDING_SECTIONS = (ReportItem.Section.OBSTACLE, ReportItem.Section.OPPORTUNITY)


@dataclass
class OrganisationRow:
    organisation: ProgrammeOrganisation
    name: str
    actor_type: str
    size_class: str
    kind: str
    attended: list[int] = field(default_factory=list)  # people present, per cycle
    submitted: list[int] = field(default_factory=list)  # tasks submitted, per cycle

    @property
    def cycles_attended(self) -> int:
        return sum(1 for n in self.attended if n)

    @property
    def submitted_total(self) -> int:
        return sum(self.submitted)


@dataclass
class CycleGrid:
    """Organisations × cycles with a figure each, a last column and a totals row."""

    numbers: list[int]
    rows: list[tuple[str, list[int], int]]
    totals: list[int]
    last_label: str
    totals_label: str

    @property
    def total(self) -> int:
        return sum(self.totals)


@dataclass
class Finding:
    cycle: int
    organisation: str
    actor_type: str
    section: str
    text: str
    tags: list[str]
    status: str


@dataclass
class EvolutionTable:
    """One breakdown of findings_evolution as a table: a row per path of keys, a column per
    key of the innermost mappings (or one "value" column for plain figures)."""

    title: str
    key_headers: list[str]
    columns: list[str]
    rows: list[tuple[list[str], list[str]]]


# --- Findings evolution, whatever its shape ---------------------------------------------------


def _labels() -> dict[str, str]:
    """Readable names of the keys findings_evolution is likely to use."""
    labels = {
        "new": pgettext("learning results", "new"),
        "persisting": pgettext("learning results", "persisting"),
        "resolved": pgettext("learning results", "resolved"),
        "total": pgettext("learning results", "total"),
    }
    labels.update({k: str(v) for k, v in ProgrammeOrganisation.ActorType.choices})
    labels.update({k: str(v) for k, v in SizeClass.choices})
    labels.update({k: str(v) for k, v in ReportItem.Section.choices})
    return labels


def _label(key, labels: dict[str, str]) -> str:
    return labels.get(str(key), str(key))


def _plain(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, list | tuple):
        return " / ".join(_plain(v) for v in value)
    return str(value)


def _is_leaf_mapping(value) -> bool:
    return (
        isinstance(value, Mapping)
        and value
        and not any(isinstance(v, Mapping) for v in value.values())
    )


def _flatten(value, path: list[str], labels, out: list[tuple[list[str], dict | None, object]]):
    if _is_leaf_mapping(value):
        out.append((path, {_label(k, labels): v for k, v in value.items()}, None))
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten(inner, [*path, _label(key, labels)], labels, out)
    else:
        out.append((path, None, value))


# The keys of learning.board.selectors.findings_evolution that hold figures.
FIGURE_KEYS = ("totals", "by_actor_type", "by_size_class")


def evolution_tables(evolution) -> list[EvolutionTable]:
    """The figures of ``evolution`` (totals, by actor type, by size class) as tables; the
    selector's layout for the page's partial (sections, statuses, tables, charts) stays out."""
    if not isinstance(evolution, Mapping):
        return []
    labels = _labels()
    titles = {
        "totals": _("Total"),
        "by_actor_type": _("By actor type"),
        "by_size_class": _("By company size class"),
    }
    tables = []
    for key, breakdown in evolution.items():
        if key not in FIGURE_KEYS or not breakdown:
            continue
        flat: list[tuple[list[str], dict | None, object]] = []
        _flatten(breakdown, [], labels, flat)
        columns: list[str] = []
        for _path, mapping, _value in flat:
            for name in mapping or {}:
                if name not in columns:
                    columns.append(name)
        plain = any(mapping is None for _path, mapping, _value in flat)
        if plain:
            columns.append(pgettext("learning results", "value"))
        depth = max(len(path) for path, _m, _v in flat)
        rows = []
        for path, mapping, value in flat:
            keys = path + [""] * (depth - len(path))
            cells = [_plain((mapping or {}).get(c)) if mapping else "" for c in columns]
            if mapping is None:
                cells[-1] = _plain(value)
            rows.append((keys, cells))
        key_headers = [
            pgettext("learning results", "Group"),
            *([pgettext("learning results", "Cycle")] if depth == 2 else []),
        ]
        key_headers += [""] * (depth - len(key_headers))
        tables.append(
            EvolutionTable(titles.get(key, _label(key, labels)), key_headers[:depth], columns, rows)
        )
    return tables


# --- The context ------------------------------------------------------------------------------


def context_for(report: FinalReport) -> dict:
    programme = report.programme
    language = report.language
    cycles = list(
        Cycle.objects.filter(programme=programme).select_related("workshop").order_by("number")
    )
    organisations = list(
        ProgrammeOrganisation.objects.filter(programme=programme)
        .select_related("company")
        .order_by("company__name", "pk")
    )
    company_ids = [o.company_id for o in organisations]
    cycle_of_workshop = {c.workshop_id: c.number for c in cycles}
    attended = Counter(
        {
            (cycle_of_workshop[workshop_id], company_id): n
            for workshop_id, company_id, n in Registration.objects.filter(
                workshop_id__in=list(cycle_of_workshop),
                company_id__in=company_ids,
                status=Registration.Status.ATTENDED,
            )
            .values_list("workshop_id", "company_id")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    tasks_per_cycle = Counter(
        dict(
            Task.objects.filter(cycle__programme=programme)
            .values_list("cycle__number")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    submitted = Counter(
        {
            (number, organisation_id): n
            for number, organisation_id, n in TaskSubmission.objects.filter(
                task__cycle__programme=programme, status=TaskSubmission.Status.SUBMITTED
            )
            .values_list("task__cycle__number", "organisation_id")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    numbers = [c.number for c in cycles]
    size_labels = dict(SizeClass.choices)
    rows = []
    for o in organisations:
        rows.append(
            OrganisationRow(
                organisation=o,
                name=o.company.name,
                actor_type=o.get_actor_type_display(),
                size_class=str(size_labels.get(o.company.size_class_stored, "–")),
                kind=o.company.get_kind_display(),
                attended=[attended[(n, o.company_id)] for n in numbers],
                submitted=[submitted[(n, o.pk)] for n in numbers],
            )
        )
    attendance_totals = [sum(1 for r in rows if r.attended[i]) for i in range(len(numbers))]
    submitted_totals = [sum(r.submitted[i] for r in rows) for i in range(len(numbers))]

    items = (
        ReportItem.objects.filter(
            report__cycle__programme=programme,
            report__status=CycleReport.Status.SUBMITTED,
            section__in=FINDING_SECTIONS,
        )
        .select_related("report__cycle", "report__organisation__company", "follows__report__cycle")
        .prefetch_related(Prefetch("tags", queryset=FindingTag.objects.order_by("name")))
        .order_by("report__cycle__number", "report__organisation__company__name", "section", "position", "pk")
    )  # fmt: skip
    findings = []
    for item in items:
        if item.resolved:
            status = pgettext("learning results", "resolved")
        elif item.follows_id:
            status = _("continues a finding of cycle %(number)s") % {
                "number": item.follows.report.cycle.number
            }
        else:
            status = pgettext("learning results", "new")
        findings.append(
            Finding(
                cycle=item.report.cycle.number,
                organisation=item.report.organisation.company.name,
                actor_type=item.report.organisation.get_actor_type_display(),
                section=item.get_section_display(),
                text=item.text,
                tags=[t.name for t in item.tags.all()],
                status=status,
            )
        )
    findings_by_cycle = defaultdict(list)
    for finding in findings:
        findings_by_cycle[finding.cycle].append(finding)

    groups = sections_by_kind(programme, language)
    first, last = (cycles[0], cycles[-1]) if cycles else (None, None)
    return {
        "report": report,
        "programme": programme,
        "cycles": cycles,
        "cycle_numbers": numbers,
        "first_day": first.workshop.starts_at if first else None,
        "last_day": last.workshop.starts_at if last else None,
        "organisations": rows,
        "actor_counts": Counter(r.actor_type for r in rows).most_common(),
        "attendance_totals": attendance_totals,
        "tasks_per_cycle": [(n, tasks_per_cycle[n]) for n in numbers],
        "submitted_totals": submitted_totals,
        "attendance_grid": CycleGrid(
            numbers,
            [(r.name, r.attended, r.cycles_attended) for r in rows],
            attendance_totals,
            pgettext("learning results", "Cycles attended"),
            _("Organisations present"),
        ),
        "submission_grid": CycleGrid(
            numbers,
            [(r.name, r.submitted, r.submitted_total) for r in rows],
            submitted_totals,
            _("Total"),
            _("Total"),
        ),
        "evolution_tables": evolution_tables(findings_evolution(programme)),
        "findings": findings,
        "findings_by_cycle": sorted(findings_by_cycle.items()),
        "tools": groups[0][2],
        "recommendations": groups[1][2],
        "built_at": timezone.localtime(),
        # Goes into a CSS string in <style>, where neither HTML escaping nor quotes work.
        "footer_text": footer_text(programme.title),
    }


def title_of(report: FinalReport) -> str:
    with translation.override(report.language):
        return _("Final report: %(title)s") % {"title": report.programme.title}


def build_pdf(context: dict) -> bytes:
    report = context["report"]
    return render_pdf(TEMPLATE, context, language=report.language, title=title_of(report))


def build_xlsx(context: dict) -> bytes:
    """The report's tables as worksheets; free text is never a formula (regiolab.xlsx)."""
    Column, Kind, Typed = xlsx.Column, xlsx.Kind, xlsx.Typed
    programme, numbers = context["programme"], context["cycle_numbers"]
    book = xlsx.XlsxWriter()

    sheet = book.sheet(
        pgettext("learning results", "Programme"), [Column(""), Column("")], header=False
    )
    sheet.append([_("Title"), programme.title])
    sheet.append([pgettext("learning results", "Goal"), programme.goal])
    sheet.append([pgettext("learning results", "Description"), programme.description])
    sheet.append([_("Network"), programme.network.name if programme.network else ""])
    sheet.append([_("Status"), programme.get_status_display()])
    sheet.append([pgettext("learning results", "Start date"), Typed(programme.start, Kind.DATE)])
    sheet.append(
        [
            pgettext("learning results", "Organisations"),
            Typed(len(context["organisations"]), Kind.NUMBER),
        ]
    )
    sheet.append(
        [pgettext("learning results", "Report built"), Typed(context["built_at"], Kind.DATETIME)]
    )

    sheet = book.sheet(
        pgettext("learning results", "Cycles"),
        [
            Column(pgettext("learning results", "Cycle"), Kind.NUMBER),
            Column(pgettext("learning results", "Learning workshop"), Kind.DATETIME),
            Column(pgettext("learning results", "Theme")),
            Column(pgettext("learning results", "Workshop status")),
        ],
    )
    for cycle in context["cycles"]:
        theme = (
            cycle.theme_en if context["report"].language == "en" and cycle.theme_en else cycle.theme
        )
        sheet.append(
            [cycle.number, cycle.workshop.starts_at, theme, cycle.workshop.get_status_display()]
        )

    sheet = book.sheet(
        _("Participants"),
        [
            Column(pgettext("learning results", "Organisation")),
            Column(pgettext("learning results", "Actor type")),
            Column(_("Size class")),
            Column(pgettext("learning results", "Kind of organisation")),
        ],
    )
    for row in context["organisations"]:
        sheet.append([row.name, row.actor_type, row.size_class, row.kind])

    def per_cycle(title: str, values_of, totals, total_label: str) -> None:
        sheet = book.sheet(
            title,
            [Column(pgettext("learning results", "Organisation"))]
            + [
                Column(
                    pgettext("learning results", "Cycle %(number)s") % {"number": n}, Kind.NUMBER
                )
                for n in numbers
            ]
            + [Column(total_label, Kind.NUMBER)],
        )
        for row in context["organisations"]:
            values = values_of(row)
            sheet.append([row.name, *values[0], values[1]])
        sheet.append([_("Total"), *totals, None])

    per_cycle(
        pgettext("learning results", "Attendance"),
        lambda r: (r.attended, r.cycles_attended),
        context["attendance_totals"],
        pgettext("learning results", "Cycles attended"),
    )
    per_cycle(
        pgettext("learning results", "Tasks submitted"),
        lambda r: (r.submitted, r.submitted_total),
        context["submitted_totals"],
        _("Total"),
    )

    for table in context["evolution_tables"]:
        sheet = book.sheet(
            f"{_('Evolution')} – {table.title}",
            [Column(h) for h in table.key_headers] + [Column(c) for c in table.columns],
        )
        for keys, cells in table.rows:
            sheet.append([*keys, *(_number(c) for c in cells)])

    sheet = book.sheet(
        pgettext("learning results", "Findings"),
        [
            Column(pgettext("learning results", "Cycle"), Kind.NUMBER),
            Column(pgettext("learning results", "Organisation")),
            Column(pgettext("learning results", "Actor type")),
            Column(pgettext("learning results", "Section")),
            Column(pgettext("learning results", "Finding")),
            Column(pgettext("learning results", "Tags")),
            Column(_("Status")),
        ],
    )
    for f in context["findings"]:
        sheet.append(
            [f.cycle, f.organisation, f.actor_type, f.section, f.text, ", ".join(f.tags), f.status]
        )

    sheet = book.sheet(
        pgettext("learning results", "Results"),
        [Column(_("Kind")), Column(_("Title")), Column(pgettext("learning results", "Text"))],
    )
    for label, shown in [(pgettext("learning results", "Tool"), s) for s in context["tools"]] + [
        (pgettext("learning results", "Policy recommendation"), s)
        for s in context["recommendations"]
    ]:
        sheet.append([label, shown.title, shown.body])
    return book.save()


def _number(text: str):
    """A figure of the evolution as a number cell where it is one."""
    try:
        return int(text)
    except (TypeError, ValueError):
        return text


def build(report: FinalReport, *, progress: Callable[[int], None] = lambda p: None):
    """PDF and XLSX bytes for ``report`` in its language; ``progress`` hears 0-100."""
    with translation.override(report.language):
        context = context_for(report)
        progress(30)
        table = build_xlsx(context)
        progress(45)
        pdf = build_pdf(context)
        progress(95)
    return pdf, table
