"""Export of companies in the import template's columns, so an export imports again.

Text that a spreadsheet would run as a formula is neutralised. Rows are read in chunks with
the topics prefetched per chunk, so the number of queries does not grow with the rows (beyond
one pair per chunk).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from regiolab.models import Topic
from regiolab.validators import neutralise_formula

from .importing import COLUMN_KEYS, COLUMNS, TOPIC_SEPARATOR, allowed_values, iter_template_rows
from .models import Company

CHUNK_SIZE = 2000
CSV_DELIMITER = ";"  # German Excel splits on ; (the comma is the decimal separator there)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_queryset(companies: QuerySet[Company]) -> Iterator[Company]:
    return companies.prefetch_related(
        Prefetch("training_needs", queryset=Topic.objects.only("pk", "slug").order_by("slug"))
    ).iterator(chunk_size=CHUNK_SIZE)


def _row(company: Company, *, decimal_comma: bool) -> list:
    def number(value):
        if value is None:
            return ""
        if not decimal_comma:
            return value
        text = f"{Decimal(value).normalize():f}"
        return text.replace(".", ",")

    values = {
        "name": company.name,
        "legal_form": company.legal_form,
        "register_number": company.register_number,
        "street": company.street,
        "postcode": company.postcode,
        "city": company.city,
        "municipality": company.municipality,
        "sector": company.sector,
        "sector_code": company.sector_code,
        "kind": company.kind,
        "headcount": number(company.headcount),
        "annual_turnover": number(company.annual_turnover),
        "balance_sheet_total": number(company.balance_sheet_total),
        "figures_year": company.figures_year if company.figures_year is not None else "",
        "website": company.website,
        "training_needs": TOPIC_SEPARATOR.join(t.slug for t in company.training_needs.all()),
        "contact_consent": "yes" if company.contact_consent else "no",
    }
    return [neutralise_formula(values[key]) for key in COLUMN_KEYS]


class _Echo:
    """A write-only file for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def iter_csv(rows: Iterable[list]) -> Iterator[str]:
    """UTF-8 with BOM and ; so German Excel opens umlauts and columns correctly."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER, lineterminator="\r\n")
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def iter_export_csv(companies: QuerySet[Company]) -> Iterator[str]:
    yield from iter_csv(_export_rows(companies, decimal_comma=True))


def _export_rows(companies: QuerySet[Company], *, decimal_comma: bool) -> Iterator[list]:
    yield list(COLUMN_KEYS)
    for company in _export_queryset(companies):
        yield _row(company, decimal_comma=decimal_comma)


def build_export_xlsx(companies: QuerySet[Company]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("companies")
    for row in _export_rows(companies, decimal_comma=False):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> str:
    return "".join(iter_csv(iter_template_rows()))


def template_xlsx() -> bytes:
    """Header and example row, plus a second sheet explaining each column."""
    import openpyxl
    from django.utils.translation import gettext as _

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("companies")
    for row in iter_template_rows():
        sheet.append(row)
    help_sheet = workbook.create_sheet(_("Explanations")[:31])
    help_sheet.append([_("Column"), _("Required"), _("Meaning"), _("Allowed values")])
    allowed = allowed_values()
    for column in COLUMNS:
        help_sheet.append(
            [
                column.key,
                _("yes") if column.required else _("no"),
                str(column.help),
                allowed.get(column.key, ""),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
