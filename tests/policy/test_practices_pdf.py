"""A practice's one-page PDF as its reader sees it: one A4 page even with long texts, nothing
outside the page or over other text, the texts and live figures in it, tagged with a title."""

from datetime import date

import pytest
from django.urls import reverse

from policy.models import PracticeFigure, Transfer
from tests.factories import TopicFactory
from tests.policy.practices_support import make_practice
from tests.support.pdf_geometry import assert_fits_pages, page_count, page_text, pdfinfo

pytestmark = pytest.mark.django_db

LONG = " ".join(["Unternehmensübergreifende Zusammenarbeit"] * 400)


@pytest.fixture
def practice():
    practice = make_practice(
        1,
        title="Open Innovation Challenge",
        title_en="Open Innovation Challenge (Lazio)",
        slug="oic",
        region="Lazio",
        country="IT",
        theme="Open Innovation",
        summary="Regionale Unternehmen stellen Aufgaben, Start-ups lösen sie. " * 20,
        description=LONG,
        resources=LONG,
        evidence="In fünf Runden 40 Aufgaben und 12 Pilotprojekte. " * 30,
        contact_name="Giulia Rossi",
        contact_email="giulia.rossi.sehr.lange.adresse@lazioinnova.example.org",
        period_start=date(2019, 1, 1),
    )
    practice.topics.add(TopicFactory(name_de="Innovation"), TopicFactory(name_de="Start-ups"))
    for n, kind in enumerate(["workshops_held", "participants", "companies_reached"] * 3):
        PracticeFigure.objects.create(practice=practice, kind=kind, position=n)
    for n in range(8):
        Transfer.objects.create(
            practice=practice,
            from_region="Lazio",
            to_region=f"Nordhessen {n}",
            partner="Regionalmanagement Nordhessen GmbH",
            status="adopted",
        )
    return practice


@pytest.mark.parametrize("language", ["de", "en"])
def test_pdf_is_one_page_with_everything_inside(client, practice, settings, language):
    settings.LANGUAGE_CODE = language
    response = client.get(
        reverse("policy:practice_pdf", args=["oic"]), HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert page_count(pdf) == 1
    assert_fits_pages(pdf, name=f"practice-{language}")
    text = " ".join(page_text(pdf, 1).split())
    title = "Open Innovation Challenge (Lazio)" if language == "en" else "Open Innovation Challenge"
    assert title in text
    assert "Lazio" in text and "Giulia Rossi" in text
    assert ("Evidence of success" if language == "en" else "Erfolgsnachweise") in text
    assert "Nordhessen 0" in text
    assert "/practices/oic/" in text
    assert title in pdfinfo(pdf)["Title"]
