"""Import of expenditures from CSV or XLSX: validate every row, then save all or none."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from regiolab import uploads
from regiolab.validators import no_formula, no_markup

from . import services
from .forms import ExpenditureForm
from .models import CostCategory, Grant

COLUMNS = ("date", "category", "payee", "purpose", "amount", "receipt_reference")
TEXT_COLUMNS = ("payee", "purpose", "receipt_reference")
GERMAN_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)$")


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    saved: int = 0


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_rows(name: str, content: bytes) -> list[list[str]]:
    # In memory only, never stored; regiolab.uploads checks the bytes are what the name says.
    if name.lower().endswith(".xlsx"):
        book = uploads.open_workbook(content, data_only=True)
        rows, blank_run = [], 0
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                cells = [_cell(v) for v in row]
                blank_run = 0 if any(cells) else blank_run + 1
                if blank_run > 20:  # formatted but empty rows down to 1,048,576: stop reading
                    break
                rows.append(cells)
        finally:
            book.close()
        return rows
    text = uploads.decode_text(content)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = uploads.checked_csv_rows(csv.reader(io.StringIO(text), delimiter=delimiter))
    return [[c.strip() for c in row] for row in reader]


def _normalise(raw: dict) -> dict:
    data = dict(raw)
    amount = data.get("amount", "")
    if GERMAN_NUMBER.match(amount):
        data["amount"] = amount.replace(".", "").replace(",", ".")
    day = data.get("date", "")
    if re.match(r"^\d{1,2}\.\d{1,2}\.\d{4}$", day):
        d, m, y = day.split(".")
        data["date"] = f"{y}-{int(m):02d}-{int(d):02d}"
    category = data.get("category", "").lower()
    labels = {str(label).lower(): value for value, label in CostCategory.choices}
    data["category"] = labels.get(category, category)
    return data


def import_expenditures(*, grant: Grant, name: str, content: bytes, user) -> ImportResult:
    """Check every row with the expenditure form; save all rows only if none has an error."""
    result = ImportResult()
    if len(content) > settings.IMPORT_MAX_BYTES:
        result.errors.append((0, str(_("The file is too large."))))
        return result
    try:
        rows = _read_rows(name, content)
    except (ValidationError, csv.Error) as exc:
        result.errors.append((0, " ".join(getattr(exc, "messages", [str(exc)]))))
        return result
    if not any(any(r) for r in rows):
        result.errors.append((0, str(_("The file is empty."))))
        return result
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        result.errors.append(
            (1, str(_("Missing columns: %(columns)s")) % {"columns": ", ".join(missing)})
        )
        return result
    body = rows[1:]
    if len(body) > settings.IMPORT_MAX_ROWS:
        result.errors.append((0, str(_("The file has too many rows."))))
        return result
    for line, row in enumerate(body, start=2):
        if not any(row):
            continue
        raw = {key: (row[i] if i < len(row) else "") for i, key in enumerate(header)}
        data = _normalise({k: raw.get(k, "") for k in COLUMNS})
        form = ExpenditureForm(data=data, grant=grant)
        errors = []
        if not form.is_valid():
            for key, messages in form.errors.items():
                prefix = f"{key}: " if key != "__all__" else ""
                errors += [f"{prefix}{m}" for m in messages]
        for key in TEXT_COLUMNS:
            for check in (no_markup, no_formula):
                try:
                    check(data[key])
                except ValidationError as exc:
                    errors += [f"{key}: {m}" for m in exc.messages]
        if errors:
            result.errors += [(line, e) for e in errors]
            continue
        result.rows.append(form.cleaned_data)
    if result.errors or not result.rows:
        if not result.errors:
            result.errors.append((0, str(_("The file has no expenditure rows."))))
        return result
    with transaction.atomic():
        for data in result.rows:
            services.record_expenditure(grant=grant, created_by=user, **data)
    result.saved = len(result.rows)
    return result
