"""Participant lists of a workshop as CSV and XLSX.

The XLSX goes through ``regiolab.xlsx`` (dates as dates, names always text). The CSV
neutralises text that a spreadsheet would run as a formula, since names and company names
come from the public registration form and a CSV cannot say "this is text".
"""

import csv
import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regiolab import xlsx
from regiolab.validators import neutralise_formula

from ..models import Registration, Workshop

CSV_DELIMITER = ";"  # German Excel splits on ; (the comma is the decimal separator there)
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = xlsx.CONTENT_TYPE
COLUMNS = (
    xlsx.Column(_("Last name")),
    xlsx.Column(_("First name")),
    xlsx.Column(_("E-mail")),
    xlsx.Column(_("Company")),
    xlsx.Column(_("Size class")),
    xlsx.Column(_("Status")),
    xlsx.Column(_("Waitlist position"), xlsx.Kind.NUMBER),
    xlsx.Column(_("Registered"), xlsx.Kind.DATETIME),
    xlsx.Column(_("Attendance recorded"), xlsx.Kind.DATETIME),
)


def _datetime(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def company_of(registration: Registration) -> str:
    if registration.company_id:
        return registration.company.name
    return registration.company_name


def size_class_of(registration: Registration) -> str:
    if registration.company_id and registration.company.size_class_stored:
        return registration.company.get_size_class_stored_display()
    return ""


def values(registration: Registration) -> list:
    """One row, typed; ``registration`` comes with its company and ``position``."""
    return [
        registration.last_name,
        registration.first_name,
        registration.email,
        company_of(registration),
        str(size_class_of(registration)),
        str(registration.get_status_display()),
        getattr(registration, "position", None),
        registration.created_at,
        registration.attendance_marked_at,
    ]


def rows(registrations: Sequence[Registration]) -> list[list]:
    """The CSV's rows: text as German Excel reads it, formula-like text neutralised."""
    table = []
    for registration in registrations:
        row = values(registration)
        row[6] = row[6] or ""
        row[7], row[8] = _datetime(row[7]), _datetime(row[8])
        table.append([neutralise_formula(value) for value in row])
    return table


def filename(workshop: Workshop, extension: str) -> str:
    return f"teilnehmende-{workshop.slug}.{extension}"


def participants_csv(registrations: Sequence[Registration]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER)
    writer.writerow([str(column.header) for column in COLUMNS])
    writer.writerows(rows(registrations))
    # The byte order mark makes Excel read the file as UTF-8 (umlauts).
    return buffer.getvalue().encode("utf-8-sig")


def participants_xlsx(workshop: Workshop, registrations: Sequence[Registration]) -> bytes:
    return xlsx.workbook_bytes(
        _("Participants"), COLUMNS, (values(registration) for registration in registrations)
    )
