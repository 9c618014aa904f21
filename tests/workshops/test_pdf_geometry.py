"""Signature sheet and certificate on paper: nothing off the page or over other text, in German
and English, with hostile lengths; continuation pages of a sheet say which workshop it is."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.factories import CompanyFactory, RegistrationFactory, WorkshopFactory
from tests.support.pdf_geometry import assert_fits_pages, page_count, page_text
from workshops.documents import pdfs as documents

pytestmark = pytest.mark.django_db

COMPOUND = "Donaudampfschifffahrtsgesellschaftskapitän"
LONG_COMPANY = (
    "Arbeitsgemeinschaft Qualifizierungs- und Weiterbildungsdienstleistungen "
    "Niedersachsen-Süd GmbH & Co. KG, Niederlassung Hann"
)[:120]
TITLE = f"Praxisworkshop {COMPOUND} und kollaborative Robotik"
VENUE = f"Technologiezentrum {COMPOUND}, Raum 4.17, Hannover"
NOTE = "Gefördert vom Bundesministerium für Arbeit und Soziales aus Mitteln des ESF Plus."
NOTE_EN = "Funded by the Federal Ministry of Labour and Social Affairs from the ESF Plus."


def _workshop(**kwargs):
    start = timezone.make_aware(timezone.datetime(2026, 3, 12, 9, 0))
    return WorkshopFactory(
        title=TITLE,
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        venue=VENUE,
        trainers=f"Dr. {COMPOUND} Schmidt-Lüdenscheid",
        funding_note=NOTE,
        funding_note_en=NOTE_EN,
        capacity=80,
        status="done",
        **kwargs,
    )


@pytest.mark.parametrize("language", ["de", "en"])
def test_signature_sheet_fits_and_continuation_pages_name_the_workshop(language, request):
    workshop = _workshop()
    with translation.override(language):  # as the sheet's first page shows it
        date_text = date_format(timezone.localtime(workshop.starts_at), "DATE_FORMAT")
    company = CompanyFactory(name=LONG_COMPANY)
    people = [
        RegistrationFactory(
            workshop=workshop,
            first_name=COMPOUND if n % 3 == 0 else "Jana",
            last_name=f"{COMPOUND}-Meyer{n}" if n % 2 else f"Kaiser{n}",
            company=company if n % 2 else None,
            company_name=COMPOUND,
        )
        for n in range(45)
    ]

    pdf = documents.signature_sheet_pdf(workshop, people, language=language)

    assert_fits_pages(pdf, name=request.node.name)
    pages = page_count(pdf)
    assert pages >= 3
    assert date_text in page_text(pdf, 1)
    for n in range(2, pages + 1):
        text = page_text(pdf, n)
        assert TITLE in text and date_text in text, f"page {n}: {text[:300]}"
        assert " ".join(VENUE.split()) in text, f"page {n}: {text[:300]}"


@pytest.mark.parametrize(
    ("language", "label", "note"), [("de", "Förderhinweis", NOTE), ("en", "Funding note", NOTE_EN)]
)
def test_certificate_fits_with_the_funding_note_in_its_language(language, label, note, request):
    workshop = _workshop()
    registration = RegistrationFactory(
        workshop=workshop,
        first_name=COMPOUND,
        last_name=f"{COMPOUND}-Schulze",
        company=CompanyFactory(name=LONG_COMPANY),
        status="attended",
        language=language,
    )

    pdf = documents.certificate_pdf(registration)

    assert_fits_pages(pdf, name=request.node.name)
    assert page_count(pdf) == 1
    text = page_text(pdf, 1)
    assert f"{label} {note}" in text
    assert "{#" not in text and "{%" not in text, "template syntax printed"
    other_label, other_note = (
        ("Funding note", NOTE_EN) if language == "de" else ("Förderhinweis", NOTE)
    )
    assert other_label not in text and other_note not in text


def test_english_certificate_falls_back_to_the_german_note_marked_as_german():
    workshop = _workshop()
    workshop.funding_note_en = ""
    workshop.save()
    registration = RegistrationFactory(workshop=workshop, status="attended", language="en")

    pdf = documents.certificate_pdf(registration)

    assert f"Funding note {NOTE}" in page_text(pdf, 1)
    with translation.override("en"):
        assert workshop.funding_note_language == "de"
        workshop.funding_note_en = NOTE_EN
        assert workshop.funding_note_language == "en"
