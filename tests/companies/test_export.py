import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from companies.exporting import EXPORT_KEYS
from companies.importing import COLUMN_KEYS, header_keys
from companies.models import PROFILE_FIELDS, Company
from networks.models import NetworkMembership
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    FunderFactory,
    NetworkMembershipFactory,
    TopicFactory,
    TrainingNetworkFactory,
    UserFactory,
)
from tests.support import libreoffice
from tests.support.mfa import enable_totp

pytestmark = pytest.mark.django_db

CSV_URL = reverse("companies:export_csv")
XLSX_URL = reverse("companies:export_xlsx")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def body(response) -> bytes:
    """The downloaded bytes (the CSV export streams)."""
    if not hasattr(response, "_h2_body"):
        response._h2_body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
    return response._h2_body


def read_csv(response) -> list[list[str]]:
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(response) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def as_dicts(rows) -> list[dict]:
    """Rows keyed by column key; the header row is in the user's language."""
    header, *body = rows
    # The importer's reading of the header, then the two columns it skips (export only).
    assert tuple(header_keys(list(header))) == COLUMN_KEYS + ("", "")
    return [dict(zip(EXPORT_KEYS, r, strict=True)) for r in body]


def full_company(**kwargs):
    company = CompanyFactory(
        name="Müller Fräs GmbH",
        register_number="HRB 4711",
        postcode="30159",
        headcount=Decimal("12.5"),
        annual_turnover=Decimal("1234567.89"),
        balance_sheet_total=None,
        website="https://mueller.example",
        contact_consent=True,
        **kwargs,
    )
    company.training_needs.add(TopicFactory(slug="robotik"), TopicFactory(slug="cad"))
    return company


ENGLISH_HEADER = (
    "Name", "Legal form", "Commercial register number", "Street and number", "Postcode", "City",
    "Municipality", "Sector (NACE section)", "WZ 2008 code", "Kind",
    "Staff headcount (annual work units)", "Annual turnover (EUR)", "Balance-sheet total (EUR)",
    "Reference year of the figures", "Website", "Training needs", "Agrees to be contacted",
    "Size class", "Active networks",
)  # fmt: skip


def test_csv_is_utf8_with_bom_semicolons_and_headers_in_the_users_language(coordinator_client):
    full_company()

    response = coordinator_client.get(CSV_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="companies-')
    rows = read_csv(response)
    assert tuple(rows[0]) == ENGLISH_HEADER
    (exported,) = as_dicts(rows)
    assert exported["name"] == "Müller Fräs GmbH"
    assert exported["headcount"] == "12,5"
    assert exported["annual_turnover"] == "1234567,89"
    assert exported["balance_sheet_total"] == ""
    assert exported["training_needs"] == "cad|robotik"
    assert exported["contact_consent"] == "yes"
    assert exported["figures_year"] == "2025"
    assert exported["size_class"] == "small enterprise"


def test_xlsx_has_the_columns_in_the_users_language_and_real_numbers(coordinator_client):
    full_company()

    response = coordinator_client.get(XLSX_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = read_xlsx(response)
    assert rows[0] == ENGLISH_HEADER
    (exported,) = as_dicts(rows)
    assert exported["headcount"] == 12.5
    assert exported["annual_turnover"] == 1234567.89
    assert exported["training_needs"] == "cad|robotik"
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])


def test_headers_are_german_by_default(client, coordinator, settings):
    settings.LANGUAGE_CODE = "de"
    client.force_login(coordinator)
    full_company()

    csv_header = read_csv(client.get(CSV_URL))[0]
    xlsx_header = read_xlsx(client.get(XLSX_URL))[0]

    for header in (csv_header, tuple(xlsx_header)):
        assert header[4] == "Postleitzahl"
        assert header[11] == "Jahresumsatz (EUR)"
        assert header[-2:] == ("Größenklasse", "Aktive Verbünde") or header[-2:] == [
            "Größenklasse",
            "Aktive Verbünde",
        ]


def test_export_has_size_class_and_only_active_networks_by_name(coordinator_client):
    company = full_company()
    for name in ("Verbund Robotik", "Digital Lernen"):
        NetworkMembershipFactory(company=company, network=TrainingNetworkFactory(name=name))
    NetworkMembershipFactory(
        company=company,
        network=TrainingNetworkFactory(name="Altes Netz"),
        status=NetworkMembership.Status.LEFT,
    )

    for response, reader in ((coordinator_client.get(CSV_URL), read_csv),
                             (coordinator_client.get(XLSX_URL), read_xlsx)):  # fmt: skip
        (exported,) = as_dicts(reader(response))
        assert exported["size_class"] == "small enterprise"
        assert exported["networks"] == "Digital Lernen, Verbund Robotik"


