"""The portal's PDFs are tagged for screen readers (PDF/A-2a: archival and tagged, with what
PDF/UA-1 asks of the tagging).

Progress reports (funding) and certificates and signature sheets (workshops) go through
regiolab.pdf.render_pdf. Each must carry a structure tree (headings, lists, tables with header
cells), MarkInfo /Marked true, the document language (/Lang, from <html lang>) and a title
(Info /Title and XMP dc:title, from <title>) that names the document, shown instead of the file
name (/DisplayDocTitle).
"""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from funding import services as funding_services
from funding.models import BudgetLine, Expenditure, Grant, Indicator, ProgressReport
from funding.services import ShareInput, set_cofinancing_shares
from regiolab.pdf import render_pdf
from tests.factories import (
    FunderFactory,
    RegistrationFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.documents import pdfs as documents

pytestmark = pytest.mark.django_db

# A title with characters that must survive HTML escaping into the PDF metadata unchanged.
WORKSHOP_TITLE = "Robotik & Cobots <Praxis> „Einstieg“"


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Report files go to a temporary private storage, never into the checkout."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


def _resolve(node):
    return node.get_object() if hasattr(node, "get_object") else node


def _structure(node, found=None) -> list[DictionaryObject]:
    """Every structure element below ``node`` (depth first)."""
    found = [] if found is None else found
    node = _resolve(node)
    if isinstance(node, ArrayObject | list):
        for child in node:
            _structure(child, found)
    elif isinstance(node, DictionaryObject) and "/S" in node:
        found.append(node)
        _structure(node.get("/K", []), found)
    return found


def tagging(pdf: bytes) -> dict:
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    tree = _resolve(root.get("/StructTreeRoot"))
    elements = _structure(tree.get("/K", [])) if tree is not None else []
    xmp = reader.xmp_metadata
    return {
        "has_tree": tree is not None,
        "marked": bool(_resolve(root.get("/MarkInfo", {})).get("/Marked")),
        "lang": str(root.get("/Lang", "")),
        "title": (reader.metadata or {}).get("/Title"),
        "xmp_title": (xmp.dc_title or {}).get("x-default") if xmp else None,
        "display_title": bool(_resolve(root.get("/ViewerPreferences", {})).get("/DisplayDocTitle")),
        "roles": [str(element["/S"]) for element in elements],
        "figures": [element for element in elements if element["/S"] == "/Figure"],
        "text": " ".join(page.extract_text() for page in reader.pages),
    }


def assert_tagged(pdf: bytes, *, language: str, title: str) -> dict:
    assert pdf.startswith(b"%PDF")
    tags = tagging(pdf)
    assert tags["has_tree"], "no StructTreeRoot: the PDF is not tagged"
    assert tags["marked"], "MarkInfo /Marked is not true"
    assert tags["lang"] == language
    assert tags["title"] == title
    assert tags["xmp_title"] == title, "PDF/UA wants the title in the XMP metadata too"
    assert tags["display_title"], "viewers should show the title, not the file name"
    assert "/H1" in tags["roles"], tags["roles"][:20]
    for figure in tags["figures"]:
        assert str(figure.get("/Alt", "")).strip(), "a figure without alternative text"
    return tags


@pytest.fixture
def workshop():
    workshop = WorkshopFactory(
        title=WORKSHOP_TITLE,
        status="done",
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=4),
        trainers="Dr. Anna Schmidt",
        funding_note="Gefördert vom Bundesministerium für Bildung.",
    )
    return workshop


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("de", f"Teilnahmebescheinigung: {WORKSHOP_TITLE}"),
        ("en", f"Certificate of attendance: {WORKSHOP_TITLE}"),
    ],
)
def test_certificate_is_tagged_in_the_participants_language(workshop, language, title):
    registration = RegistrationFactory(
        workshop=workshop, status="attended", first_name="Jana", language=language
    )

    tags = assert_tagged(documents.certificate_pdf(registration), language=language, title=title)

    assert "Jana" in tags["text"]
    assert "/L" in tags["roles"] or "/P" in tags["roles"]


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("de", f"Unterschriftenliste: {WORKSHOP_TITLE}"),
        ("en", f"Signature sheet: {WORKSHOP_TITLE}"),
    ],
)
def test_signature_sheet_is_tagged_with_a_table_of_header_cells(workshop, language, title):
    people = [RegistrationFactory(workshop=workshop, last_name=f"Muster{n}") for n in range(3)]

    tags = assert_tagged(
        documents.signature_sheet_pdf(workshop, people, language=language),
        language=language,
        title=title,
    )

    assert "/Table" in tags["roles"]
    assert "/TH" in tags["roles"], "the column headers are not tagged as header cells"
    assert tags["roles"].count("/TR") >= 1 + len(people)


