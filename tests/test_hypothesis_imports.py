"""Both imports, fed arbitrary tables and arbitrary bytes: never a server error, and all or
nothing: either every row of the file is saved, or no row of any table changes.

Tables start from valid rows and let Hypothesis spoil any cell with hostile text (control
characters, NUL, markup, formulas, huge numbers, very long text), then write them as CSV (UTF-8,
UTF-8 with BOM, cp1252, UTF-16, ; or ,) or XLSX. Raw bytes under either extension come too.
"""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from companies.importing import COLUMN_KEYS
from companies.models import Company
from funding.models import Expenditure, Grant
from tests.matrix_world import data_snapshot
from tests.support.form_fuzzing import CONTROL, FUZZ, NASTY, NUMBERS, reset, rolled_back

pytestmark = pytest.mark.django_db

SPOILED = st.one_of(
    st.text(max_size=30),
    CONTROL,
    NASTY,
    NUMBERS,
    st.integers(min_value=300, max_value=3_000).map(lambda n: "z" * n),
)

COMPANY_ROW = {
    "name": "Firma",
    "city": "Hannover",
    "postcode": "30159",
    "municipality": "Hannover",
    "sector": "C",
    "sector_code": "25.62",
    "kind": "sme",
    "headcount": "12",
    "annual_turnover": "1.234.567,89",
    "figures_year": "2025",
    "contact_consent": "ja",
}
EXPENDITURE_COLUMNS = ("date", "category", "payee", "purpose", "amount", "receipt_reference")
EXPENDITURE_ROW = {
    "date": "31.05.2026",
    "category": "material",
    "payee": "Bürobedarf Nord",
    "purpose": "Flipcharts",
    "amount": "12,50",
    "receipt_reference": "B-1",
}


@pytest.fixture(scope="module")
def fuzz_client():
    """One client for the module (see form_fuzzing.reset)."""
    return Client()


@pytest.fixture
def session(fuzz_client, coordinator):
    fuzz_client.force_login(coordinator)
    return fuzz_client.cookies[django_settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def grant(coordinator):
    grant = Grant.objects.create(
        reference="FKZ 01PV26001",
        title="Weiterbildungsverbünde",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal("100000.00"),
    )
    grant.coordinators.add(coordinator)
    return grant


# --- Tables --------------------------------------------------------------------------------


@st.composite
def tables(draw, *, header: tuple, good: dict, unique: str):
    """Header (sometimes shuffled or cut) and 1–4 rows; each cell may be spoiled."""
    columns = list(header)
    if draw(st.booleans()):
        columns = draw(st.permutations(columns))
    if draw(st.booleans()):
        columns = columns[: draw(st.integers(min_value=0, max_value=len(columns)))]
    rows = []
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        row = {key: good.get(key, "") for key in columns}
        if unique in row:
            row[unique] = f"{good[unique]} {index}"
        for key in columns:
            if draw(st.integers(min_value=0, max_value=5)) == 5:  # ~1 cell in 6 spoiled
                row[key] = draw(SPOILED)
        rows.append([row[key] for key in columns])
    return columns, rows


def _csv_bytes(draw, columns, rows) -> tuple[bytes, str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([";", ","])), lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    text = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace"), "tabelle.csv"


def _xlsx_bytes(columns, rows) -> tuple[bytes, str]:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in [columns, *rows]:
        # openpyxl itself refuses control characters in cells; a spreadsheet never has them.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), "tabelle.xlsx"


@st.composite
def uploads(draw, *, header: tuple, good: dict, unique: str):
    """(bytes, file name, data rows in the file): a table as CSV or XLSX, or raw bytes."""
    kind = draw(st.sampled_from(["csv", "xlsx", "bytes"]))
    if kind == "bytes":
        name = draw(st.sampled_from(["tabelle.csv", "tabelle.xlsx", "tabelle"]))
        return draw(st.binary(max_size=3000)), name, None
    columns, rows = draw(tables(header=header, good=good, unique=unique))
    data, name = _csv_bytes(draw, columns, rows) if kind == "csv" else _xlsx_bytes(columns, rows)
    filled = sum(1 for row in rows if any(cell.strip() for cell in row))
    return data, name, filled


def check_all_or_nothing(client, path, upload, count):
    data, name, filled = upload
    before_rows, before = count(), data_snapshot()
    response = client.post(path, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code < 500
    if response.status_code == 302:  # imported: every row of the file, nothing else
        assert filled is not None and count() == before_rows + filled
        return "saved"
    assert response.status_code == 200
    assert data_snapshot() == before  # refused: no row of any table changed
    return "refused"


# --- The two imports -------------------------------------------------------------------------


def test_company_import_is_all_or_nothing(fuzz_client, session):
    outcomes = set()

    @settings(FUZZ, max_examples=50)
    @given(upload=uploads(header=COLUMN_KEYS, good=COMPANY_ROW, unique="name"))
    def check(upload):
        reset(fuzz_client, session=session)
        with rolled_back():
            outcomes.add(
                check_all_or_nothing(
                    fuzz_client, "/companies/import/", upload, Company.objects.count
                )
            )

    check()
    assert outcomes == {"saved", "refused"}  # both paths were really walked


def test_expenditure_import_is_all_or_nothing(fuzz_client, session, grant):
    outcomes = set()
    path = f"/funding/grants/{grant.pk}/expenditures/import/"

    @settings(FUZZ, max_examples=50)
    @given(
        upload=uploads(header=EXPENDITURE_COLUMNS, good=EXPENDITURE_ROW, unique="receipt_reference")
    )
    def check(upload):
        reset(fuzz_client, session=session)
        with rolled_back():
            outcomes.add(check_all_or_nothing(fuzz_client, path, upload, Expenditure.objects.count))

    check()
    assert outcomes == {"saved", "refused"}