def test_the_export_and_a_persons_data_export_show_the_same_profile(coordinator_client):
    """One field list (companies.models.PROFILE_FIELDS) for both downloads, and it holds every
    typed-in column of the import template."""
    assert set(PROFILE_FIELDS) == set(COLUMN_KEYS) - {"training_needs", "contact_consent"}
    company = full_company(legal_form="GmbH", figures_year=2025)
    owner = CompanyMemberFactory(company=company).user
    (row,) = as_dicts(read_xlsx(coordinator_client.get(XLSX_URL)))
    person = Client()
    person.force_login(owner)
    data = json.loads(person.get("/accounts/privacy/export.json").content)
    (membership,) = data["companies"]["memberships"]

    def same(value):  # XLSX: None for empty, numbers; JSON: "" for empty, decimals as text
        if value is None or value == "":
            return ""
        return Decimal(str(value)) if isinstance(value, int | float | Decimal) else value

    profile = membership["company"]
    for field in PROFILE_FIELDS:
        exported = same(row[field])
        shown = same(profile[field])
        if isinstance(exported, Decimal):
            shown = Decimal(shown)
        assert exported == shown, field
    assert profile["name"] == "Müller Fräs GmbH" and row["headcount"] == 12.5


def test_xlsx_opens_in_libreoffice_with_typed_cells(coordinator_client):
    """As LibreOffice shows it: numbers, codes with their zeros, text never a formula."""
    company = CompanyFactory(
        name='=HYPERLINK("http://evil.example","klick")',
        legal_form="  -GmbH",
        register_number="HRB 0815",
        postcode="01067",
        city="Dresden",
        sector_code="25.10",
        headcount=Decimal("12.5"),
        annual_turnover=Decimal("1234567.8"),
        balance_sheet_total=None,
        website="",
    )
    NetworkMembershipFactory(company=company, network=TrainingNetworkFactory(name="Verbund"))

    sheets = libreoffice.read_xlsx(body(coordinator_client.get(XLSX_URL)))

    (rows,) = sheets.values()
    assert [c.shown for c in rows[0]] == list(ENGLISH_HEADER)
    (row,) = libreoffice.records(rows)
    name = row["Name"]
    assert (name.type, name.shown, name.formula) == (
        "string", '=HYPERLINK("http://evil.example","klick")', ""
    )  # fmt: skip
    assert (row["Legal form"].type, row["Legal form"].shown) == ("string", "  -GmbH")
    assert (row["Postcode"].type, row["Postcode"].shown) == ("string", "01067")
    assert (row["WZ 2008 code"].type, row["WZ 2008 code"].shown) == ("string", "25.10")
    assert row["Commercial register number"].shown == "HRB 0815"
    turnover = row["Annual turnover (EUR)"]
    assert (turnover.type, turnover.value) == ("float", "1234567.8")
    assert turnover.shown.endswith(".80")  # two decimals shown
    assert (row["Staff headcount (annual work units)"].type, row["Reference year of the figures"].type) == ("float", "float")  # fmt: skip
    assert row["Balance-sheet total (EUR)"].empty
    assert row["Website"].empty
    assert row["Size class"].shown == "small enterprise"
    assert row["Active networks"].shown == "Verbund"


def test_export_with_an_invalid_filter_makes_no_file_and_says_why(coordinator_client):
    CompanyFactory(name="Bau GmbH", sector="F")

    for url in (CSV_URL, XLSX_URL):
        response = coordinator_client.get(url, {"sector": "ZZ"}, follow=True)
        assert response.redirect_chain[0][0] == reverse("companies:list") + "?sector=ZZ"
        assert "Content-Disposition" not in response
        assert "please correct the filters first" in response.content.decode()


def test_list_page_export_links_carry_the_filters_and_sorting(coordinator_client):
    CompanyFactory(name="Bau GmbH", sector="F")

    content = coordinator_client.get(
        reverse("companies:list"), {"sector": "F", "ordering": "-name"}
    ).content.decode()

    assert f'href="{CSV_URL}?sector=F&amp;ordering=-name"' in content
    assert f'href="{XLSX_URL}?sector=F&amp;ordering=-name"' in content


def test_export_follows_the_list_filters_and_has_every_row(coordinator_client):
    for i in range(30):
        CompanyFactory(name=f"Bau {i:02d} GmbH", sector="F")
    CompanyFactory(name="Metall GmbH", sector="C")

    for url in (CSV_URL, XLSX_URL):
        response = coordinator_client.get(url, {"sector": "F"})
        rows = read_csv(response) if url == CSV_URL else read_xlsx(response)
        names = [r["name"] for r in as_dicts(rows)]
        assert len(names) == 30  # all of them, not one page
        assert "Metall GmbH" not in names

        response = coordinator_client.get(url, {"q": "Metall"})
        rows = read_csv(response) if url == CSV_URL else read_xlsx(response)
        assert [r["name"] for r in as_dicts(rows)] == ["Metall GmbH"]


