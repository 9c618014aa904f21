"""Uploads are checked by content and size, kept in memory only, and never served as media.

Both imports (companies, expenditures) share regiolab.uploads: a hostile or broken file gets a
clear message at the file field and saves nothing.
"""

import csv
import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.utils.functional import lazy
from django.views.static import serve

from companies.importing import COLUMN_KEYS
from companies.models import Company
from funding.models import Expenditure, Grant, ProgressReport, report_upload_to
from regiolab import settings as project
from regiolab import uploads

pytestmark = pytest.mark.django_db

COMPANY_ROW = {"name": "Keks GmbH", "city": "Hannover", "sector": "C", "headcount": "3"}
# Lazy: formatted in the language the test runs in (the limit as the page shows it).
TOO_LARGE = lazy(lambda: str(uploads.XLSX_TOO_LARGE) % {"max": "25.0\xa0MB"}, str)()
EXPENDITURE_HEADER = ["date", "category", "payee", "purpose", "amount", "receipt_reference"]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def grant(coordinator):
    grant = Grant.objects.create(
        reference="FKZ 01PV26001",
        title="Weiterbildungsverbünde",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal("1000.00"),
    )
    grant.coordinators.add(coordinator)
    return grant


def company_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMN_KEYS)
    writer.writerow([COMPANY_ROW.get(key, "") for key in COLUMN_KEYS])
    return buffer.getvalue().encode()


def expenditure_csv() -> bytes:
    return (";".join(EXPENDITURE_HEADER) + "\n2026-05-31;material;Nord;Papier;12,50;B-1\n").encode()


