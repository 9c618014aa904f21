import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from companies.importing import COLUMN_KEYS
from companies.models import Company
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    FunderFactory,
    TopicFactory,
    UserFactory,
)
from tests.support.mfa import enable_totp

pytestmark = pytest.mark.django_db

URL = reverse("companies:import")


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert the English source messages (German is the portal's default)."""
    settings.LANGUAGE_CODE = "en"


GOOD = {
    "name": "Müller Fräs GmbH",
    "legal_form": "GmbH",
    "register_number": "HRB 4711",
    "street": "Industrieweg 1",
    "postcode": "30159",
    "city": "Hannover",
    "municipality": "Hannover",
    "sector": "C",
    "sector_code": "25.62",
    "kind": "sme",
    "headcount": "25",
    "annual_turnover": "1.234.567,89",
    "balance_sheet_total": "1234567.89",
    "figures_year": "2024",
    "website": "https://mueller-fraes.example",
    "training_needs": "",
    "contact_consent": "ja",
}


def row(**overrides):
    return {**GOOD, **overrides}


def csv_bytes(rows, *, header=COLUMN_KEYS, delimiter=";", encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(key, "") for key in header] if isinstance(r, dict) else r)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, *, header=COLUMN_KEYS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for r in rows:
        sheet.append([r.get(key) for key in header] if isinstance(r, dict) else r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data, name="firmen.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data)})


def error_rows(response):
    """(line, column, message) of the error table."""
    return [(e.line, e.column, str(e.message)) for e in response.context["row_errors"]]


def file_errors(response):
    return [str(m) for m in response.context["form"].errors.get("file", [])]


# --- Good files --------------------------------------------------------------------------


def test_good_csv_imports_every_row_with_figures_topics_and_consent(coordinator_client):
    TopicFactory(slug="robotik")
    TopicFactory(slug="digitalisierung")
    rows = [
        row(training_needs="robotik|digitalisierung"),
        row(name="Schmidt Logistik KG", postcode="30855", headcount="120,5", kind="",
            annual_turnover="", balance_sheet_total="", figures_year="", website="",
            contact_consent="nein", sector="h"),
    ]  # fmt: skip

    response = upload(coordinator_client, csv_bytes(rows))

    assert response.status_code == 302
    assert response.url == reverse("companies:list")
    mueller = Company.objects.get(name="Müller Fräs GmbH")
    assert mueller.annual_turnover == Decimal("1234567.89")
    assert mueller.balance_sheet_total == Decimal("1234567.89")
    assert mueller.headcount == Decimal("25")
    assert mueller.contact_consent is True
    assert mueller.size_class_stored == "small"
    assert sorted(mueller.training_needs.values_list("slug", flat=True)) == [
        "digitalisierung",
        "robotik",
    ]
    schmidt = Company.objects.get(name="Schmidt Logistik KG")
    assert schmidt.headcount == Decimal("120.5")
    assert schmidt.kind == "sme" and schmidt.sector == "H"
    assert schmidt.contact_consent is False
    assert schmidt.size_class_stored == "medium"
    follow = coordinator_client.get(response.url)
    assert "2 companies imported." in [str(m) for m in follow.context["messages"]]


def test_good_xlsx_imports_numbers_stored_as_numbers(coordinator_client):
    rows = [
        row(headcount=8, annual_turnover=950000.5, balance_sheet_total=None, figures_year=2025),
        row(name="Zweite GmbH", postcode=30161, headcount="12,5"),
    ]

    response = upload(coordinator_client, xlsx_bytes(rows), name="firmen.xlsx")

    assert response.status_code == 302
    first = Company.objects.get(name="Müller Fräs GmbH")
    assert first.headcount == Decimal("8")
    assert first.annual_turnover == Decimal("950000.50")
    assert first.figures_year == 2025
    assert first.size_class_stored == "micro"
    second = Company.objects.get(name="Zweite GmbH")
    assert second.postcode == "30161"
    assert second.headcount == Decimal("12.5")


def test_latin1_csv_keeps_umlauts(coordinator_client):
    response = upload(coordinator_client, csv_bytes([row()], encoding="latin-1"))

    assert response.status_code == 302
    assert Company.objects.get().name == "Müller Fräs GmbH"


def test_cp1252_and_utf8_bom_and_comma_delimiter_are_read(coordinator_client):
    data = csv_bytes([row(name="Straßenbau – Süd GmbH")], encoding="cp1252")
    assert upload(coordinator_client, data).status_code == 302
    data = b"\xef\xbb\xbf" + csv_bytes(
        [
            row(name="Bäckerei Öztürk", annual_turnover="1234567.89"),
            row(name="Komma KG", annual_turnover="1.234,50", headcount="2,5"),  # quoted
        ],
        delimiter=",",
    )
    assert upload(coordinator_client, data).status_code == 302
    assert dict(Company.objects.values_list("name", "annual_turnover")) == {
        "Straßenbau – Süd GmbH": Decimal("1234567.89"),
        "Bäckerei Öztürk": Decimal("1234567.89"),
        "Komma KG": Decimal("1234.50"),
    }


def test_only_required_columns_are_enough(coordinator_client):
    header = ["name", "city", "sector", "headcount"]
    data = csv_bytes([["Kleinbetrieb", "Laatzen", "F", "3"]], header=header)

    assert upload(coordinator_client, data).status_code == 302
    company = Company.objects.get()
    assert (company.kind, company.contact_consent, company.postcode) == ("sme", False, "")


# --- All or nothing ----------------------------------------------------------------------


def test_one_bad_row_among_good_ones_saves_nothing_and_names_line_and_field(
    coordinator_client,
):
    rows = [row(name=f"Firma {i}") for i in range(5)]
    rows[3]["headcount"] = "viele"

    response = upload(coordinator_client, csv_bytes(rows))

    assert response.status_code == 200
    assert Company.objects.count() == 0
    assert error_rows(response) == [(5, "headcount", "Enter a number.")]
    content = response.content.decode()
    assert "Nothing was imported: 1 problem found." in content
    assert "<td>5</td>" in content


def test_every_bad_row_is_reported_not_just_the_first(coordinator_client):
    rows = [
        row(name=""),
        row(name="B", sector="Z"),
        row(name="C", website="ftp://x.example"),
        row(name="D", figures_year="1800"),
        row(name="E", kind="verein"),
        row(name="F", city=""),
    ]

    response = upload(coordinator_client, csv_bytes(rows))

    assert Company.objects.count() == 0
    errors = error_rows(response)
    assert (2, "name", "This field is required.") in errors
    assert (3, "sector", "Select a valid choice. Z is not one of the available choices.") in errors
    assert (4, "website", "Enter a valid URL.") in errors
    assert (
        5,
        "figures_year",
        "Ensure this value is greater than or equal to 1990.",
    ) in errors
    assert (
        6,
        "kind",
        "Select a valid choice. verein is not one of the available choices.",
    ) in errors
    assert (7, "city", "This field is required.") in errors


def test_negative_and_too_precise_numbers_give_the_models_messages(coordinator_client):
    rows = [row(name="A", headcount="-3"), row(name="B", headcount="2,55")]

    response = upload(coordinator_client, csv_bytes(rows))

    assert Company.objects.count() == 0
    assert error_rows(response) == [
        (2, "headcount", "Ensure this value is greater than or equal to 0."),
        (3, "headcount", "Ensure that there are no more than 1 decimal place."),
    ]


# --- Bad files ---------------------------------------------------------------------------


def test_oversized_file_is_refused_before_parsing(coordinator_client, settings):
    settings.IMPORT_MAX_BYTES = 1000
    data = csv_bytes([row(name=f"Firma {i}") for i in range(20)])
    assert len(data) > 1000

    response = upload(coordinator_client, data)

    assert Company.objects.count() == 0
    assert file_errors(response) == [
        "The file is 2.9\xa0KB; at most 1000\xa0bytes can be imported at once."
    ]


def test_too_many_rows_is_refused(coordinator_client, settings):
    settings.IMPORT_MAX_ROWS = 3
    response = upload(coordinator_client, csv_bytes([row(name=f"F{i}") for i in range(4)]))

    assert Company.objects.count() == 0
    assert file_errors(response) == [
        "The file has more than 3 rows; please split it into smaller files."
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
    ],
    ids=["pdf", "png", "exe"],
)
def test_binary_file_renamed_csv_is_refused(coordinator_client, data):
    response = upload(coordinator_client, data, name="firmen.csv")

    assert Company.objects.count() == 0
    assert file_errors(response) == [
        "This is not a CSV text file. Please save the table as CSV (UTF-8) or as an Excel "
        "workbook (.xlsx)."
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"name;city\nA;B\n",
        b"PK\x03\x04 this is no zip at all",
        b"%PDF-1.7\n",
    ],
    ids=["csv-text", "broken-zip", "pdf"],
)
def test_non_workbook_named_xlsx_is_refused(coordinator_client, data):
    response = upload(coordinator_client, data, name="firmen.xlsx")

    assert Company.objects.count() == 0
    assert file_errors(response) == [
        "This is not an Excel workbook (.xlsx). Please save it as .xlsx or as CSV."
    ]