def test_export_uses_the_list_pages_topic_filter_and_sort_order(coordinator_client):
    robotics = TopicFactory(slug="robotik")
    for name in ("Alpha GmbH", "Beta GmbH", "Gamma GmbH"):
        CompanyFactory(name=name).training_needs.add(robotics)
    CompanyFactory(name="Ohne Thema GmbH")

    params = {"topic": robotics.pk, "ordering": "-name"}
    csv_names = [r["name"] for r in as_dicts(read_csv(coordinator_client.get(CSV_URL, params)))]
    xlsx_names = [r["name"] for r in as_dicts(read_xlsx(coordinator_client.get(XLSX_URL, params)))]

    assert csv_names == xlsx_names == ["Gamma GmbH", "Beta GmbH", "Alpha GmbH"]


def test_formula_like_text_is_text(coordinator_client):
    CompanyFactory(
        name='=HYPERLINK("http://evil.example","klick")',
        street="+49 Weg",
        city="@Hannover",
        legal_form="-GmbH",
    )

    csv_row = as_dicts(read_csv(coordinator_client.get(CSV_URL)))[0]
    xlsx_response = coordinator_client.get(XLSX_URL)
    xlsx_row = as_dicts(read_xlsx(xlsx_response))[0]

    # A CSV cannot type a cell: the apostrophe keeps Excel from running it.
    assert csv_row["name"] == '\'=HYPERLINK("http://evil.example","klick")'
    assert csv_row["street"] == "'+49 Weg"
    assert csv_row["city"] == "'@Hannover"
    assert csv_row["legal_form"] == "'-GmbH"
    # The XLSX stores text cells: the name as it is, without an apostrophe.
    assert xlsx_row["name"] == '=HYPERLINK("http://evil.example","klick")'
    assert xlsx_row["street"] == "+49 Weg"
    assert xlsx_row["city"] == "@Hannover"
    assert xlsx_row["legal_form"] == "-GmbH"
    cell = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).worksheets[0]["A2"]
    assert cell.data_type == "s"  # text, not a formula


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(("url", "reader"), [(CSV_URL, read_csv), (XLSX_URL, read_xlsx)])
def test_export_then_import_into_an_empty_database_gives_the_same_companies(
    coordinator_client, settings, url, reader, language
):
    settings.LANGUAGE_CODE = language  # headers in either language import again
    full_company()
    CompanyFactory(
        name="Schmidt Logistik KG",
        postcode="",
        sector="H",
        kind=Company.Kind.EDUCATION_PROVIDER,
        headcount=Decimal("300"),
        annual_turnover=None,
        figures_year=None,
        municipality="",
    )
    fields = [k for k in COLUMN_KEYS if k != "training_needs"]
    before = sorted(Company.objects.values_list(*fields))
    topics_before = sorted(Company.objects.values_list("name", "training_needs__slug"))
    response = coordinator_client.get(url)
    data = body(response)

    Company.objects.all().delete()
    result = coordinator_client.post(
        reverse("companies:import"),
        {"file": SimpleUploadedFile(f"export.{url.rsplit('.', 1)[1]}", data)},
    )

    assert result.status_code == 302, result.context["row_errors"]
    assert sorted(Company.objects.values_list(*fields)) == before
    assert sorted(Company.objects.values_list("name", "training_needs__slug")) == topics_before
    assert dict(Company.objects.values_list("name", "size_class_stored")) == {
        "Müller Fräs GmbH": "small",
        "Schmidt Logistik KG": "large",
    }


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_query_count_does_not_grow_with_rows(coordinator_client, url, django_assert_num_queries):
    topics = [TopicFactory(slug=f"t{i}") for i in range(3)]
    networks = [TrainingNetworkFactory() for _ in range(2)]

    def add_companies(n):
        for _ in range(n):
            company = CompanyFactory()
            company.training_needs.set(topics)
            for network in networks:
                NetworkMembershipFactory(company=company, network=network)

    def export():
        response = coordinator_client.get(url)
        body(response)  # a streamed export queries while it is read
        return response

    add_companies(3)
    with CaptureQueriesContext(connection) as few:
        export()
    add_companies(27)
    with django_assert_num_queries(len(few.captured_queries)):
        response = export()
    rows = read_xlsx(response) if url == XLSX_URL else read_csv(response)
    assert len(rows) == 31
    assert all(r["networks"].count(", ") == 1 for r in as_dicts(rows))
    assert len(few.captured_queries) <= 8


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_representative_and_funder_get_403(client, url):
    representative = CompanyMemberFactory().user
    funder = UserFactory()
    FunderFactory().users.add(funder)
    enable_totp(funder)
    for user in (representative, funder):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 403
        assert b"Muster Metallbau" not in body(response)
