"""The report's list of receipts (Belegliste) names each receipt by its number, and where a
scan is attached the number links to it in the portal: in the PDF (a link annotation on the
number, read with pdftotext and pypdf) and in the XLSX (a hyperlink, read by LibreOffice)."""

import io
import re
import subprocess
from datetime import date

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfReader

from funding import services
from funding.models import Expenditure, ProgressReport
from tests.support import libreoffice

pytestmark = pytest.mark.django_db
PERIOD = (date(2026, 1, 1), date(2026, 6, 30))
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@pytest.fixture
def report(grant, coordinator, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://portal.regiolab.example"
    with_scan = grant.expenditures.get(receipt_reference="B-2026-001")
    with_scan.receipt_file.save("receipt.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    with_scan.receipt_content_type = "application/pdf"
    with_scan.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_progress_report(
            grant=grant, period_start=PERIOD[0], period_end=PERIOD[1], requested_by=coordinator
        )
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY, report.error
    return report


def receipt_url(grant, reference: str) -> str:
    pk = Expenditure.objects.get(grant=grant, receipt_reference=reference).pk
    return f"https://portal.regiolab.example/funding/expenditures/{pk}/receipt/"


def pdf_bytes(report) -> bytes:
    with report.pdf_file.open("rb") as f:
        return f.read()


def test_the_pdf_lists_receipts_by_number_and_links_the_scanned_one(report, grant, tmp_path):
    data = pdf_bytes(report)
    source = tmp_path / "report.pdf"
    source.write_bytes(data)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    last = subprocess.run(
        ["pdftotext", "-layout", "-f", str(pages), "-l", str(pages), str(source), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Belegliste" in last
    assert "B-2026-001" in last and "B-2026-002" in last
    assert "Unterstrichene Belegnummern" in last  # the note on what the links are

    reader = PdfReader(io.BytesIO(data))
    links = []
    for number, page in enumerate(reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            if annotation.get("/Subtype") == "/Link" and action and "/URI" in action:
                rect = [float(v) for v in annotation["/Rect"]]
                links.append((str(action["/URI"]), number, rect))
    assert [url for url, _page, _rect in links] == [receipt_url(grant, "B-2026-001")]
    # The link sits on the receipt's number: the text inside its rectangle is the number.
    _url, on_page, (ax, ay, bx, by) = links[0]
    (x0, x1), (y0, y1) = sorted((ax, bx)), sorted((ay, by))  # a Rect's corners in any order
    height = float(reader.pages[on_page - 1].mediabox.height)
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(on_page), "-l", str(on_page), str(source), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    inside = [
        word
        for wx0, wy0, wx1, wy1, word in WORD.findall(bbox)
        if float(wx0) >= x0 - 1 and float(wx1) <= x1 + 1
        and height - float(wy1) >= y0 - 1 and height - float(wy0) <= y1 + 1
    ]  # fmt: skip
    assert inside == ["B-2026-001"]


def test_the_xlsx_links_the_scanned_receipt_by_its_number(report, grant):
    with report.xlsx_file.open("rb") as f:
        sheets = libreoffice.read_xlsx(f.read())
    rows = libreoffice.records(sheets["Belegliste"])
    by_number = {r["Beleg"].shown: r["Beleg"] for r in rows}
    assert set(by_number) == {"B-2026-001", "B-2026-002"}
    assert by_number["B-2026-001"].link == receipt_url(grant, "B-2026-001")
    assert by_number["B-2026-001"].type == "string"
    assert by_number["B-2026-002"].link == ""
