"""regiolab.xlsx: every cell as LibreOffice opens it."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import translation

from regiolab import xlsx
from tests.support import libreoffice

FORMULA_LIKE = [
    "=1+1", "+49 511 123", "-5", "@SUM(A1)", "\t=1+1", "\r=1+1", "   =1+1", " @x",
    '=HYPERLINK("http://evil.example","klick")',
]  # fmt: skip


def test_typed_cells_as_libreoffice_shows_them():
    columns = [
        xlsx.Column("Text"),
        xlsx.Column("Code", xlsx.Kind.CODE),
        xlsx.Column("Money", xlsx.Kind.MONEY),
        xlsx.Column("Date"),
        xlsx.Column("When"),
    ]
    berlin = ZoneInfo("Europe/Berlin")
    rows = [[text, None, None, None, None] for text in FORMULA_LIKE] + [
        ["Müller\x07 GmbH", "01067", Decimal("1234.5"), date(2026, 3, 31),
         datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("UTC"))],  # 03:30 summer time
        ["", "", None, None, datetime(2026, 1, 2, 9, 0, tzinfo=berlin)],
    ]  # fmt: skip
    with translation.override("de"):
        data = xlsx.workbook_bytes("Blatt", columns, rows)

    (sheet,) = libreoffice.read_xlsx(data).values()
    body = sheet[1:]
    for text, row in zip(FORMULA_LIKE, body, strict=False):
        cell = row[0]
        assert (cell.type, cell.formula) == ("string", ""), text
        assert cell.shown.replace("\n", "\r") == text or cell.shown == text, text  # no apostrophe
    typed = body[len(FORMULA_LIKE)]
    assert typed[0].shown == "Müller GmbH"  # a control character is dropped, not a crash
    assert (typed[1].type, typed[1].shown) == ("string", "01067")
    assert (typed[2].type, typed[2].value, typed[2].shown) == ("float", "1234.5", "1,234.50")
    assert (typed[3].type, typed[3].shown) == ("date", "31.03.2026")
    assert (typed[4].type, typed[4].value) == ("date", "2026-03-29T03:30:00")
    empty = body[len(FORMULA_LIKE) + 1]
    assert empty[0].empty and empty[1].empty and empty[2].empty
    assert empty[4].shown == "02.01.2026 09:00"
