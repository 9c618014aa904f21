"""The monitoring report of an action plan for a period, as Interreg's follow-up asks: each
action's status, its indicators' values against their targets (as of the period's end) and the
period's narrative; a tagged PDF (regiolab.pdf) and an XLSX twin (regiolab.xlsx). The queries
do not grow with the number of actions or indicators."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from regiolab import xlsx
from regiolab.pdf import footer_text, render_pdf

from ..models import MonitoringNarrative, MonitoringReport
from . import selectors

TEMPLATE = "pdf/policy_monitoring_report.html"


def context_for(report: MonitoringReport) -> dict:
    plan = report.plan
    rows = selectors.plan_rows(plan, since=plan.period_start, until=report.period_end)
    narratives = dict(
        MonitoringNarrative.objects.filter(report=report).values_list("action_id", "text")
    )
    for row in rows:
        row.narrative = narratives.get(row.action.pk, "")
    return {
        "report": report,
        "plan": plan,
        "rows": rows,
        "status_counts": selectors.status_counts(rows),
        "built_at": timezone.localtime(),
        # Goes into a CSS string in <style>, where neither HTML escaping nor quotes work.
        "footer_text": footer_text(plan.title),
    }


def title_of(report: MonitoringReport) -> str:
    return _("Monitoring report: %(title)s") % {"title": report.plan.title}


def build_pdf(context: dict) -> bytes:
    report = context["report"]
    return render_pdf(
        TEMPLATE, context, language=translation.get_language(), title=title_of(report)
    )


def _responsible(action) -> str:
    return action.responsible.name if action.responsible_id else action.responsible_text


def _funding(action) -> str:
    return str(action.grant) if action.grant_id else action.funding_text


def build_xlsx(context: dict) -> bytes:
    """The report's tables as worksheets; free text is never a formula (regiolab.xlsx)."""
    Column, Kind, Typed = xlsx.Column, xlsx.Kind, xlsx.Typed
    plan, report = context["plan"], context["report"]
    book = xlsx.XlsxWriter()
    sheet = book.sheet(_("Action plan"), [Column(""), Column("")], header=False)
    sheet.append([_("Title"), plan.title])
    sheet.append([_("Region"), plan.region])
    sheet.append([_("Plan period from"), Typed(plan.period_start, Kind.DATE)])
    sheet.append([_("Plan period until"), Typed(plan.period_end, Kind.DATE)])
    sheet.append([_("Monitoring period from"), Typed(report.period_start, Kind.DATE)])
    sheet.append([_("Monitoring period until"), Typed(report.period_end, Kind.DATE)])
    sheet.append([_("Stakeholder group"), plan.group.name if plan.group_id else ""])
    sheet.append([_("Report built"), Typed(context["built_at"], Kind.DATETIME)])

    sheet = book.sheet(
        pgettext("action plan", "Actions"),
        [
            Column(_("No."), Kind.NUMBER),
            Column(pgettext("action plan", "Action")),
            Column(_("Status")),
            Column(_("Responsible organisation")),
            Column(_("From"), Kind.DATE),
            Column(_("Until"), Kind.DATE),
            Column(_("Estimated cost (EUR)"), Kind.MONEY),
            Column(_("Funding source")),
            Column(_("Narrative")),
        ],
    )
    for n, row in enumerate(context["rows"], 1):
        a = row.action
        sheet.append(
            [n, a.title, a.get_status_display(), _responsible(a), a.starts_on, a.ends_on,
             a.estimated_cost, _funding(a), row.narrative]
        )  # fmt: skip

    sheet = book.sheet(
        _("Indicators"),
        [
            Column(_("No."), Kind.NUMBER),
            Column(pgettext("action plan", "Action")),
            Column(_("Indicator")),
            Column(_("Unit")),
            Column(_("Source")),
            Column(_("Value"), Kind.NUMBER),
            Column(_("Target"), Kind.NUMBER),
            Column(_("Reached (%)"), Kind.NUMBER),
            Column(_("As of"), Kind.DATE),
        ],
    )
    for n, row in enumerate(context["rows"], 1):
        for status in row.indicators:
            i = status.indicator
            sheet.append(
                [n, row.action.title, i.name, i.unit, i.get_source_display(), status.value,
                 status.target, status.percent, status.measured_on]
            )  # fmt: skip
    return book.save()


def build(report: MonitoringReport, *, progress: Callable[[int], None] = lambda p: None):
    """PDF and XLSX bytes for ``report`` in the portal's language; ``progress`` hears 0-100."""
    with translation.override(settings.LANGUAGE_CODE):
        context = context_for(report)
        progress(30)
        table = build_xlsx(context)
        progress(45)
        pdf = build_pdf(context)
        progress(95)
    return pdf, table
