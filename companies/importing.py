"""Bulk import of companies from CSV or XLSX: read, validate every row, then save all or none.

The upload is read from memory only (see ``regiolab.uploads.MemoryOnlyUploadHandler``) and
never stored: nothing is written to disk, and the file is gone when the request ends. Each row
goes through a ModelForm so the messages are the model's own, plus the checks a spreadsheet
needs (formulas, markup, duplicates, topic keys, yes/no values, German numbers).
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from regiolab import uploads
from regiolab.models import Topic
from regiolab.validators import no_formula, no_markup

from .models import MUNICIPALITIES, Company, Sector

# --- Columns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    required: bool
    help: str
    example: str


COLUMNS: tuple[Column, ...] = (
    Column("name", True, _("Name of the company (max. 200 characters)."), "Müller Fräs GmbH"),
    Column("legal_form", False, _("Legal form, e.g. GmbH, KG, e.K."), "GmbH"),
    Column("register_number", False, _("Commercial register number."), "HRB 123456"),
    Column("street", False, _("Street and house number."), "Industrieweg 1"),
    Column("postcode", False, _("Postcode (max. 10 characters)."), "30159"),
    Column("city", True, _("City."), "Hannover"),
    Column("municipality", False, _("Town or municipality of the region."), "Hannover"),
    Column("sector", True, _("NACE section letter."), "C"),
    Column("sector_code", False, _("WZ 2008 code, e.g. 25.62."), "25.62"),
    Column("kind", False, _("Kind of organisation; empty means sme."), "sme"),
    Column("headcount", True, _("Staff headcount in annual work units, one decimal place."), "25"),
    Column(
        "annual_turnover",
        False,
        _("Annual turnover in EUR; 1234567.89 or 1.234.567,89."),
        "4.000.000,00",
    ),
    Column(
        "balance_sheet_total",
        False,
        _("Balance-sheet total in EUR; 1234567.89 or 1.234.567,89."),
        "3000000",
    ),
    Column("figures_year", False, _("Reference year of the figures (1990–2100)."), "2025"),
    Column("website", False, _("Website starting with http:// or https://."), ""),
    Column(
        "training_needs",
        False,
        _("Topic keys separated by |, e.g. digitalisation|robotics."),
        "",
    ),
    Column(
        "contact_consent",
        False,
        _("Agrees to be contacted: yes/no, ja/nein, 1/0, true/false; empty means no."),
        "ja",
    ),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
REQUIRED_COLUMNS = tuple(c.key for c in COLUMNS if c.required)
TEXT_COLUMNS = (
    "name",
    "legal_form",
    "register_number",
    "street",
    "postcode",
    "city",
    "municipality",
    "sector_code",
)
NUMBER_COLUMNS = ("headcount", "annual_turnover", "balance_sheet_total", "figures_year")
FORM_COLUMNS = tuple(k for k in COLUMN_KEYS if k not in ("training_needs", "contact_consent"))
TOPIC_SEPARATOR = "|"
# Columns the export adds for reading (size class, active networks); the importer skips them.
EXPORT_ONLY_KEYS = ("size_class", "networks")
NETWORK_SEPARATOR = ", "
YES = {"yes", "ja", "j", "y", "1", "true", "wahr", "x"}
NO = {"no", "nein", "n", "0", "false", "falsch", ""}
MAX_SHOWN_ERRORS = 200


def column_label(key: str) -> str:
    """A column's name in the active language, as the export's header shows it."""
    if key == "networks":
        return capfirst(_("active networks"))
    field_name = "size_class_stored" if key == "size_class" else key
    return capfirst(Company._meta.get_field(field_name).verbose_name)


def _keys_by_header() -> dict[str, str]:
    """Every name a column may have in a header: its key and its label in each language."""
    names = {}
    for key in COLUMN_KEYS + EXPORT_ONLY_KEYS:
        for code, _language in settings.LANGUAGES:
            with translation.override(code):
                names[column_label(key).casefold()] = key
        names[key] = key
    return names


def header_keys(header: list[str]) -> list[str]:
    """The column keys of a header row; export-only columns become "" (skipped)."""
    names = _keys_by_header()
    keys = []
    for cell in header:
        text = cell.strip().lstrip("\ufeff").strip()
        key = names.get(text.casefold(), text.lower())
        keys.append("" if key in EXPORT_ONLY_KEYS else key)
    return keys


def allowed_values() -> dict[str, str]:
    """The allowed values per column, for the template's explanation sheet."""
    return {
        "sector": ", ".join(Sector.values),
        "kind": ", ".join(Company.Kind.values),
        "municipality": ", ".join(MUNICIPALITIES),
        "training_needs": ", ".join(Topic.objects.order_by("slug").values_list("slug", flat=True)),
        "contact_consent": "yes, no, ja, nein, 1, 0, true, false",
    }


