"""Expenditures: edit, delete with confirmation (audit-logged), receipt files (checked by
content, stored privately, served only through the permission-checked view), filter and sum."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from funding.models import Expenditure
from regiolab import uploads
from tests.factories import CompanyMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def personnel(grant):
    return grant.expenditures.get(receipt_reference="B-2026-001")


def edit_url(grant, expenditure):
    return f"/funding/grants/{grant.pk}/expenditures/{expenditure.pk}/edit/"


def delete_url(grant, expenditure):
    return f"/funding/grants/{grant.pk}/expenditures/{expenditure.pk}/delete/"


def form_data(expenditure, **changes) -> dict:
    data = {
        "date": expenditure.date.isoformat(),
        "category": expenditure.category,
        "payee": expenditure.payee,
        "purpose": expenditure.purpose,
        "amount": str(expenditure.amount),
        "receipt_reference": expenditure.receipt_reference,
        "workshop": "",
        "network": "",
    }
    return {**data, **changes}


def stored_files(settings) -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- Edit -------------------------------------------------------------------------------------


def test_edit_changes_the_row_and_is_audit_logged(
    coordinator_client, coordinator, grant, personnel
):
    response = coordinator_client.post(
        edit_url(grant, personnel), form_data(personnel, amount="4999.99", payee="Gehalt Kora")
    )
    assert response.status_code == 302
    personnel.refresh_from_db()
    assert personnel.amount == Decimal("4999.99")
    assert personnel.payee == "Gehalt Kora"
    entry = LogEntry.objects.get_for_object(personnel).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == coordinator
    assert entry.changes_dict["payee"] == ["Gehalt Koordination", "Gehalt Kora"]
    assert entry.changes_dict["amount"] == ["5000.0100", "4999.9900"]


def test_edit_with_invalid_values_shows_errors_and_changes_nothing(
    coordinator_client, grant, personnel
):
    response = coordinator_client.post(
        edit_url(grant, personnel), form_data(personnel, amount="-3")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    personnel.refresh_from_db()
    assert personnel.amount == Decimal("5000.01")
    # The heading still names the stored receipt, not the posted values.
    assert "Edit receipt B-2026-001" in response.content.decode()


def test_another_grants_expenditure_is_not_found(coordinator_client, grant, personnel):
    from funding.models import Grant

    other = Grant.objects.create(
        reference="X-1", title="X", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31),
        total_eligible_costs=Decimal(1),
    )  # fmt: skip
    assert coordinator_client.get(edit_url(other, personnel)).status_code == 404
    assert coordinator_client.post(delete_url(other, personnel)).status_code == 404
    assert Expenditure.objects.filter(pk=personnel.pk).exists()


# --- Delete -----------------------------------------------------------------------------------


def test_delete_asks_first_saying_what_happens(coordinator_client, grant, personnel):
    page = coordinator_client.get(delete_url(grant, personnel)).content.decode()
    assert "<h1>Delete receipt B-2026-001?</h1>" in page
    assert "The expenditure B-2026-001 of 5,000.01 EUR is deleted" in page
    assert "personnel 2026" in page
    assert "Nobody is told by e-mail." in page
    assert "This cannot be undone." in page
    assert "change history keeps every value" in page
    assert Expenditure.objects.filter(pk=personnel.pk).exists()  # asking changed nothing


def test_confirmed_delete_removes_row_and_file_and_logs_it(
    coordinator_client, coordinator, grant, personnel, settings, django_capture_on_commit_callbacks
):
    coordinator_client.post(
        edit_url(grant, personnel),
        form_data(personnel, receipt_file=SimpleUploadedFile("beleg.pdf", PDF)),
    )
    assert len(stored_files(settings)) == 1
    pk = personnel.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            delete_url(grant, personnel), {"confirmed": "1"}, follow=True
        )
    assert not Expenditure.objects.filter(pk=pk).exists()
    assert stored_files(settings) == []
    assert "Receipt B-2026-001 (5,000.01 EUR) was deleted by you." in response.content.decode()
    entry = LogEntry.objects.filter(object_pk=str(pk), action=LogEntry.Action.DELETE).get()
    assert entry.actor == coordinator
    assert entry.changes_dict["receipt_reference"][0] == "B-2026-001"
    # The grant's history lists the deletion.
    history = coordinator_client.get(f"/history/funding/grant/{grant.pk}/?show=expenditure")
    assert "B-2026-001" in history.content.decode()


def test_deleting_twice_says_it_is_gone(coordinator_client, grant, personnel):
    from funding import services

    stale = Expenditure.objects.get(pk=personnel.pk)
    services.delete_expenditure(expenditure=personnel)
    with pytest.raises(Exception, match="deleted meanwhile"):
        services.delete_expenditure(expenditure=stale)


# --- Receipt files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("rechnung.pdf", PDF, "application/pdf"),
        ("scan.png", png_bytes(), "image/png"),
        ("foto.jpeg", jpeg_bytes(), "image/jpeg"),
        # The bytes decide, not the name: a PNG called .pdf is kept as the PNG it is.
        ("falsch.pdf", png_bytes(), "image/png"),
    ],
)
def test_a_receipt_is_stored_privately_and_served_by_content(
    coordinator_client, grant, personnel, settings, name, data, content_type
):
    response = coordinator_client.post(
        edit_url(grant, personnel),
        form_data(personnel, receipt_file=SimpleUploadedFile(name, data)),
    )
    assert response.status_code == 302
    personnel.refresh_from_db()
    assert personnel.receipt_file.name.startswith("receipts/")
    assert name.rsplit(".")[0] not in personnel.receipt_file.name  # a random name
    assert personnel.receipt_content_type == content_type
    assert personnel.receipt_name == name
    [stored] = stored_files(settings)
    assert stored.read_bytes() == data
    download = coordinator_client.get(f"/funding/expenditures/{personnel.pk}/receipt/")
    assert download.status_code == 200
    assert download["Content-Type"] == content_type
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == data
    listing = coordinator_client.get(f"/funding/grants/{grant.pk}/expenditures/").content.decode()
    assert f'href="/funding/expenditures/{personnel.pk}/receipt/"' in listing


def test_a_receipt_can_be_attached_when_recording(coordinator_client, grant, personnel):
    data = form_data(
        personnel, receipt_reference="B-2026-009", receipt_file=SimpleUploadedFile("b.pdf", PDF)
    )
    coordinator_client.post(f"/funding/grants/{grant.pk}/expenditures/", data)
    created = grant.expenditures.get(receipt_reference="B-2026-009")
    assert created.receipt_content_type == "application/pdf"


def large_pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (size - 20) + b"\n%%EOF\n"


def test_a_receipt_of_nearly_10_mb_is_accepted(coordinator_client, grant, personnel):
    """Above the imports' 2 MB: the receipt views carry their own upload limit."""
    data = large_pdf(10 * 1024 * 1024 - 100)
    response = coordinator_client.post(
        edit_url(grant, personnel),
        form_data(personnel, receipt_file=SimpleUploadedFile("gross.pdf", data)),
    )
    assert response.status_code == 302
    personnel.refresh_from_db()
    assert personnel.receipt_file.size == len(data)


