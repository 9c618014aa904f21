"""Content entered in German and English: the English pages, e-mails, calendar files and PDFs
show the English text, and the German one wherever the English is empty – never an empty title.

Covers workshops (title, description), training networks (description), topics (name) and
funding programmes (description). Network and programme names are proper names, entered once.
"""

import base64
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from funding.models import FundingProgramme
from networks.models import TrainingNetwork
from regiolab.mail.models import OutboundEmail
from tests.factories import (
    CompanyMemberFactory,
    TopicFactory,
    TrainingNetworkFactory,
    WorkshopFactory,
)
from workshops.documents import pdfs as documents
from workshops.models import Workshop
from workshops.registration.services import register_participant

pytestmark = pytest.mark.django_db

EN_TITLE = "Robotics for SMEs"
DE_TITLE = "Robotik im Mittelstand"
DE_ONLY_TITLE = "Lernfabrik Werkzeugbau"


@pytest.fixture
def content(db):
    with_english = TopicFactory(slug="robotik", name_de="Robotik", name_en="Robotics")
    german_only = TopicFactory(slug="werkzeugbau", name_de="Werkzeugbau", name_en="")
    network = TrainingNetworkFactory(
        name="Verbund Automation",
        slug="verbund-automation",
        description="Betriebe lernen gemeinsam Automatisierung.",
        description_en="Companies learn automation together.",
    )
    network.topics.add(with_english, german_only)
    network_de = TrainingNetworkFactory(
        name="Verbund Holz",
        slug="verbund-holz",
        description="Tischlereien tauschen Wissen aus.",
        description_en="",
    )
    bilingual = WorkshopFactory(
        title=DE_TITLE,
        title_en=EN_TITLE,
        slug="robotik",
        description="Einstieg in kollaborative Robotik.",
        description_en="An introduction to collaborative robots.",
        network=network,
    )
    bilingual.topics.add(with_english, german_only)
    german = WorkshopFactory(
        title=DE_ONLY_TITLE,
        title_en="",
        slug="lernfabrik",
        description="Praxis an der Fräse.",
        description_en="",
        network=network,
        starts_at=timezone.now().replace(microsecond=0) + timedelta(days=20),
        ends_at=timezone.now().replace(microsecond=0) + timedelta(days=20, hours=3),
    )
    programme = FundingProgramme.objects.create(
        name="Weiterbildungsbonus Region Hannover",
        funding_body="Region Hannover",
        level="region",
        description_de="Zuschuss zu Kursgebühren.",
        description_en="Grant towards course fees.",
    )
    programme_de = FundingProgramme.objects.create(
        name="Qualifizierungsscheck",
        funding_body="Land Niedersachsen",
        level="state",
        description_de="Gutschein für Qualifizierung.",
        description_en="",
    )
    return {
        "bilingual": bilingual,
        "german": german,
        "network": network,
        "network_de": network_de,
        "programme": programme,
        "programme_de": programme_de,
    }


def no_empty_titles(html: str) -> None:
    """No heading, link or table cell of a title is empty."""
    assert not re.search(r"<h[1-3][^>]*>\s*</h[1-3]>", html)
    assert not re.search(r'<a href="/workshops/[\w-]+/">\s*</a>', html)
    assert not re.search(r'<a href="/networks/[\w-]+/">\s*</a>', html)


