"""The progress report's XLSX twin as the funder's spreadsheet (LibreOffice) opens it."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from funding import services
from funding.models import Expenditure, ProgressReport
from tests.support import libreoffice

pytestmark = pytest.mark.django_db
PERIOD = (date(2026, 1, 1), date(2026, 6, 30))


def _xlsx(grant, user, capture) -> bytes:
    with capture(execute=True):
        report = services.request_progress_report(
            grant=grant, period_start=PERIOD[0], period_end=PERIOD[1], requested_by=user
        )
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY, report.error
    with report.xlsx_file.open("rb") as f:
        return f.read()


def test_report_xlsx_opens_with_dates_amounts_and_text_as_typed(
    grant, coordinator, django_capture_on_commit_callbacks
):
    Expenditure.objects.create(
        grant=grant, date=date(2026, 5, 4), category="travel", amount=Decimal("80"),
        payee='=HYPERLINK("http://evil.example","Bahn")', purpose="  -Rückerstattung",
        receipt_reference="0042",
    )  # fmt: skip

    data = _xlsx(grant, coordinator, django_capture_on_commit_callbacks)
    sheets = libreoffice.read_xlsx(data)

    assert list(sheets) == ["Übersicht", "Indikatoren", "Zahlenmäßiger Nachweis", "Belegliste"]
    overview = sheets["Übersicht"]
    assert (overview[0][1].type, overview[0][1].shown) == ("string", "FKZ 01PV26001")
    start, end = overview[2][1], overview[2][2]
    assert (start.type, start.value, start.shown) == ("date", "2026-01-01", "01.01.2026")
    assert (end.type, end.value) == ("date", "2026-06-30")
    total = overview[4][1]
    assert (total.type, total.value) == ("float", "986000.01")
    shares = {row[0].shown: row[2] for row in overview[7:]}
    assert shares["Region Hannover"].value == "295800"
    assert shares["Region Hannover"].shown.endswith(".00")  # two decimals shown

    receipts = libreoffice.records(sheets["Belegliste"])
    assert [c.shown for c in sheets["Belegliste"][0]][-1] == "Betrag (EUR)"
    by_reference = {r["Beleg"].shown: r for r in receipts}
    assert set(by_reference) == {"B-2026-001", "B-2026-002", "0042"}  # "0042" keeps its zeros
    first = by_reference["B-2026-001"]
    assert (first["Datum"].type, first["Datum"].value, first["Datum"].shown) == (
        "date", "2026-03-31", "31.03.2026"
    )  # fmt: skip
    assert (first["Betrag (EUR)"].type, first["Betrag (EUR)"].value) == ("float", "5000.01")
    odd = by_reference["0042"]
    assert odd["Beleg"].type == "string"
    payee = odd["Zahlungsempfänger*in"]
    assert (payee.type, payee.shown, payee.formula) == (
        "string", '=HYPERLINK("http://evil.example","Bahn")', ""
    )  # fmt: skip
    assert odd["Verwendungszweck"].shown == "  -Rückerstattung"
    assert odd["Betrag (EUR)"].shown.endswith("80.00")

    statement = sheets["Zahlenmäßiger Nachweis"]
    total_row = statement[-1]
    assert total_row[0].shown == "Gesamt"
    assert total_row[1].empty  # no category on the total row: empty, not "" or "None"
    assert (total_row[3].type, total_row[3].value) == ("float", "5203.46")

    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets[1:]:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