def refused(client, grant, expenditure, upload, settings) -> list[str]:
    before = form_data(expenditure)
    response = client.post(
        edit_url(grant, expenditure), form_data(expenditure, payee="Geändert", receipt_file=upload)
    )
    assert response.status_code == 200
    expenditure.refresh_from_db()
    assert form_data(expenditure) == before  # nothing changed, not even the other fields
    assert not expenditure.receipt_file
    assert stored_files(settings) == []
    errors = [str(e) for e in response.context["form"].errors["receipt_file"]]
    for error in errors:
        assert error in response.content.decode().replace("&#x27;", "'")
    return errors


def test_an_oversized_receipt_is_refused_with_its_size(
    coordinator_client, grant, personnel, settings
):
    upload = SimpleUploadedFile("riesig.pdf", large_pdf(10 * 1024 * 1024 + 10))
    assert refused(coordinator_client, grant, personnel, upload, settings) == [
        "The file is 10.0\xa0MB; a receipt may be at most 10.0\xa0MB."
    ]


@pytest.mark.parametrize(
    "name, data",
    [
        ("rechnung.pdf", b"<html><script>alert(1)</script></html>"),
        ("rechnung.pdf", b"MZ\x90\x00 an executable"),
        ("rechnung.png", b"GIF89a\x01\x00\x01\x00"),
        ("tabelle.pdf", b"PK\x03\x04 a zip"),
    ],
    ids=["html", "exe", "gif", "zip"],
)
def test_wrong_content_is_refused_whatever_the_name(
    coordinator_client, grant, personnel, settings, name, data
):
    upload = SimpleUploadedFile(name, data)
    assert refused(coordinator_client, grant, personnel, upload, settings) == [
        str(uploads.NOT_A_RECEIPT)
    ]


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "PDF"),
        (png_bytes()[:30], "PNG"),
        (b"\xff\xd8\xff\xe0xx", "JPEG"),
    ],
    ids=["pdf-cut", "png-cut", "jpeg-cut"],
)
def test_a_damaged_file_is_refused(coordinator_client, grant, personnel, settings, data, kind):
    upload = SimpleUploadedFile("beleg.bin", data)
    assert refused(coordinator_client, grant, personnel, upload, settings) == [
        f"The file is damaged or incomplete: it could not be read as {kind}."
    ]