def test_zip_without_workbook_named_xlsx_is_refused(coordinator_client):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")

    response = upload(coordinator_client, buffer.getvalue(), name="firmen.xlsx")

    assert file_errors(response) == [
        "This is not an Excel workbook (.xlsx). Please save it as .xlsx or as CSV."
    ]


def test_other_extension_is_refused(coordinator_client):
    response = upload(coordinator_client, csv_bytes([row()]), name="firmen.txt")

    assert Company.objects.count() == 0
    assert file_errors(response) == [
        "Please upload a CSV file (.csv) or an Excel workbook (.xlsx)."
    ]


def test_undecodable_text_is_refused(coordinator_client):
    # 0x81 is undefined in cp1252, and decodes to a control character in Latin-1.
    data = b"name;city;sector;headcount\nA;B;C;1\n" + b"\x81\x8d\x8f;x;C;1\n"

    response = upload(coordinator_client, data)

    assert Company.objects.count() == 0
    assert file_errors(response) == [
        "The file could not be read as text. Please save it as CSV in UTF-8 (or Windows "
        "Latin-1) or as an Excel workbook (.xlsx)."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\xef\xbb\xbf\r\n  \r\n", "The file is empty."),
        (";".join(COLUMN_KEYS).encode() + b"\r\n", "The file has only the header row and no companies."),
        (";".join(COLUMN_KEYS).encode() + b"\r\n;;;\r\n\r\n", "The file has only the header row and no companies."),
    ],
    ids=["zero-bytes", "blank", "header-only", "header-and-blank-rows"],
)  # fmt: skip
def test_empty_and_header_only_files_are_refused(coordinator_client, data, message):
    response = upload(coordinator_client, data)

    assert Company.objects.count() == 0
    assert file_errors(response) == [message]