def columns_with_allowed_values() -> list[dict]:
    allowed = allowed_values()
    return [
        {"key": c.key, "required": c.required, "help": c.help, "allowed": allowed.get(c.key, "")}
        for c in COLUMNS
    ]


# --- Errors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One problem: ``line`` as the user sees it (header = 1), None for the whole file."""

    message: str
    line: int | None = None
    column: str = ""


class ImportRejected(Exception):
    """Nothing was saved; ``errors`` says why."""

    def __init__(self, errors: list[ImportProblem]):
        super().__init__(f"{len(errors)} import errors")
        self.errors = sorted(errors, key=lambda e: (e.line or 0, COLUMN_ORDER.get(e.column, 99)))

    @property
    def file_errors(self) -> list[ImportProblem]:
        return [e for e in self.errors if e.line is None]

    @property
    def row_errors(self) -> list[ImportProblem]:
        return [e for e in self.errors if e.line is not None]


COLUMN_ORDER = {key: i for i, key in enumerate(COLUMN_KEYS)}


def _reject(message) -> ImportRejected:
    return ImportRejected([ImportProblem(message=str(message))])


# --- Upload: in memory only, size-capped, checked by content (regiolab.uploads) ------------


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File with companies"),
        help_text=_(
            "CSV (separated by ; or ,) or Excel workbook (.xlsx), at most %(size)s and "
            "%(rows)s rows. The first row names the columns, as in the template."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = self.fields["file"].help_text
        self.fields["file"].help_text = help_text % {
            "size": filesizeformat(settings.IMPORT_MAX_BYTES),
            "rows": settings.IMPORT_MAX_ROWS,
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.validate_table_upload(upload)
        return upload


# --- Reading: bytes → header + rows of text -------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells)
    # (line, column) of cells that were numbers in the workbook, not text
    numeric_cells: set[tuple[int, int]] = field(default_factory=set)


MAX_BLANK_ROWS = 1000


def read_table(*, data: bytes, filename: str) -> Table:
    """Parse the upload by its content; the extension only says what it should be."""
    if not data.strip().removeprefix(b"\xef\xbb\xbf").strip():
        raise _reject(uploads.EMPTY)
    table = _read_xlsx(data) if filename.lower().endswith(".xlsx") else _read_csv(data)
    if not any(table.header):
        raise _reject(_("The first row must name the columns, as in the template."))
    if not table.rows:
        raise _reject(_("The file has only the header row and no companies."))
    return table


def _decode(data: bytes) -> str:
    try:
        return uploads.decode_text(data)
    except ValidationError as exc:
        raise _reject(exc.messages[0]) from exc


def _read_csv(data: bytes) -> Table:
    """Lines are counted per record, as a spreadsheet numbers its rows (header = 1)."""
    text = _decode(data)
    lines = text[:16384].splitlines()[:20]
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines), delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";"
    # The header holds only column names (no commas or semicolons inside), so it is the surest
    # witness when the sniffer is misled by decimal commas in the data rows.
    counts = {d: lines[0].count(d) for d in ";,\t"} if lines else {}
    if counts and counts[delimiter] < max(counts.values()):
        delimiter = max(counts, key=counts.get)

    reader = uploads.checked_csv_rows(
        csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    )
    try:
        header = next(reader, [])
        rows: list[tuple[int, list[str]]] = []
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= settings.IMPORT_MAX_ROWS:
                raise _too_many_rows()
            rows.append((line, cells))
    except ValidationError as exc:  # a field too long
        raise _reject(exc.messages[0]) from exc
    except csv.Error as exc:
        raise _reject(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc
    return Table(header=header, rows=rows)


def _too_many_rows() -> ImportRejected:
    return _reject(
        _("The file has more than %(max)s rows; please split it into smaller files.")
        % {"max": settings.IMPORT_MAX_ROWS}
    )


def _read_xlsx(data: bytes) -> Table:
    try:
        workbook = uploads.open_workbook(data)
    except ValidationError as exc:
        raise _reject(exc.messages[0]) from exc
    try:
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(min_row=1, max_col=200)
        header_cells = next(rows_iter, ())
        header = [_cell_text(c.value) for c in header_cells]
        while header and not header[-1]:
            header.pop()
        table = Table(header=header)
        width = len(header)
        blank_run = 0
        for line, row in enumerate(
            sheet.iter_rows(min_row=2, max_col=max(width, 1), values_only=True), start=2
        ):
            cells = [_cell_text(v) for v in row]
            if not any(c.strip() for c in cells):
                # Formatted but empty rows often reach row 1,048,576; the data has ended.
                blank_run += 1
                if blank_run > MAX_BLANK_ROWS:
                    break
                continue
            blank_run = 0
            if len(table.rows) >= settings.IMPORT_MAX_ROWS:
                raise _too_many_rows()
            for index, value in enumerate(row):
                if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                    table.numeric_cells.add((line, index))
            table.rows.append((line, cells))
    finally:
        workbook.close()
    return table


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- Validating -----------------------------------------------------------------------------


def _formfield(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # a bare "firma.de" means https
    return model_field.formfield(**kwargs)


class CompanyImportRowForm(forms.ModelForm):
    """One row: the model's fields and validators, plus plain-text checks for text columns."""

    class Meta:
        model = Company
        fields = FORM_COLUMNS
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in TEXT_COLUMNS:
            self.fields[key].validators.append(no_markup)


@dataclass
class ValidRow:
    line: int
    company: Company
    topic_ids: list[int]


def _number(raw: str) -> str:
    """German or English notation → a plain decimal string ("1.234.567,89" → "1234567.89")."""
    value = re.sub(r"[\s\u00a0\u202f']", "", raw)
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif value.count(",") == 1:
        value = value.replace(",", ".")
    elif value.count(",") > 1:
        value = value.replace(",", "")
    elif value.count(".") > 1:
        value = value.replace(".", "")
    return value


_PLAIN_NUMBER = re.compile(r"^[+-]?[\d.,\s]+$")


def _duplicate_key(name: str, postcode: str) -> tuple[str, str]:
    return (" ".join(name.split()).casefold(), postcode.strip())


def validate_rows(table: Table) -> tuple[list[ValidRow], list[ImportProblem]]:
    """Check the header, then every row; returns the valid rows and every problem found."""
    header = header_keys(table.header)
    errors: list[ImportProblem] = []
    seen = set()
    for key in header:
        if key in seen and key:
            errors.append(
                ImportProblem(_("The column “%(column)s” appears twice.") % {"column": key})
            )
        seen.add(key)
    unknown = [h for h in header if h and h not in COLUMN_KEYS]
    if unknown:
        errors.append(
            ImportProblem(
                _("Unknown columns: %(unknown)s. Allowed columns: %(allowed)s.")
                % {"unknown": ", ".join(unknown), "allowed": ", ".join(COLUMN_KEYS)}
            )
        )
    missing = [key for key in REQUIRED_COLUMNS if key not in header]
    if missing:
        errors.append(
            ImportProblem(
                _("Required columns are missing: %(missing)s.") % {"missing": ", ".join(missing)}
            )
        )
    if errors:
        return [], errors

    topics = dict(Topic.objects.values_list("slug", "pk"))
    valid: list[ValidRow] = []
    first_line_of: dict[tuple[str, str], int] = {}
    for line, cells in table.rows:
        values = dict.fromkeys(COLUMN_KEYS, "")
        row_errors: list[ImportProblem] = []
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            row_errors.append(
                ImportProblem(_("The row has more cells than the header has columns."), line)
            )
        for index, key in enumerate(header):
            raw = cells[index].strip() if index < len(cells) else ""
            if not key:
                continue
            numeric = (line, index) in table.numeric_cells or (
                key in NUMBER_COLUMNS and _PLAIN_NUMBER.match(raw)
            )
            if not numeric:
                try:
                    # Both as written (a leading tab) and as stored (after trimming spaces).
                    no_formula(cells[index] if index < len(cells) else "")
                    no_formula(raw)
                except ValidationError as exc:
                    row_errors.append(ImportProblem(str(exc.messages[0]), line, key))
                    continue
            values[key] = raw
        bad_columns = {e.column for e in row_errors}

        data = {key: values[key] for key in FORM_COLUMNS if key not in bad_columns}
        for key in NUMBER_COLUMNS:
            if key in data:
                data[key] = _number(data[key])
        data["sector"] = data.get("sector", "").upper()
        data["kind"] = data.get("kind", "").lower() or Company.Kind.SME
        form = CompanyImportRowForm(data=data)
        if not form.is_valid():
            for key, messages in form.errors.items():
                if key in bad_columns:
                    continue
                column = "" if key == forms.forms.NON_FIELD_ERRORS else key
                row_errors.extend(ImportProblem(str(m), line, column) for m in messages)

        topic_ids = []
        if "training_needs" not in bad_columns:
            slugs = [s.strip() for s in values["training_needs"].split(TOPIC_SEPARATOR)]
            unknown_topics = [s for s in slugs if s and s not in topics]
            if unknown_topics:
                row_errors.append(
                    ImportProblem(
                        _("Unknown topics: %(unknown)s. Known topics: %(known)s.")
                        % {
                            "unknown": ", ".join(unknown_topics),
                            "known": ", ".join(sorted(topics)) or "–",
                        },
                        line,
                        "training_needs",
                    )
                )
            topic_ids = sorted({topics[s] for s in slugs if s in topics})

        consent = values["contact_consent"].lower()
        if "contact_consent" not in bad_columns and consent not in YES | NO:
            row_errors.append(
                ImportProblem(
                    _("Enter yes or no (ja/nein, 1/0, true/false)."), line, "contact_consent"
                )
            )

        key = _duplicate_key(values["name"], values["postcode"])
        if values["name"]:
            if key in first_line_of:
                row_errors.append(
                    ImportProblem(
                        _("Same name and postcode as line %(line)s of this file.")
                        % {"line": first_line_of[key]},
                        line,
                        "name",
                    )
                )
            else:
                first_line_of[key] = line

        if row_errors:
            errors.extend(row_errors)
            continue
        company = form.save(commit=False)
        company.contact_consent = consent in YES
        valid.append(ValidRow(line=line, company=company, topic_ids=topic_ids))
    return valid, errors


def _existing_duplicates(rows: list[ValidRow]) -> list[ImportProblem]:
    postcodes = {row.company.postcode for row in rows}
    existing = {
        _duplicate_key(name, postcode)
        for name, postcode in Company.objects.filter(postcode__in=postcodes).values_list(
            "name", "postcode"
        )
    }
    return [
        ImportProblem(_("A company with this name and postcode already exists."), row.line, "name")
        for row in rows
        if _duplicate_key(row.company.name, row.company.postcode) in existing
    ]


# --- Saving ---------------------------------------------------------------------------------

# Any constant: serialises imports so two parallel uploads cannot both pass the duplicate check.
_IMPORT_LOCK_KEY = 7_310_001


def _lock_imports() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK_KEY])


def import_companies(*, data: bytes, filename: str) -> int:
    """Validate every row, then save all of them in one transaction; returns how many.

    Raises ``ImportRejected`` with every problem found (and saves nothing) otherwise.
    """
    table = read_table(data=data, filename=filename)
    rows, errors = validate_rows(table)
    with transaction.atomic():
        _lock_imports()
        errors += _existing_duplicates(rows)
        if errors:
            raise ImportRejected(errors)
        companies = [row.company for row in rows]
        for company in companies:
            # bulk_create skips save(); keep the stored size class in step as save() would.
            company.size_class_stored = company.size_class
        Company.objects.bulk_create(companies, batch_size=1000)
        Through = Company.training_needs.through
        Through.objects.bulk_create(
            [
                Through(company_id=row.company.pk, topic_id=topic_id)
                for row in rows
                for topic_id in row.topic_ids
            ],
            batch_size=5000,
        )
    return len(companies)


def iter_template_rows() -> Iterator[list[str]]:
    """Header and one example row for the downloadable template."""
    yield list(COLUMN_KEYS)
    example = {c.key: c.example for c in COLUMNS}
    example["training_needs"] = TOPIC_SEPARATOR.join(
        Topic.objects.order_by("slug").values_list("slug", flat=True)[:2]
    )
    yield [example[key] for key in COLUMN_KEYS]
