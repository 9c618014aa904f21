"""The one XLSX writer of every export and report: typed cells as German Excel and LibreOffice
read them.

- Dates and date-times are real dates with a number format; date-times in the portal's time
  zone, made naive (a spreadsheet has no time zones).
- Money is a number with two decimals (``#,##0.00``); the currency goes into the header.
- Codes (postcodes, phone and register numbers) are text cells formatted as text (``@``), so
  "01067" keeps its zero and stays text when the user edits it.
- Text is always a text cell, never a formula: text starting like one (=, +, -, @, tab, CR, also
  after spaces) is stored as a string with the quote-prefix style, so neither Excel nor
  LibreOffice runs it and neither shows an apostrophe in front of it.
- Empty values leave the cell empty.
- The header row is bold and frozen; column widths follow the header and the first rows.

Sheets are write-only (rows go out as they come), so long exports stay small in memory.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
# Excel stores a number format's pattern, not a locale: each language gets its own.
DATE_FORMATS = {"de": ("DD.MM.YYYY", "DD.MM.YYYY HH:MM"), "en": ("YYYY-MM-DD", "YYYY-MM-DD HH:MM")}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
WIDTH_SAMPLE = 200  # rows read for the column widths before the sheet is written
MIN_WIDTH, MAX_WIDTH = 6, 60
MAX_TITLE = 31  # Excel's limit for a sheet name
_BOLD = Font(bold=True)


class Kind(StrEnum):
    TEXT = "text"
    CODE = "code"  # text that looks like a number: postcode, phone, register number
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind | None = None  # None: from the value's type


@dataclass(frozen=True)
class Typed:
    """A value with its kind, for sheets whose columns mix kinds (label/value sheets)."""

    value: Any
    kind: Kind


@dataclass(frozen=True)
class Link:
    """Text shown as a hyperlink to ``url`` (http or https only), e.g. a receipt's number
    linking to the receipt in the portal."""

    text: str
    url: str


def is_formula_like(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_START) or text.startswith(FORMULA_START)


def _kind_of(value) -> Kind:
    if isinstance(value, datetime):
        return Kind.DATETIME
    if isinstance(value, date):
        return Kind.DATE
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Kind.NUMBER
    return Kind.TEXT


def _date_formats() -> tuple[str, str]:
    language = (translation.get_language() or "de").split("-")[0]
    return DATE_FORMATS.get(language, DATE_FORMATS["de"])


class Sheet:
    """One worksheet; ``append`` rows of values (or ``Typed``) in the order of ``columns``."""

    def __init__(self, book: "XlsxWriter", title: str, columns: Sequence[Column], header: bool):
        self._sheet = book._book.create_sheet(str(title)[:MAX_TITLE])
        self._columns = list(columns)
        self._header = header
        self._pending: list[list] = []
        self._widths = [len(str(c.header)) if header else 0 for c in self._columns]
        self._started = False

    def append(self, values: Iterable) -> None:
        row = list(values)
        if self._started:
            self._write(row)
            return
        self._pending.append(row)
        if len(self._pending) >= WIDTH_SAMPLE:
            self._start()

    def extend(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.append(row)

    def _start(self) -> None:
        # Write-only sheets take column widths and panes only before the first row.
        cells = [[self._cell(v, i) for i, v in enumerate(row)] for row in self._pending]
        for row in cells:
            for i, (_cell, width) in enumerate(row):
                while i >= len(self._widths):
                    self._widths.append(0)
                self._widths[i] = max(self._widths[i], width)
        for i, width in enumerate(self._widths):
            letter = get_column_letter(i + 1)
            self._sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
        self._started = True
        if self._header:
            self._sheet.freeze_panes = "A2"
            header = []
            for column in self._columns:
                cell = self._text_cell(str(column.header))
                cell.font = _BOLD
                header.append(cell)
            self._sheet.append(header)
        for row in cells:
            self._sheet.append([cell for cell, _width in row])
        self._pending = []

    def _write(self, row: list) -> None:
        self._sheet.append([self._cell(v, i)[0] for i, v in enumerate(row)])

    def close(self) -> None:
        if not self._started:
            self._start()

    def _cell(self, value, index: int) -> tuple[Cell | None, int]:
        """The cell for ``value`` and the width its shown text needs."""
        kind = None
        if isinstance(value, Link):
            return self._link_cell(value), len(value.text)
        if isinstance(value, Typed):
            value, kind = value.value, value.kind
        if value is None or value == "":
            return None, 0
        if kind is None and index < len(self._columns):
            kind = self._columns[index].kind
        kind = kind or _kind_of(value)
        if isinstance(value, str) and kind not in (Kind.TEXT, Kind.CODE):
            kind = Kind.TEXT  # a label such as "Total" in a number column
        if kind in (Kind.TEXT, Kind.CODE):
            text = str(value)
            cell = self._text_cell(text)
            if kind == Kind.CODE:
                cell.number_format = TEXT_FORMAT
            return cell, max((len(line) for line in text.splitlines()), default=0)
        if kind == Kind.DATETIME:
            if timezone.is_aware(value):
                value = timezone.make_naive(value, timezone.get_default_timezone())
            cell = WriteOnlyCell(self._sheet, value.replace(second=0, microsecond=0))
            cell.number_format = _date_formats()[1]
            return cell, 16
        if kind == Kind.DATE:
            if isinstance(value, datetime):
                value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
            cell = WriteOnlyCell(self._sheet, value)
            cell.number_format = _date_formats()[0]
            return cell, 10
        if kind == Kind.MONEY:
            cell = WriteOnlyCell(self._sheet, Decimal(value))
            cell.number_format = MONEY_FORMAT
            return cell, len(f"{Decimal(value):,.2f}")
        cell = WriteOnlyCell(self._sheet, value)
        return cell, len(str(value))

    def _link_cell(self, link: Link) -> Cell:
        cell = self._text_cell(link.text)
        cell.number_format = TEXT_FORMAT
        if link.url.startswith(("https://", "http://")):
            cell.hyperlink = link.url
            cell.style = "Hyperlink"
            cell.number_format = TEXT_FORMAT
        return cell

    def _text_cell(self, text: str) -> Cell:
        # openpyxl would refuse control characters; a spreadsheet cannot show them anyway.
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
        cell = WriteOnlyCell(self._sheet, text)
        cell.data_type = "s"  # a string, even when it starts with "=": never a formula
        if is_formula_like(text):
            cell.quotePrefix = True  # stays text when the user edits the cell
        return cell


class XlsxWriter:
    """A workbook of typed sheets; ``save()`` gives the file's bytes."""

    def __init__(self):
        self._book = Workbook(write_only=True)
        self._sheets: list[Sheet] = []

    def sheet(self, title: str, columns: Sequence[Column], *, header: bool = True) -> Sheet:
        sheet = Sheet(self, title, columns, header)
        self._sheets.append(sheet)
        return sheet

    def save(self) -> bytes:
        for sheet in self._sheets:
            sheet.close()
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()


def workbook_bytes(title: str, columns: Sequence[Column], rows: Iterable[Iterable]) -> bytes:
    """A one-sheet workbook: the header from ``columns``, then ``rows``."""
    writer = XlsxWriter()
    writer.sheet(title, columns).extend(rows)
    return writer.save()