@pytest.fixture
def grant(db):
    coordinator = UserFactory(email="koordination@regiolab.example")
    grant = Grant.objects.create(
        reference="FKZ 01PV26001",
        title="Weiterbildungsverbünde Region Hannover",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal("986000.01"),
    )
    grant.coordinators.add(coordinator)
    grant.networks.add(TrainingNetworkFactory(name="Verbund Robotik"))
    set_cofinancing_shares(
        grant=grant,
        shares=[
            ShareInput(FunderFactory(name="Bundesministerium für Bildung"), Decimal(70)),
            ShareInput(FunderFactory(name="Region Hannover", level="region"), Decimal(30)),
        ],
    )
    BudgetLine.objects.create(grant=grant, category="personnel", year=2026, amount=Decimal(200000))
    Expenditure.objects.create(
        grant=grant, date=date(2026, 3, 31), category="personnel", payee="Gehalt Koordination",
        purpose="Personal März", amount=Decimal("5000.01"), receipt_reference="B-2026-001",
    )  # fmt: skip
    Indicator.objects.create(grant=grant, code="companies_reached", target=40)
    Indicator.objects.create(grant=grant, code="workshops_held", target=10)
    return grant


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("de", "Zwischennachweis FKZ 01PV26001"),
        ("en", "interim report (Zwischennachweis) FKZ 01PV26001"),
    ],
)
def test_progress_report_is_tagged_in_the_report_language(
    grant, django_capture_on_commit_callbacks, language, title
):
    grant.report_language = language
    grant.save(update_fields=["report_language"])
    with django_capture_on_commit_callbacks(execute=True):
        report = funding_services.request_progress_report(
            grant=grant,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 6, 30),
            requested_by=grant.coordinators.get(),
        )
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY, report.error

    with report.pdf_file.open("rb") as f:
        tags = assert_tagged(f.read(), language=language, title=title)

    assert "FKZ 01PV26001" in tags["text"]
    assert {"/Table", "/TH", "/H2"} <= set(tags["roles"])
    assert tags["figures"], "the indicator chart is not tagged as a figure (with its /Alt)"


def test_render_pdf_takes_title_and_language_from_the_call(settings):
    """The document's <title> and <html lang> become its metadata, whatever the active
    language of the request that asked for it."""
    settings.LANGUAGE_CODE = "de"
    pdf = render_pdf(
        "pdf/signature_sheet.html",
        {"workshop": WorkshopFactory(title="Sprachtest"), "registrations": [], "topics": []},
        language="en",
        title="Signature sheet: Sprachtest",
    )

    assert_tagged(pdf, language="en", title="Signature sheet: Sprachtest")


def test_render_pdf_refuses_a_document_without_title():
    """PDF/UA requires a title: an untitled document is a programming error, not a PDF."""
    with pytest.raises(ValueError, match="title"):
        render_pdf("pdf/signature_sheet.html", {"registrations": []}, language="de", title=" ")


def test_report_is_archival_pdf_a_with_creation_date_and_producer(
    grant, django_capture_on_commit_callbacks
):
    """What a funder archives: PDF/A-2a (archival and tagged), with the creation date and the
    producing software in the document information and the XMP metadata, as pdfinfo reads it."""
    from tests.support.pdf_geometry import pdfinfo, pdfinfo_meta

    before = timezone.now().replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        report = funding_services.request_progress_report(
            grant=grant,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 6, 30),
            requested_by=grant.coordinators.get(),
        )
    report.refresh_from_db()
    with report.pdf_file.open("rb") as f:
        pdf = f.read()

    info = pdfinfo(pdf)
    assert info["Producer"].startswith("WeasyPrint")
    assert info["Creator"] == "regioLab"
    created = datetime.fromisoformat(info["CreationDate"])
    assert before <= created <= timezone.now() + timedelta(seconds=1)
    assert info["Tagged"] == "yes"
    xmp = pdfinfo_meta(pdf)
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp, xmp
    assert "<xmp:CreateDate>" in xmp and "WeasyPrint" in xmp
    reader = PdfReader(io.BytesIO(pdf))
    assert "/OutputIntents" in reader.trailer["/Root"], "PDF/A needs an output intent (sRGB)"
    assert reader.metadata["/CreationDate"].startswith("D:")
    # PDF/UA's essentials stay: structure tree, language, title, header cells, figure /Alt.
    tags = assert_tagged(pdf, language="de", title="Zwischennachweis FKZ 01PV26001")
    assert {"/Table", "/TH"} <= set(tags["roles"]) and tags["figures"]