def test_an_empty_file_is_refused(coordinator_client, grant, personnel, settings):
    upload = SimpleUploadedFile("leer.pdf", b"")
    errors = refused(coordinator_client, grant, personnel, upload, settings)
    assert errors  # Django's own "The submitted file is empty." or ours


def post_raw_name(client, url, fields: dict, filename: str, data: bytes):
    """The multipart body as an attacker sends it: the file name verbatim."""
    boundary = "----regiolab-receipt"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="receipt_file"; '
            f'filename="{filename}"\r\nContent-Type: text/html\r\n\r\n'
        ).encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={boundary}"
    )


@pytest.mark.parametrize(
    "filename",
    [
        "../../../../etc/passwd.pdf",
        "..\\..\\windows\\beleg.pdf",
        "<img src=x onerror=alert(1)>.pdf",
        "rechnung\u202efdp.exe",
        "a" * 400 + ".pdf",
    ],
    ids=["traversal", "windows-path", "markup", "bidi", "long"],
)
def test_a_hostile_file_name_is_only_a_label(
    coordinator_client, grant, personnel, settings, filename
):
    response = post_raw_name(
        coordinator_client, edit_url(grant, personnel), form_data(personnel), filename, PDF
    )
    assert response.status_code == 302
    personnel.refresh_from_db()
    [stored] = stored_files(settings)
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    assert stored.parent == root / "receipts"  # nowhere else, whatever the name said
    assert stored.suffix == ".pdf"
    label = personnel.receipt_name
    assert "/" not in label and "\\" not in label and "\u202e" not in label
    assert len(label) <= 120
    page = coordinator_client.get(edit_url(grant, personnel)).content.decode()
    assert "<img src=x" not in page
    download = coordinator_client.get(f"/funding/expenditures/{personnel.pk}/receipt/")
    assert download["Content-Type"] == "application/pdf"
    disposition = download["Content-Disposition"]
    assert ".." not in disposition and "<" not in disposition and "etc" not in disposition


def test_replacing_and_removing_a_receipt_deletes_the_old_file(
    coordinator_client, grant, personnel, settings, django_capture_on_commit_callbacks
):
    url = edit_url(grant, personnel)
    coordinator_client.post = _committing(
        coordinator_client.post, django_capture_on_commit_callbacks
    )
    coordinator_client.post(
        url, form_data(personnel, receipt_file=SimpleUploadedFile("a.pdf", PDF))
    )
    [first] = stored_files(settings)
    coordinator_client.post(
        url, form_data(personnel, receipt_file=SimpleUploadedFile("b.png", png_bytes()))
    )
    [second] = stored_files(settings)
    assert second != first and second.suffix == ".png"
    coordinator_client.post(url, form_data(personnel, remove_receipt="on"))
    personnel.refresh_from_db()
    assert not personnel.receipt_file and personnel.receipt_name == ""
    assert stored_files(settings) == []
    assert (
        coordinator_client.get(f"/funding/expenditures/{personnel.pk}/receipt/").status_code == 404
    )