class Import:
    """One of the two import pages, with what it would save."""

    def __init__(self, kind, grant=None):
        self.kind = kind
        self.grant = grant

    @property
    def url(self):
        if self.kind == "companies":
            return reverse("companies:import")
        return f"/funding/grants/{self.grant.pk}/expenditures/import/"

    def good_bytes(self):
        return company_csv() if self.kind == "companies" else expenditure_csv()

    def count(self):
        return Company.objects.count() if self.kind == "companies" else Expenditure.objects.count()

    def post(self, client, data: bytes, name: str):
        return client.post(self.url, {"file": SimpleUploadedFile(name, data)})

    def post_raw(self, client, data: bytes, filename: str):
        """The multipart body as a browser (or an attacker) sends it: the file name verbatim,
        which the test client and SimpleUploadedFile would shorten to its last part."""
        boundary = "----regiolab-boundary"
        body = (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return client.generic(
            "POST", self.url, body, content_type=f"multipart/form-data; boundary={boundary}"
        )


@pytest.fixture(params=["companies", "expenditures"])
def target(request, grant):
    return Import(request.param, grant)


def file_errors(response) -> list[str]:
    return [str(m) for m in response.context["form"].errors.get("file", [])]


def assert_refused(client, target, data, name, message):
    before = target.count()
    response = target.post(client, data, name)
    assert response.status_code == 200
    assert file_errors(response) == [str(message)]
    assert str(message) in response.content.decode()
    assert target.count() == before


# --- By content, whatever the extension says --------------------------------------------------

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.mark.parametrize("data", [PDF, PNG, b"name;city\nA;B\n"], ids=["pdf", "png", "csv"])
def test_anything_but_a_workbook_named_xlsx_is_refused(coordinator_client, target, data):
    assert_refused(coordinator_client, target, data, "tabelle.xlsx", uploads.NOT_XLSX)


def test_a_zip_that_is_no_workbook_is_refused(coordinator_client, target):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not really a workbook")
    assert_refused(coordinator_client, target, buffer.getvalue(), "t.xlsx", uploads.NOT_XLSX)


@pytest.mark.parametrize("data", [PDF, PNG], ids=["pdf", "png"])
def test_binary_files_named_csv_are_refused(coordinator_client, target, data):
    assert_refused(coordinator_client, target, data, "tabelle.csv", uploads.NOT_TEXT)


def test_a_real_workbook_named_csv_is_refused(coordinator_client, target):
    workbook = openpyxl.Workbook()
    workbook.active.append(["name", "city"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert_refused(coordinator_client, target, buffer.getvalue(), "t.csv", uploads.NOT_TEXT)


def test_csv_with_nul_bytes_is_refused(coordinator_client, target):
    data = target.good_bytes().replace(b"\n", b"\n\x00", 1)
    assert_refused(coordinator_client, target, data, "tabelle.csv", uploads.NOT_TEXT)


def test_csv_in_no_known_encoding_is_refused(coordinator_client, target):
    # 0x81 and 0x8d are undefined in cp1252 and control characters in Latin-1.
    data = target.good_bytes() + b"\x81\x8d;x;y\n"
    assert_refused(coordinator_client, target, data, "tabelle.csv", uploads.UNDECODABLE)


def test_utf16_without_bom_reads_as_binary_and_is_refused(coordinator_client, target):
    data = target.good_bytes().decode().encode("utf-16-le")
    assert_refused(coordinator_client, target, data, "tabelle.csv", uploads.NOT_TEXT)


def test_other_extensions_are_refused(coordinator_client, target):
    message = "Please upload a CSV file (.csv) or an Excel workbook (.xlsx)."
    for name in ("tabelle.txt", "tabelle.csv.exe", "tabelle", "tabelle.xlsm"):
        assert_refused(coordinator_client, target, target.good_bytes(), name, message)


# --- Empty and oversized -------------------------------------------------------------------------


def test_empty_files_are_refused(coordinator_client, target):
    assert_refused(coordinator_client, target, b"", "t.csv", "The submitted file is empty.")
    assert_refused(coordinator_client, target, b"\xef\xbb\xbf \r\n\t\n", "t.csv", uploads.EMPTY)


def test_a_file_over_the_limit_is_refused_with_its_size(coordinator_client, target):
    data = target.good_bytes() + b"x" * (django_settings.IMPORT_MAX_BYTES + 1)
    message = "The file is 2.0\xa0MB; at most 2.0\xa0MB can be imported at once."
    assert_refused(coordinator_client, target, data, "t.csv", message)


def _zip_bomb(*, unpacked: int) -> bytes:
    """A valid-looking workbook whose one extra member unpacks to ``unpacked`` zero bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_named_xlsx_is_refused_before_unpacking(coordinator_client, target):
    data = _zip_bomb(unpacked=uploads.MAX_XLSX_UNCOMPRESSED + 1024 * 1024)
    assert len(data) < django_settings.IMPORT_MAX_BYTES  # small enough to get past the size cap
    assert_refused(coordinator_client, target, data, "bombe.xlsx", TOO_LARGE)


def test_a_workbook_of_too_many_members_is_refused(coordinator_client, target):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(uploads.MAX_XLSX_MEMBERS):
            archive.writestr(f"xl/m{i}.xml", "")
    assert_refused(coordinator_client, target, buffer.getvalue(), "t.xlsx", TOO_LARGE)


def test_uploads_stay_in_memory_and_past_the_cap_keep_only_their_size(settings):
    """No upload handler writes to disk; past the cap nothing more is kept, only counted."""
    assert settings.FILE_UPLOAD_HANDLERS == ["regiolab.uploads.MemoryOnlyUploadHandler"]
    settings.IMPORT_MAX_BYTES = 10
    handler = uploads.MemoryOnlyUploadHandler(RequestFactory().post("/"))
    handler.new_file("file", "big.csv", "text/csv", 25)
    for chunk in (b"a" * 8, b"b" * 8, b"c" * 9):
        handler.receive_data_chunk(chunk, 0)
    upload = handler.file_complete(25)
    assert isinstance(upload, InMemoryUploadedFile)
    assert upload.size == 25 and upload.read() == b""  # the size says "too big", nothing kept


# --- File names ----------------------------------------------------------------------------------


def _files_under(path) -> set:
    return {p for p in path.rglob("*") if p.is_file()} if path.exists() else set()


@pytest.mark.parametrize("style", ["posix", "windows"])
def test_a_path_in_the_file_name_is_ignored_and_nothing_is_written(
    coordinator_client, target, tmp_path, settings, style
):
    private = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private)},
        },
    }
    escaped = tmp_path / "escaped.csv"
    name = "../" * 12 + str(escaped).lstrip("/")
    if style == "windows":
        name = name.replace("/", "\\")
    before = target.count()

    # Broken content under that name: the usual message, nothing saved.
    response = target.post_raw(coordinator_client, PDF, name)
    assert file_errors(response) == [str(uploads.NOT_TEXT)]
    assert target.count() == before
    # Good content under that name: imported by its content; the name is never used as a path.
    response = target.post_raw(coordinator_client, target.good_bytes(), name)
    assert response.status_code == 302
    assert target.count() == before + 1
    assert not escaped.exists()
    assert _files_under(private) == set()


# --- Report files: random names, private storage -----------------------------------------------


def test_report_files_get_random_unguessable_names():
    names = {report_upload_to(None, "FKZ 01PV26001_2026-01-01.pdf") for _ in range(50)}
    assert len(names) == 50
    for name in names:
        assert re.fullmatch(r"reports/[0-9a-f]{32}\.pdf", name), name


def test_report_files_are_not_served_as_media(client, grant, tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    report = ProgressReport(
        grant=grant, kind="interim", period_start=grant.start_date, period_end=grant.end_date
    )
    report.pdf_file.save("report.pdf", ContentFile(b"%PDF-1.4\n%secret\n"), save=False)
    stored = report.pdf_file.name
    assert (tmp_path / stored).exists()
    for prefix in ("/media/", "/private/", "/static/", "/"):
        assert client.get(prefix + stored).status_code == 404
    # The portal's private storage lies outside the static files and has no public URL.
    static_dirs = [str(d) for d in (project.STATIC_ROOT, *project.STATICFILES_DIRS)]
    location = str(project.STORAGES["default"]["OPTIONS"]["location"])
    assert not any(location.startswith(d) for d in static_dirs)
    assert not hasattr(project, "MEDIA_URL")  # not set: nothing is published as media
    served = [p for p in _all_patterns(get_resolver().url_patterns) if p.callback is serve]
    assert served == []


def _all_patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _all_patterns(pattern.url_patterns)
        else:
            yield pattern