def test_header_only_xlsx_is_refused(coordinator_client):
    response = upload(coordinator_client, xlsx_bytes([]), name="firmen.xlsx")

    assert file_errors(response) == ["The file has only the header row and no companies."]


def test_missing_required_and_unknown_columns_are_listed(coordinator_client):
    header = ["name", "sector", "telefon", "Ansprechpartner"]
    data = csv_bytes([["A", "C", "0511", "Frau X"]], header=header)

    response = upload(coordinator_client, data)

    assert Company.objects.count() == 0
    errors = file_errors(response)
    assert (
        "Unknown columns: telefon, ansprechpartner. Allowed columns: name, legal_form,"
        in (errors[0])
    )
    assert errors[1] == "Required columns are missing: city, headcount."


def test_duplicate_rows_in_the_file_are_refused(coordinator_client):
    rows = [row(), row(name="Andere GmbH"), row(name="  müller fräs gmbh ")]

    response = upload(coordinator_client, csv_bytes(rows))

    assert Company.objects.count() == 0
    assert error_rows(response) == [(4, "name", "Same name and postcode as line 2 of this file.")]


def test_row_equal_to_an_existing_company_is_refused(coordinator_client):
    CompanyFactory(name="Müller Fräs GmbH", postcode="30159")
    CompanyFactory(name="Andere GmbH", postcode="99999")

    response = upload(coordinator_client, csv_bytes([row(name="Andere GmbH"), row()]))

    assert Company.objects.count() == 2
    assert error_rows(response) == [
        (3, "name", "A company with this name and postcode already exists.")
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_formula_like_text_cells_are_refused_with_line_and_column(coordinator_client, start):
    rows = [row(name="Gut GmbH"), row(street=f'{start}HYPERLINK("http://evil")')]

    response = upload(coordinator_client, csv_bytes(rows))

    assert Company.objects.count() == 0
    assert error_rows(response) == [
        (3, "street", "Text must not start with =, +, -, @ or a tab (spreadsheet formula).")
    ]


def test_formula_cell_in_workbook_is_refused(coordinator_client):
    response = upload(coordinator_client, xlsx_bytes([row(city="=1+2")]), name="firmen.xlsx")

    assert Company.objects.count() == 0
    assert error_rows(response) == [
        (2, "city", "Text must not start with =, +, -, @ or a tab (spreadsheet formula).")
    ]


def test_markup_and_overlong_values_are_refused(coordinator_client):
    rows = [
        row(name="<script>alert(1)</script>"),
        row(name="B" * 201),
        row(name="C", postcode="1" * 11),
        row(name="D", legal_form='<img src=x onerror="alert(1)">'),
    ]

    response = upload(coordinator_client, csv_bytes(rows))

    assert Company.objects.count() == 0
    assert error_rows(response) == [
        (2, "name", "Please enter plain text without HTML tags or script code."),
        (3, "name", "Ensure this value has at most 200 characters (it has 201)."),
        (4, "postcode", "Ensure this value has at most 10 characters (it has 11)."),
        (5, "legal_form", "Please enter plain text without HTML tags or script code."),
    ]
    # The hostile value is shown escaped, never as markup.
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_unknown_topics_and_bad_consent_are_refused(coordinator_client):
    TopicFactory(slug="robotik")
    rows = [row(training_needs="robotik|kochen"), row(name="B", contact_consent="vielleicht")]

    response = upload(coordinator_client, csv_bytes(rows))

    assert Company.objects.count() == 0
    assert error_rows(response) == [
        (2, "training_needs", "Unknown topics: kochen. Known topics: robotik."),
        (3, "contact_consent", "Enter yes or no (ja/nein, 1/0, true/false)."),
    ]


def test_extra_cells_beyond_the_header_are_refused(coordinator_client):
    header = ["name", "city", "sector", "headcount"]
    data = csv_bytes([["A", "Hannover", "C", "3", "übrig"]], header=header)

    response = upload(coordinator_client, data)

    assert Company.objects.count() == 0
    assert error_rows(response) == [(2, "", "The row has more cells than the header has columns.")]


# --- Page and permissions ----------------------------------------------------------------


def test_messages_follow_the_users_language(coordinator_client):
    rows = [row(headcount="viele")]

    response = coordinator_client.post(
        URL,
        {"file": SimpleUploadedFile("f.csv", csv_bytes(rows))},
        HTTP_ACCEPT_LANGUAGE="de",
    )

    assert error_rows(response) == [(2, "headcount", "Bitte eine Zahl eingeben.")]


def test_import_page_shows_labelled_upload_with_formats_and_limit(coordinator_client):
    response = coordinator_client.get(URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_file"' in content
    assert 'type="file"' in content and 'enctype="multipart/form-data"' in content
    assert "at most 2.0\xa0MB and 5000 rows" in content
    assert reverse("companies:import_template", args=["xlsx"]) in content
    assert "A, B, C, D" in content  # allowed sector letters are listed
    assert content.count("<h1") == 1


def test_anonymous_is_sent_to_login(client):
    for url in (
        URL,
        reverse("companies:import_template", args=["csv"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response.url
    response = client.post(URL, {"file": SimpleUploadedFile("f.csv", csv_bytes([row()]))})
    assert response.status_code == 302
    assert Company.objects.count() == 0


def test_company_representative_and_funder_get_403(client):
    representative = CompanyMemberFactory().user
    funder = UserFactory()
    FunderFactory().users.add(funder)
    enable_totp(funder)
    for user in (representative, funder):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.get(reverse("companies:import_template", args=["xlsx"])).status_code == 403
        response = client.post(URL, {"file": SimpleUploadedFile("f.csv", csv_bytes([row()]))})
        assert response.status_code == 403
    assert Company.objects.count() == 1  # only the representative's own company


# --- Template ----------------------------------------------------------------------------


def test_csv_template_has_header_and_example_row_and_imports(coordinator_client):
    TopicFactory(slug="robotik")
    response = coordinator_client.get(reverse("companies:import_template", args=["csv"]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="companies-template.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff" + ";".join(COLUMN_KEYS) + "\r\n")
    assert len(text.strip().splitlines()) == 2
    assert upload(coordinator_client, response.content).status_code == 302
    assert Company.objects.get().training_needs.get().slug == "robotik"


def test_xlsx_template_has_example_row_and_an_explanation_sheet(coordinator_client):
    TopicFactory(slug="robotik")
    response = coordinator_client.get(reverse("companies:import_template", args=["xlsx"]))

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    data, explanations = workbook.worksheets
    rows = list(data.iter_rows(values_only=True))
    assert rows[0] == COLUMN_KEYS
    assert len(rows) == 2
    explained = {r[0]: r for r in explanations.iter_rows(min_row=2, values_only=True)}
    assert set(explained) == set(COLUMN_KEYS)
    assert explained["sector"][3].startswith("A, B, C")
    assert "robotik" in explained["training_needs"][3]
    assert explained["name"][1] == "yes"
    assert upload(coordinator_client, response.content, name="t.xlsx").status_code == 302


def test_unknown_template_format_is_404(coordinator_client):
    response = coordinator_client.get(reverse("companies:import_template", args=["pdf"]))
    assert response.status_code == 404


def test_upload_stays_in_memory_even_when_large(coordinator_client, settings, monkeypatch):
    """Django would spool this to a temp file; the import view keeps it in memory."""
    from django.core.files import uploadedfile

    def no_disk(*args, **kwargs):
        raise AssertionError("upload written to a temporary file")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", no_disk)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    big = csv_bytes([row(name=f"Firma {i}", street="x" * 150) for i in range(9000)])
    assert len(big) > 2 * 1024 * 1024

    response = upload(coordinator_client, big)

    assert file_errors(response)[0].startswith("The file is 2.")
    assert "at most 2.0\xa0MB can be imported at once." in file_errors(response)[0]
    small = upload(coordinator_client, csv_bytes([row()]))
    assert small.status_code == 302


def test_workbook_with_formatted_empty_rows_below_the_data_imports_quickly(coordinator_client):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMN_KEYS))
    sheet.append([GOOD[key] for key in COLUMN_KEYS])
    bold = openpyxl.styles.Font(bold=True)
    for line in range(3, 200_000, 50):  # styled but empty cells far below the data
        sheet.cell(row=line, column=1).font = bold
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = upload(coordinator_client, buffer.getvalue(), name="firmen.xlsx")

    assert response.status_code == 302
    assert Company.objects.get().name == "Müller Fräs GmbH"
