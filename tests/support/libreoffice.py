"""Open a spreadsheet the way a user's LibreOffice does and read what it shows.

The XLSX is converted by LibreOffice headless to flat ODF (.fods), whose XML says for every
cell the type LibreOffice gave it (``date``, ``float``, ``string``, …), the stored value and the
text shown in the cell with its number format applied. A test therefore sees a formula run (its
result, not its text), a lost leading zero, a date that is only text, or an apostrophe shown in
front of a name, as a user would.
"""

import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
TIMEOUT = 120  # seconds; a first start creates the profile
MAX_REPEAT = 1000  # empty rows and columns repeated beyond this are the sheet's unused tail

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
_OFFICE, _TABLE, _TEXT = (f"{{{NS[prefix]}}}" for prefix in ("office", "table", "text"))


@dataclass(frozen=True)
class Cell:
    """One cell as LibreOffice holds it: ``type`` is empty for an empty cell."""

    type: str = ""  # "string", "float", "date", "percentage", "currency", "boolean", …
    value: str = ""  # office:value / office:date-value; for strings the text itself
    shown: str = ""  # the text in the cell, number format applied
    formula: str = ""  # table:formula, when LibreOffice runs the cell as a formula
    link: str = ""  # the target of a hyperlink in the cell (text:a xlink:href)

    @property
    def empty(self) -> bool:
        return not self.type and not self.shown and not self.formula


EMPTY = Cell()


def _profile() -> str:
    # One LibreOffice profile per test process: two soffice processes must not share one,
    # and creating one costs a few seconds, so a process keeps its own.
    path = Path(tempfile.gettempdir()) / f"lo-test-{os.getpid()}"
    return path.as_uri()


def _text(element) -> str:
    """The shown text of a cell: its paragraphs, with ODF's space and tab elements expanded."""
    parts = []
    for p_index, paragraph in enumerate(element.iter(f"{_TEXT}p")):
        if p_index:
            parts.append("\n")
        parts.append(_inline(paragraph))
    return "".join(parts)


def _inline(node) -> str:
    out = [node.text or ""]
    for child in node:
        if child.tag == f"{_TEXT}s":
            out.append(" " * int(child.get(f"{_TEXT}c", "1")))
        elif child.tag == f"{_TEXT}tab":
            out.append("\t")
        elif child.tag == f"{_TEXT}line-break":
            out.append("\n")
        else:
            out.append(_inline(child))
        out.append(child.tail or "")
    return "".join(out)


def _cell(element) -> Cell:
    kind = element.get(f"{_OFFICE}value-type", "")
    shown = _text(element)
    value = (
        element.get(f"{_OFFICE}date-value")
        or element.get(f"{_OFFICE}time-value")
        or element.get(f"{_OFFICE}value")
        or element.get(f"{_OFFICE}boolean-value")
        or element.get(f"{_OFFICE}string-value")
        or (shown if kind == "string" else "")
    )
    anchor = element.find(f".//{_TEXT}a")
    link = anchor.get("{http://www.w3.org/1999/xlink}href", "") if anchor is not None else ""
    return Cell(
        type=kind,
        value=value,
        shown=shown,
        formula=element.get(f"{_TABLE}formula", ""),
        link=link,
    )


def _rows(table) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for row in table.iter(f"{_TABLE}table-row"):
        cells: list[Cell] = []
        for element in row:
            if element.tag not in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                continue
            repeat = int(element.get(f"{_TABLE}number-columns-repeated", "1"))
            cell = _cell(element)
            # The sheet's empty tail repeats up to column XFD; no export is that wide.
            cells.extend([cell] * min(repeat, MAX_REPEAT))
        while cells and cells[-1].empty:
            cells.pop()
        repeat = int(row.get(f"{_TABLE}number-rows-repeated", "1"))
        rows.extend([cells] * min(repeat, MAX_REPEAT))
    while rows and not rows[-1]:
        rows.pop()
    return rows


def read_xlsx(data: bytes) -> dict[str, list[list[Cell]]]:
    """Every sheet of the workbook ``data`` by name, as rows of cells (trailing empties cut)."""
    with tempfile.TemporaryDirectory(prefix="lo-convert-") as tmp:
        source = Path(tmp) / "export.xlsx"
        source.write_bytes(data)
        result = subprocess.run(
            [
                SOFFICE,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={_profile()}",
                "--convert-to",
                "fods",
                "--outdir",
                tmp,
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        target = Path(tmp) / "export.fods"
        if not target.exists():
            raise AssertionError(
                f"LibreOffice could not open the file:\n{result.stdout}\n{result.stderr}"
            )
        root = ET.parse(target).getroot()  # noqa: S314 - LibreOffice's own output
    return {
        table.get(f"{_TABLE}name"): _rows(table)
        for spreadsheet in root.iter(f"{_OFFICE}spreadsheet")
        for table in spreadsheet.findall(f"{_TABLE}table")
    }


def records(rows: list[list[Cell]]) -> list[dict[str, Cell]]:
    """The rows under a header row as dicts keyed by the header's shown text."""
    header, *body = rows
    names = [c.shown for c in header]
    return [
        {name: (row[i] if i < len(row) else EMPTY) for i, name in enumerate(names)} for row in body
    ]