def h1(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


# --- pages -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("path", ["/", "/workshops/"])
def test_english_lists_show_english_titles_and_german_where_english_is_empty(client, content, path):
    html = client.get(path).content.decode()
    assert EN_TITLE in html and DE_TITLE not in html
    assert DE_ONLY_TITLE in html
    no_empty_titles(html)


def test_german_lists_show_german_titles(client, content):
    html = client.get("/workshops/").content.decode()
    assert DE_TITLE in html and DE_ONLY_TITLE in html and EN_TITLE not in html


@pytest.mark.usefixtures("english")
def test_english_workshop_detail_and_register_pages(client, content):
    html = client.get("/workshops/robotik/").content.decode()
    assert h1(html) == EN_TITLE
    assert "An introduction to collaborative robots." in html
    assert "Einstieg in kollaborative Robotik." not in html
    # Topics: English name where there is one, German otherwise.
    assert "Robotics" in html and "Werkzeugbau" in html
    assert h1(client.get("/workshops/robotik/register/").content.decode()).endswith(EN_TITLE)

    html = client.get("/workshops/lernfabrik/").content.decode()
    assert h1(html) == DE_ONLY_TITLE
    assert "Praxis an der Fräse." in html
    no_empty_titles(html)
    assert h1(client.get("/workshops/lernfabrik/register/").content.decode()).endswith(
        DE_ONLY_TITLE
    )


@pytest.mark.usefixtures("english")
def test_calendar_files_in_english_fall_back_to_german(client, content):
    single = client.get("/workshops/robotik/calendar.ics").content.decode()
    assert f"SUMMARY:{EN_TITLE}" in single
    assert "An introduction to collaborative robots." in single
    feed = client.get("/workshops/calendar.ics").content.decode()
    assert f"SUMMARY:{EN_TITLE}" in feed and f"SUMMARY:{DE_ONLY_TITLE}" in feed
    assert "SUMMARY:\r\n" not in feed


@pytest.mark.usefixtures("english")
def test_network_pages_in_english(client, content):
    html = client.get("/networks/").content.decode()
    assert "Companies learn automation together." in html
    assert "Betriebe lernen gemeinsam Automatisierung." not in html
    assert "Tischlereien tauschen Wissen aus." in html  # no English description: German
    detail = client.get("/networks/verbund-automation/").content.decode()
    assert "Companies learn automation together." in detail
    assert "Robotics" in detail and "Werkzeugbau" in detail
    assert (
        "Tischlereien tauschen Wissen aus."
        in client.get("/networks/verbund-holz/").content.decode()
    )


def test_network_pages_in_german(client, content):
    detail = client.get("/networks/verbund-automation/").content.decode()
    assert "Betriebe lernen gemeinsam Automatisierung." in detail
    assert "Companies learn automation together." not in detail
    assert "Robotik" in detail


@pytest.mark.usefixtures("english")
def test_funding_finder_in_english(client, content):
    html = client.get("/funding/programmes/").content.decode()
    assert "Grant towards course fees." in html and "Zuschuss zu Kursgebühren." not in html
    assert "Gutschein für Qualifizierung." in html
    assert "Weiterbildungsbonus Region Hannover" in html and "Qualifizierungsscheck" in html


# --- e-mails, calendar attachment, PDF --------------------------------------------------------


def _register(workshop: Workshop, language: str, email: str):
    return register_participant(
        workshop=workshop,
        first_name="Jane",
        last_name="Doe",
        email=email,
        language=language,
    )


def test_english_confirmation_and_its_calendar_file_use_english_titles(content):
    # Booked while the site runs in German: the e-mail and its .ics follow the person's language.
    _register(content["bilingual"], "en", "jane@example.org")
    _register(content["german"], "en", "jane@example.org")
    emails = {e.subject: e for e in OutboundEmail.objects.filter(to="jane@example.org")}
    english = next(e for s, e in emails.items() if EN_TITLE in s)
    assert DE_TITLE not in english.subject and EN_TITLE in english.body_text
    ics = next(a for a in english.attachments if a["filename"].endswith(".ics"))
    calendar = base64.b64decode(ics["content_b64"]).decode()
    assert f"SUMMARY:{EN_TITLE}" in calendar
    fallback = next(e for s, e in emails.items() if DE_ONLY_TITLE in s)
    assert fallback.subject.strip().endswith(DE_ONLY_TITLE)


def test_german_confirmation_uses_german_titles(content):
    _register(content["bilingual"], "de", "erika@example.org")
    email = OutboundEmail.objects.get(to="erika@example.org")
    assert DE_TITLE in email.subject and EN_TITLE not in email.subject + email.body_text


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_certificate_in_english_shows_english_title_or_german_fallback(content):
    workshop = content["bilingual"]
    registration = _register(workshop, "en", "jane@example.org")
    registration.status = "attended"
    registration.save(update_fields=["status"])
    assert EN_TITLE in _pdf_text(documents.certificate_pdf(registration))

    other = _register(content["german"], "en", "john@example.org")
    other.status = "attended"
    other.save(update_fields=["status"])
    assert DE_ONLY_TITLE in _pdf_text(documents.certificate_pdf(other))


# --- coordinators enter both languages --------------------------------------------------------


def test_workshop_form_has_both_languages_and_saves_them(coordinator_client, content):
    html = coordinator_client.get("/workshops/new/").content.decode()
    for name in ("title", "title_en", "description", "description_en"):
        assert f'name="{name}"' in html
    start = timezone.localtime(timezone.now() + timedelta(days=30)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    response = coordinator_client.post(
        "/workshops/new/",
        {
            "title": "Cobots im Mittelstand",
            "title_en": "Cobots in SMEs",
            "slug": "cobots",
            "description": "Deutsch.",
            "description_en": "English.",
            "format": "on_site",
            "venue": "Hannover",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "12",
            "language": "de",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    workshop = Workshop.objects.get(slug="cobots")
    assert (workshop.title_en, workshop.description_en) == ("Cobots in SMEs", "English.")


def test_network_form_has_both_languages_and_saves_them(coordinator_client, content):
    html = coordinator_client.get("/networks/verbund-automation/edit/").content.decode()
    assert 'name="description"' in html and 'name="description_en"' in html
    response = coordinator_client.post(
        "/networks/verbund-holz/edit/",
        {
            "name": "Verbund Holz",
            "slug": "verbund-holz",
            "status": "active",
            "description": "Tischlereien lernen.",
            "description_en": "Joiners learn.",
        },
    )
    assert response.status_code == 302
    network = TrainingNetwork.objects.get(slug="verbund-holz")
    assert (network.description, network.description_en) == (
        "Tischlereien lernen.",
        "Joiners learn.",
    )


@pytest.mark.usefixtures("english")
def test_network_form_refuses_markup_in_the_english_description(coordinator_client, content):
    response = coordinator_client.post(
        "/networks/verbund-holz/edit/",
        {
            "name": "Verbund Holz",
            "slug": "verbund-holz",
            "status": "active",
            "description": "Tischlereien lernen.",
            "description_en": "<script>alert(1)</script>",
        },
    )
    assert response.status_code == 200
    assert "Please enter plain text without HTML" in response.content.decode()
    assert TrainingNetwork.objects.get(slug="verbund-holz").description_en == ""


@pytest.mark.usefixtures("english")
def test_company_representative_sees_the_same_fallbacks(client, content):
    client.force_login(CompanyMemberFactory().user)
    html = client.get("/workshops/").content.decode()
    assert EN_TITLE in html and DE_ONLY_TITLE in html
    no_empty_titles(html)
