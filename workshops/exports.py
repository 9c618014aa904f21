"""Participant lists of a workshop as CSV and XLSX.

Text that a spreadsheet would run as a formula is neutralised, since names and company
names come from the public registration form.
"""

import csv
import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from regiolab.validators import neutralise_formula

from .models import Registration, Workshop

CSV_DELIMITER = ";"  # German Excel splits on ; (the comma is the decimal separator there)
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    _("Last name"),
    _("First name"),
    _("E-mail"),
    _("Company"),
    _("Size class"),
    _("Status"),
    _("Waitlist position"),
    _("Registered"),
    _("Attendance recorded"),
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


def rows(registrations: Sequence[Registration]) -> list[list]:
    """One row per registration; ``registrations`` come with company and ``position``."""
    table = []
    for registration in registrations:
        values = [
            registration.last_name,
            registration.first_name,
            registration.email,
            company_of(registration),
            str(size_class_of(registration)),
            str(registration.get_status_display()),
            getattr(registration, "position", None) or "",
            _datetime(registration.created_at),
            _datetime(registration.attendance_marked_at),
        ]
        table.append([neutralise_formula(value) for value in values])
    return table


def filename(workshop: Workshop, extension: str) -> str:
    return f"teilnehmende-{workshop.slug}.{extension}"


def participants_csv(registrations: Sequence[Registration]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER)
    writer.writerow([str(column) for column in COLUMNS])
    writer.writerows(rows(registrations))
    # The byte order mark makes Excel read the file as UTF-8 (umlauts).
    return buffer.getvalue().encode("utf-8-sig")


def participants_xlsx(workshop: Workshop, registrations: Sequence[Registration]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Participants"))[:31]
    sheet.append([str(column) for column in COLUMNS])
    for row in rows(registrations):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
