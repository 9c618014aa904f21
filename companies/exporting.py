"""Export of companies in the import template's columns, so an export imports again.

The header names the columns in the user's language (the importer reads those names as well as
the keys); two columns for reading only follow: the size class and the active networks. Rows
are read in chunks with topics and networks prefetched per chunk, so the number of queries does
not grow with the rows (beyond one set per chunk). The XLSX goes through ``regiolab.xlsx``
(typed cells); the CSV is for German Excel (; and a byte order mark) and neutralises text that
a spreadsheet would run as a formula, since a CSV cannot say "this is text".
"""

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from regiolab import xlsx
from regiolab.models import Topic
from regiolab.validators import neutralise_formula

from .importing import (
    COLUMN_KEYS,
    COLUMNS,
    EXPORT_ONLY_KEYS,
    NETWORK_SEPARATOR,
    TOPIC_SEPARATOR,
    allowed_values,
    column_label,
    iter_template_rows,
)
from .models import Company, profile_values
from .selectors import ACTIVE_NETWORK_MEMBERSHIP

CHUNK_SIZE = 2000
CSV_DELIMITER = ";"  # German Excel splits on ; (the comma is the decimal separator there)
XLSX_CONTENT_TYPE = xlsx.CONTENT_TYPE
EXPORT_KEYS = COLUMN_KEYS + EXPORT_ONLY_KEYS
XLSX_KINDS = {
    "register_number": xlsx.Kind.CODE,
    "postcode": xlsx.Kind.CODE,
    "sector_code": xlsx.Kind.CODE,  # "25.62" is a code, not a number
    "headcount": xlsx.Kind.NUMBER,
    "annual_turnover": xlsx.Kind.MONEY,
    "balance_sheet_total": xlsx.Kind.MONEY,
    "figures_year": xlsx.Kind.NUMBER,
}


def _export_queryset(companies: QuerySet[Company]) -> Iterator[Company]:
    memberships = Company._meta.get_field("network_memberships").related_model
    return companies.prefetch_related(
        Prefetch("training_needs", queryset=Topic.objects.only("pk", "slug").order_by("slug")),
        Prefetch(
            "network_memberships",
            queryset=memberships.objects.filter(status=ACTIVE_NETWORK_MEMBERSHIP)
            .select_related("network")
            .only("company_id", "network__name")
            .order_by("network__name"),
            to_attr="active_memberships",
        ),
    ).iterator(chunk_size=CHUNK_SIZE)


def _values(company: Company) -> dict:
    return {
        **profile_values(company),
        "training_needs": TOPIC_SEPARATOR.join(t.slug for t in company.training_needs.all()),
        "contact_consent": "yes" if company.contact_consent else "no",
        "size_class": str(company.get_size_class_stored_display()),
        "networks": NETWORK_SEPARATOR.join(m.network.name for m in company.active_memberships),
    }


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):  # German notation, as the importer reads it back
        return f"{value.normalize():f}".replace(".", ",")
    return neutralise_formula(value)


def export_header() -> list[str]:
    """Column names in the active language (the importer knows them in every language)."""
    return [column_label(key) for key in EXPORT_KEYS]


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
    # The header is translated now, while the request's language is active; the rows stream.
    header = export_header()

    def rows():
        yield header
        for company in _export_queryset(companies):
            values = _values(company)
            yield [_csv_cell(values[key]) for key in EXPORT_KEYS]

    return iter_csv(rows())


def build_export_xlsx(companies: QuerySet[Company]) -> bytes:
    columns = [
        xlsx.Column(label, XLSX_KINDS.get(key, xlsx.Kind.TEXT))
        for key, label in zip(EXPORT_KEYS, export_header(), strict=True)
    ]
    writer = xlsx.XlsxWriter()
    sheet = writer.sheet(_("Companies"), columns)
    for company in _export_queryset(companies):
        values = _values(company)
        sheet.append([values[key] for key in EXPORT_KEYS])
    return writer.save()


def template_csv() -> str:
    return "".join(iter_csv(iter_template_rows()))


def template_xlsx() -> bytes:
    """Header and example row, plus a second sheet explaining each column."""
    writer = xlsx.XlsxWriter()
    # The examples are text as a user types them ("4.000.000,00", "ja"): the importer reads them.
    template = writer.sheet("companies", [xlsx.Column(key, xlsx.Kind.TEXT) for key in COLUMN_KEYS])
    header, *examples = list(iter_template_rows())
    template.extend(examples)
    allowed = allowed_values()
    explanations = writer.sheet(
        _("Explanations"),
        [
            xlsx.Column(_("Column")),
            xlsx.Column(_("Required")),
            xlsx.Column(_("Meaning")),
            xlsx.Column(_("Allowed values")),
        ],
    )
    for column in COLUMNS:
        explanations.append(
            [
                column.key,
                _("yes") if column.required else _("no"),
                str(column.help),
                allowed.get(column.key, ""),
            ]
        )
    return writer.save()