def _committing(post, capture):
    """The client's post, with the callbacks run as a real commit would run them."""

    def committed(*args, **kwargs):
        with capture(execute=True):
            return post(*args, **kwargs)

    return committed


# --- Who may open a receipt -------------------------------------------------------------------


@pytest.fixture
def with_receipt(coordinator_client, grant, personnel):
    coordinator_client.post(
        edit_url(grant, personnel),
        form_data(personnel, receipt_file=SimpleUploadedFile("a.pdf", PDF)),
    )
    coordinator_client.logout()
    personnel.refresh_from_db()
    assert personnel.receipt_file
    return personnel


def test_receipt_download_permissions(client, grant, with_receipt, funder_user, funders):
    url = f"/funding/expenditures/{with_receipt.pk}/receipt/"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    rep = CompanyMemberFactory().user
    client.force_login(rep)
    assert client.get(url).status_code == 404
    client.force_login(funder_user)  # the grant's funder checks the Belegliste
    assert client.get(url).status_code == 200
    outsider = UserFactory(email="referat@eu.example")
    from tests.factories import FunderFactory

    FunderFactory(name="Fremder Fonds").users.add(outsider)
    from tests.support.mfa import enable_totp

    enable_totp(outsider)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    # Never under a public media URL: the storage root is not served.
    stored = with_receipt.receipt_file.name
    assert client.get(f"/media/{stored}").status_code == 404
    assert client.get(f"/{stored}").status_code == 404


# --- Filter and sum ---------------------------------------------------------------------------


@pytest.fixture
def spending(grant):
    rows = [
        (date(2026, 5, 1), "travel", "Deutsche Bahn", "0.10"),
        (date(2027, 2, 1), "travel", "Deutsche Bahn", "0.20"),
        (date(2027, 3, 1), "material", "Papier Nord", "1000.05"),
    ]
    for i, (day, category, payee, amount) in enumerate(rows):
        Expenditure.objects.create(
            grant=grant, date=day, category=category, payee=payee, purpose="x",
            amount=Decimal(amount), receipt_reference=f"F-{i}",
        )  # fmt: skip
    return grant


@pytest.mark.parametrize(
    ("query", "refs", "total"),
    [
        ("", {"B-2026-001", "B-2026-002", "F-0", "F-1", "F-2"}, "6,123.81"),
        ("?category=travel", {"B-2026-002", "F-0", "F-1"}, "123.75"),
        ("?category=travel&year=2027", {"F-1"}, "0.20"),
        ("?payee=deutsche+BAHN", {"B-2026-002", "F-0", "F-1"}, "123.75"),
        ("?year=2027", {"F-1", "F-2"}, "1,000.25"),
        ("?payee=niemand", set(), "0.00"),
    ],
)
def test_filter_shows_matching_rows_and_their_exact_sum(
    coordinator_client, spending, query, refs, total
):
    response = coordinator_client.get(f"/funding/grants/{spending.pk}/expenditures/{query}")
    shown = {e.receipt_reference for e in response.context["page_obj"].object_list}
    assert shown == refs
    assert response.context["totals"]["total"] == sum(
        (e.amount for e in Expenditure.objects.filter(receipt_reference__in=refs)), Decimal(0)
    )
    page = response.content.decode()
    assert f"together {total} EUR" in page
    if not refs:
        assert "No expenditure matches the filter." in page


def test_an_invalid_filter_value_is_said_and_lists_nothing_wrong(coordinator_client, spending):
    response = coordinator_client.get(f"/funding/grants/{spending.pk}/expenditures/?year=1999")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_filter_offers_any_year_first(coordinator_client, spending):
    """An unfiltered list sent by its filter form (every field as it comes) keeps every row."""
    page = coordinator_client.get(f"/funding/grants/{spending.pk}/expenditures/")
    form = page.context["filter"].form
    assert [value for value, _label in form.fields["year"].choices][:3] == ["", 2026, 2027]
    response = coordinator_client.get(
        f"/funding/grants/{spending.pk}/expenditures/", {"category": "", "year": "", "payee": ""}
    )
    assert response.context["totals"]["count"] == 5
