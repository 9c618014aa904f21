"""The signature sheet ends with blank rows for walk-ins (at least five, up to the end of the
last page) and names the workshop and its date on every page; checked on paper: geometry of
every page, the rows of the last page, and PNGs of the pages."""

import io
import os
from datetime import timedelta

import pdfplumber
import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.factories import CompanyFactory, RegistrationFactory, WorkshopFactory
from tests.support.pdf_geometry import assert_fits_pages, page_count, page_text, write_pngs
from workshops.documents import pdfs as documents

pytestmark = pytest.mark.django_db

TITLE = "Kollaborative Robotik in der Montage"


def _workshop():
    start = timezone.make_aware(timezone.datetime(2026, 3, 12, 9, 0))
    return WorkshopFactory(
        title=TITLE,
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        venue="Technologiezentrum Hannover",
        capacity=200,
        status="done",
    )


def _people(workshop, count):
    company = CompanyFactory(name="Kaiser Kunststofftechnik GmbH & Co. KG")
    return [
        RegistrationFactory(
            workshop=workshop,
            first_name="Jana" if n % 2 else "Maximiliane-Sophie",
            last_name=f"Kaiser{n}",
            company=company if n % 3 else None,
            company_name="Brandt & Söhne",
        )
        for n in range(count)
    ]


def _rows(pdf: bytes):
    """Per page: the numbers in the first column (the table's row numbers), top to bottom."""
    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            numbers = []
            for table in page.find_tables():
                for row in table.extract():
                    first = (row[0] or "").strip()
                    if first.isdigit():
                        numbers.append(int(first))
            bottom = max((t.bbox[3] for t in page.find_tables()), default=0)
            pages.append((numbers, bottom, page.height))
    return pages


@pytest.mark.parametrize("count", [2, 45, 130])
def test_blank_rows_fill_the_last_page_and_every_page_names_the_workshop(count, request):
    workshop = _workshop()
    people = _people(workshop, count)

    pdf = documents.signature_sheet_pdf(workshop, people, language="de")

    assert_fits_pages(pdf, name=request.node.name)
    if os.environ.get("KEEP_PDF_PNGS"):
        write_pngs(pdf, request.node.name)
    pages = _rows(pdf)
    numbers = [n for page_numbers, _bottom, _height in pages for n in page_numbers]
    # Every registered person, then at least five numbered blank rows, nothing skipped.
    assert numbers == list(range(1, len(numbers) + 1))
    blank = len(numbers) - count
    assert blank >= documents.MIN_BLANK_ROWS
    # The blank rows fill the last page: one more row would not have fitted above the foot.
    last_numbers, last_bottom, height = pages[-1]
    row_height = 26 + 8  # the signature cell and its padding (pt)
    assert last_bottom + row_height > height - 22 * 72 / 25.4 - 2, (last_bottom, height)
    # Nothing but blank rows spills onto a page of their own beyond the fifth.
    if len(pages) > 1 and all(n > count for n in last_numbers):
        assert min(last_numbers) <= count + documents.MIN_BLANK_ROWS
    # The last registered person's name is on the sheet; blank rows carry no name.
    text = " ".join(page_text(pdf, n) for n in range(1, page_count(pdf) + 1))
    assert f"Kaiser{count - 1}" in text
    with translation.override("de"):
        date_text = date_format(timezone.localtime(workshop.starts_at), "DATE_FORMAT")
    for number in range(1, page_count(pdf) + 1):
        page = page_text(pdf, number)
        assert TITLE in page and date_text in page, f"page {number}: {page[:200]}"
        assert "Gedruckt am" in page or "Printed on" in page


def test_blank_rows_are_counted_from_the_layout_not_guessed():
    workshop = _workshop()
    short = documents.blank_rows_to_fill(workshop, _people(workshop, 3), language="de")
    other = _workshop()
    # The same number of people with much longer names and companies take more room.
    long_people = [
        RegistrationFactory(
            workshop=other,
            first_name="Maximiliane-Sophie Charlotte Friederike",
            last_name="Freifrau von und zu Donaudampfschifffahrtsgesellschaft",
            company_name="Arbeitsgemeinschaft Qualifizierung und Weiterbildung Niedersachsen-Süd",
        )
        for _ in range(3)
    ]
    longer = documents.blank_rows_to_fill(other, long_people, language="de")
    assert short >= documents.MIN_BLANK_ROWS and longer >= documents.MIN_BLANK_ROWS
    assert longer < short
