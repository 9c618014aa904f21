import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from funding.models import Expenditure

pytestmark = pytest.mark.django_db
HEADER = "date;category;payee;purpose;amount;receipt_reference\n"


def _post(client, grant, name, content):
    return client.post(
        f"/funding/grants/{grant.pk}/expenditures/import/",
        {"file": SimpleUploadedFile(name, content)},
    )


def test_csv_import_saves_every_row(coordinator_client, grant):
    csv = HEADER + (
        "31.05.2026;material;Bürobedarf Nord;Flipcharts;1.234,56;B-2026-010\n"
        "2026-06-01;travel;Deutsche Bahn;Fahrt Celle;89.90;B-2026-011\n"
    )
    response = _post(coordinator_client, grant, "belege.csv", csv.encode())
    assert response.status_code == 302
    rows = Expenditure.objects.filter(receipt_reference__startswith="B-2026-01").order_by("date")
    assert [(r.receipt_reference, r.amount) for r in rows] == [
        ("B-2026-010", Decimal("1234.56")),
        ("B-2026-011", Decimal("89.90")),
    ]


def test_xlsx_import(coordinator_client, grant):
    book = Workbook()
    sheet = book.active
    sheet.append(["date", "category", "payee", "purpose", "amount", "receipt_reference"])
    sheet.append(["2026-07-01", "personnel", "Koordination", "Gehalt Juli", 5000.5, "B-2026-020"])
    out = io.BytesIO()
    book.save(out)
    assert _post(coordinator_client, grant, "belege.xlsx", out.getvalue()).status_code == 302
    assert Expenditure.objects.get(receipt_reference="B-2026-020").amount == Decimal("5000.5")


def test_one_bad_row_saves_nothing_and_names_each_error(coordinator_client, grant):
    csv = HEADER + (
        "2026-05-31;material;Bürobedarf;Papier;10,00;B-1\n"
        "2026-13-01;material;Bürobedarf;Papier;10,00;B-2\n"
        "2026-05-31;party;Bürobedarf;Papier;-5;B-3\n"
        "2026-05-31;material;=HYPERLINK();<script>alert(1)</script>;1;B-4\n"
    )
    response = _post(coordinator_client, grant, "belege.csv", csv.encode())
    content = response.content.decode()
    assert response.status_code == 200
    assert "Line 3" in content or "Zeile 3" in content
    assert "Line 4" in content or "Zeile 4" in content
    assert "Line 5" in content or "Zeile 5" in content
    assert "Line 2" not in content and "Zeile 2:" not in content
    assert "<script>alert(1)</script>" not in content
    assert grant.expenditures.count() == 2  # only the fixture's


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("belege.txt", b"x"),
        ("belege.csv", b""),
        ("belege.csv", b"datum;betrag\n1;2\n"),
        ("belege.xlsx", b"not a zip"),
    ],
)
def test_bad_files_refused(coordinator_client, grant, name, content):
    response = _post(coordinator_client, grant, name, content)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() or "form-errors" in response.content.decode()
    assert grant.expenditures.count() == 2


def test_funder_cannot_import(client, funder_user, grant):
    client.force_login(funder_user)
    response = _post(client, grant, "b.csv", (HEADER + "2026-05-31;material;X;Y;1;B\n").encode())
    assert response.status_code == 403
    assert grant.expenditures.count() == 2
