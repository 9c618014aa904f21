"""Progress report builder: one context, rendered as PDF (WeasyPrint) and as XLSX."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from regiolab import xlsx
from regiolab.links import absolute_url
from regiolab.pdf import render_pdf
from workshops.models import Registration

from . import selectors
from .models import CofinancingShare, ProgressReport
from .money import to_cents

CHART_WIDTH = 300  # width of a 100 % bar in the SVG chart, in SVG units
CHART_ROW = 22


@dataclass
class ChartBar:
    label: str
    y: int
    width: int
    target_x: int
    percent: int


def _chart(rows) -> dict:
    """Bars of actual against target (100 % mark), capped at 150 % so the chart stays narrow."""
    bars = []
    for i, row in enumerate(rows):
        percent = row.percent
        bars.append(
            ChartBar(
                label=row.label,
                y=i * CHART_ROW,
                width=int(min(percent, 150) * CHART_WIDTH / 100),
                target_x=CHART_WIDTH,
                percent=percent,
            )
        )
    return {"bars": bars, "height": max(len(bars) * CHART_ROW, CHART_ROW), "scale": CHART_WIDTH}


def context_for(report: ProgressReport) -> dict:
    grant = report.grant
    # Loaded once here; the selectors below read them through .all() instead of a query each.
    prefetch_related_objects(
        [grant],
        Prefetch("shares", queryset=CofinancingShare.objects.select_related("funder")),
        "networks",
        "indicators",
    )
    # One moment for the figures and the list of workshops held: as of the build.
    now = timezone.now()
    values = selectors.grant_indicators(
        grant=grant, period_start=report.period_start, period_end=report.period_end, now=now
    )
    rows = selectors.indicator_rows(grant=grant, values=values)
    statement = selectors.financial_statement(grant=grant, period_end=report.period_end)
    held = selectors.held_workshops(
        network_ids=[n.pk for n in grant.networks.all()],
        period_start=report.period_start,
        period_end=report.period_end,
        now=now,
    )
    workshops = list(held.select_related("network").order_by("starts_at", "pk"))
    attended = Counter(
        dict(
            selectors.recorded_attendance(held)
            .values_list("workshop_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    for w in workshops:
        w.attended_count = attended[w.pk]
    receipts = list(
        selectors.expenditures_of(
            grant=grant, period_start=report.period_start, period_end=report.period_end
        )
    )
    for e in receipts:
        # The portal's permission-checked address of the scan (coordinators, the funders).
        e.receipt_url = absolute_url(e.get_receipt_url()) if e.receipt_file else ""
    genders = dict(Registration.Gender.choices)
    ages = dict(Registration.AgeBand.choices)
    breakdown = [
        (genders.get(k, k), n) for k, n in sorted(values["participants_by_gender"].items())
    ] + [(ages.get(k, k), n) for k, n in sorted(values["participants_by_age_band"].items())]
    return {
        "breakdown": breakdown,
        "report": report,
        "grant": grant,
        "shares": selectors.share_amounts(grant=grant),
        "networks": list(grant.networks.all()),  # prefetched; TrainingNetwork orders by name
        "values": values,
        "indicator_rows": rows,
        "chart": _chart(rows),
        "statement": statement,
        "workshops": workshops,
        "receipts": receipts,
        "receipts_total": sum((r.amount for r in receipts), Decimal(0)),
        "receipts_linked": any(r.receipt_url for r in receipts),
        # Goes into a CSS string in <style>, where neither HTML escaping nor quotes work.
        "footer_text": "".join(c for c in grant.reference if c not in '"\\<>&'),
    }


def build_pdf(context: dict, language: str) -> bytes:
    report = context["report"]
    with translation.override(language):  # the title in the report's language, as its text
        title = f"{report.get_kind_display()} {report.grant.reference}"
    return render_pdf("pdf/report.html", context, language=language, title=title)


def build_xlsx(context: dict) -> bytes:
    """The report's tables as worksheets: overview, indicators, financial statement, receipts.

    Amounts are numbers with two decimals, dates are dates, free text is never a formula
    (``regiolab.xlsx``); the currency stands in the amount columns' headers.
    """
    grant, report, statement = context["grant"], context["report"], context["statement"]
    currency = grant.currency
    Column, Kind, Typed = xlsx.Column, xlsx.Kind, xlsx.Typed

    def money_column(label: str) -> xlsx.Column:
        return Column(f"{label} ({currency})", Kind.MONEY)

    book = xlsx.XlsxWriter()
    # Label and value rows: no header row, each value typed by itself.
    sheet = book.sheet(_("Overview"), [Column(""), Column(""), Column("")], header=False)
    sheet.append([_("Reference number"), Typed(grant.reference, Kind.CODE)])
    sheet.append([_("Title"), grant.title])
    sheet.append([_("Period"), report.period_start, report.period_end])
    sheet.append([_("Currency"), grant.currency])
    sheet.append(
        [_("Total eligible costs"), Typed(to_cents(grant.total_eligible_costs), Kind.MONEY)]
    )
    sheet.append([])
    sheet.append([_("Funder"), _("Share (%)"), f"{_('Amount')} ({currency})"])
    for share, amount in context["shares"]:
        sheet.append([share.funder.name, share.percent, Typed(amount, Kind.MONEY)])

    sheet = book.sheet(
        _("Indicators"),
        [
            Column(_("Indicator")),
            Column(_("Code")),
            Column(_("Target"), Kind.NUMBER),
            Column(_("Actual"), Kind.NUMBER),
        ],
    )
    for row in context["indicator_rows"]:
        sheet.append([row.label, row.code, row.target, row.actual])

    shares = statement.shares
    sheet = book.sheet(
        _("Financial statement"),
        [
            Column(_("Year"), Kind.NUMBER),
            Column(_("Cost category")),
            money_column(_("Budget")),
            money_column(_("Spent")),
            money_column(_("Remaining")),
        ]
        + [money_column(s.funder.name) for s in shares],
    )
    for row in statement.rows:
        sheet.append(
            [row.year, row.label, to_cents(row.budget), to_cents(row.spent),
             to_cents(row.remaining), *row.share_parts]
        )  # fmt: skip
    sheet.append(
        [_("Total"), None, to_cents(statement.budget_total), to_cents(statement.spent_total),
         to_cents(statement.budget_total - statement.spent_total), *statement.spent_share_parts]
    )  # fmt: skip

    sheet = book.sheet(
        _("Receipts"),
        [
            Column(_("Date"), Kind.DATE),
            Column(_("Receipt"), Kind.CODE),
            Column(_("Payee")),
            Column(_("Purpose")),
            Column(_("Cost category")),
            money_column(_("Amount")),
        ],
    )
    for e in context["receipts"]:
        # The receipt's number links to its scan in the portal, where one is attached.
        number = (
            xlsx.Link(e.receipt_reference, e.receipt_url)
            if e.receipt_url
            else Typed(e.receipt_reference, Kind.CODE)
        )
        sheet.append(
            [e.date, number, e.payee, e.purpose, e.get_category_display(), to_cents(e.amount)]
        )
    return book.save()


def build(report: ProgressReport) -> tuple[bytes, bytes]:
    """PDF and XLSX bytes for ``report``, in the grant's report language."""
    language = report.grant.report_language
    with translation.override(language):
        context = context_for(report)
        xlsx = build_xlsx(context)
    return build_pdf(context, language), xlsx
