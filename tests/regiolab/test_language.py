"""German and English as a native speaker writes them: "Sie" throughout (allauth's strings too),
workshop registration told apart from signing in, people named by name, German slugs, one date
format per English page, German-only content marked lang="de", and a favicon."""

import re
from datetime import datetime
from email import message_from_string
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import allauth
import polib
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext
from PIL import Image

from networks.services import create_network
from regiolab.pages.content import create_initial_pages
from regiolab.pages.models import SitePage, SitePageSection
from regiolab.text import german_slug
from tests.factories import TrainingNetworkFactory, UserFactory, WorkshopFactory
from workshops.lifecycle import services as lifecycle

PROJECT_CATALOGUE = Path(settings.BASE_DIR) / "locale/de/LC_MESSAGES/django.po"
ALLAUTH_CATALOGUE = Path(allauth.__file__).parent / "locale/de/LC_MESSAGES/django.po"
# allauth parts the portal does not install or show (social login, OpenID provider, sessions).
NOT_SHOWN = ("socialaccount", "idp/", "usersessions", "headless")

# "du" and its forms, and du-imperatives ("Bitte gib …", "Gib …", "Lass …") not followed by Sie.
DU_PRONOUN = re.compile(r"\b(du|dich|dir|dein\w*|euch|euer\w*|eure\w*)\b", re.IGNORECASE)
_VERBS = (
    r"(gib|gebe|wähle|versuche|bestätige|kontaktiere|klicke?|lass|folge|überprüfe|prüfe|"
    r"melde|erstelle|gehe|nutze|trage|scanne|speichere|öffne|verwende|habe|sieh|schau|lies|"
    r"nimm|rufe)"
)
DU_IMPERATIVE = re.compile(
    r"\bbitte\s+" + _VERBS + r"\b|(?:^|[.!?]\s+)" + _VERBS + r"\s+(?!Sie\b)\w", re.IGNORECASE
)


def _entries(path: Path, skip=()):
    for entry in polib.pofile(str(path)):
        if entry.obsolete or not (entry.msgstr or entry.msgstr_plural):
            continue
        files = [file for file, _line in entry.occurrences]
        if files and all(any(part in file for part in skip) for file in files):
            continue
        yield entry


def _german(entry) -> list[str]:
    """What the portal shows for the entry in German: gettext through every catalogue."""
    if entry.msgid_plural:
        return [ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2, 5)]
    if entry.msgctxt:
        return [pgettext(entry.msgctxt, entry.msgid)]
    return [gettext(entry.msgid)]


def _du_forms(path: Path, skip=()) -> list[tuple[str, str]]:
    found = []
    with translation.override("de"):
        for entry in _entries(path, skip):
            for text in _german(entry):
                if DU_PRONOUN.search(text) or DU_IMPERATIVE.search(text):
                    found.append((entry.msgid, text))
                    break
    return found


def test_the_checks_recognise_du_forms_and_pass_sie_forms():
    for text in (
        "Bitte gib dein Passwort ein.",
        "Du hast dich abgemeldet.",
        "Passwort vergessen? Gib uns Bescheid.",
        "Bitte versuche es später erneut.",
    ):
        assert DU_PRONOUN.search(text) or DU_IMPERATIVE.search(text), text
    for text in (
        "Bitte geben Sie Ihr Passwort ein.",
        "Sie haben sich abgemeldet.",
        "Bitte versuchen Sie es später erneut.",
        "Versuche",  # the noun ("attempts")
        "Wenn Sie diese Person nicht kennen, lehnen Sie die Anfrage bitte ab.",
    ):
        assert not (DU_PRONOUN.search(text) or DU_IMPERATIVE.search(text)), text


def test_the_project_catalogue_says_sie():
    assert _du_forms(PROJECT_CATALOGUE) == []


def test_allauths_strings_the_portal_shows_say_sie_in_german():
    """allauth's own German catalogue says "du" (41 strings of its account and MFA parts); the
    project's catalogue (LOCALE_PATHS, read before the apps') overrides every one of them."""
    assert settings.LOCALE_PATHS[0] == Path(settings.BASE_DIR) / "locale"
    raw = [
        e.msgstr
        for e in _entries(ALLAUTH_CATALOGUE, NOT_SHOWN)
        if DU_PRONOUN.search(e.msgstr) or DU_IMPERATIVE.search(e.msgstr)
    ]
    assert len(raw) > 30  # the check still sees allauth's own wording
    assert _du_forms(ALLAUTH_CATALOGUE, NOT_SHOWN) == []


@pytest.mark.django_db
def test_the_sign_out_page_and_message_say_sie(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/accounts/logout/").content.decode()
    assert "Möchten Sie sich wirklich abmelden?" in page
    response = client.post("/accounts/logout/", follow=True)
    assert "Sie haben sich abgemeldet." in response.content.decode()
    assert not DU_PRONOUN.search(response.content.decode().split("<main", 1)[1])


# --- Signing in versus registering for a workshop ----------------------------------------

WORKSHOP_REGISTRATION_MSGIDS = [
    "Register",
    "Register here",
    "Register here:",
    "Register: %(title)s",
    "Registration confirmed: %(title)s",
    "Registration cancelled: %(title)s",
    "Registration closed",
    "Register these people",
    "Register just one person",
    "Register colleagues: %(title)s",
    "Register several colleagues of %(company)s at once",
    "Thank you for registering",
]


def test_no_workshop_registration_label_says_just_anmelden():
    with translation.override("de"):
        german = {msgid: gettext(msgid) for msgid in WORKSHOP_REGISTRATION_MSGIDS}
        sign_in = gettext("Log in")
    assert sign_in == "Anmelden"
    for msgid, text in german.items():
        assert text != msgid, f"{msgid!r} is not translated"
        assert "Workshop" in text or "Teilnahme" in text, (msgid, text)
    assert german["Register"] == "Zum Workshop anmelden"
    assert german["Registration confirmed: %(title)s"] == "Teilnahme bestätigt: %(title)s"
    # "Abmeldung" is what signing out is called; a cancelled registration is not.
    assert "Abmeldung" not in german["Registration cancelled: %(title)s"]


@pytest.mark.django_db
def test_the_workshop_page_button_names_the_workshop(client):
    workshop = WorkshopFactory()
    html = client.get(workshop.get_absolute_url()).content.decode()
    buttons = re.findall(r'<a class="button"[^>]*>([^<]+)</a>', html)
    assert buttons == ["Zum Workshop anmelden"]


# --- People by name ----------------------------------------------------------------------


@pytest.mark.django_db
def test_login_message_names_the_person_not_the_login_handle(client):
    UserFactory(
        username="user_3f2a", email="anna@example.org", first_name="Anna", last_name="Schmidt"
    )
    response = client.post(
        "/accounts/login/", {"login": "anna@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == ["Erfolgreich als Anna Schmidt angemeldet."]


@pytest.mark.django_db
def test_login_message_without_a_name_shows_the_e_mail_address(client):
    UserFactory(username="user_9c1b", email="nobody@example.org", first_name="", last_name="")
    response = client.post(
        "/accounts/login/", {"login": "nobody@example.org", "password": "correct-horse-battery"}
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == ["Erfolgreich als nobody@example.org angemeldet."]


@pytest.mark.django_db
def test_grant_form_lists_coordinators_by_name(coordinator):
    from funding.forms import GrantForm

    coordinator.username = "user_77aa"
    coordinator.first_name, coordinator.last_name = "Jana", "Koch"
    coordinator.save()
    labels = [label for _value, label in GrantForm().fields["coordinators"].choices]
    assert labels == ["Jana Koch"]


# --- Slugs -------------------------------------------------------------------------------


def test_german_slug_spells_out_umlauts_and_sharp_s():
    title = "Erste Hilfe für Führungskräfte – Straße"
    assert german_slug(title) == "erste-hilfe-fuer-fuehrungskraefte-strasse"
    assert german_slug("Ärger, Öl, Übung, GROẞ") == "aerger-oel-uebung-gross"


@pytest.mark.django_db
def test_new_workshops_and_networks_get_transliterated_slugs(coordinator):
    start = datetime(2031, 3, 4, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    workshop = lifecycle.create_workshop(
        created_by=coordinator,
        title="Erste Hilfe für Führungskräfte – Straße",
        format="online",
        online_url="https://meet.example.org/hilfe",
        starts_at=start,
        ends_at=start.replace(hour=12),
        capacity=12,
    )
    assert workshop.slug == "erste-hilfe-fuer-fuehrungskraefte-strasse"
    network = create_network(name="Verbund Größenwachstum", created_by=coordinator)
    assert network.slug == "verbund-groessenwachstum"


@pytest.mark.django_db
def test_existing_slugs_stay_when_the_title_changes(coordinator):
    workshop = WorkshopFactory(slug="erste-hilfe-fur-fuhrungskrafte", status="draft")
    lifecycle.update_workshop(workshop=workshop, title="Erste Hilfe für Führungskräfte")
    workshop.refresh_from_db()
    assert workshop.slug == "erste-hilfe-fur-fuhrungskrafte"


# --- English pages: one date format, German-only content marked --------------------------

US_DATE = re.compile(r"\b[A-Z][a-z]{2}\.? \d{1,2}, \d{4}\b")  # Dec. 4, 2026
NUMERIC_DATE = re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")  # 12/04/2026, 04.12.2026
GERMAN_DATE = re.compile(r"\b\d{1,2}\. ?[A-Z][a-zä]+\.? \d{4}\b")  # 4. Dez. 2026
ENGLISH_DATE = re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")


def _visible_text(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", main)


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


@pytest.mark.django_db
def test_english_workshop_pages_show_one_date_format_that_agrees(client):
    berlin = ZoneInfo("Europe/Berlin")
    workshop = WorkshopFactory(
        title="Robotik kompakt",
        title_en="Robotics in brief",
        starts_at=datetime(2031, 12, 4, 9, 0, tzinfo=berlin),
        ends_at=datetime(2031, 12, 5, 16, 0, tzinfo=berlin),
        registration_deadline=datetime(2031, 11, 27, 18, 0, tzinfo=berlin),
    )
    _english(client)
    pages = {
        "list": _visible_text(client.get("/workshops/").content.decode()),
        "detail": _visible_text(client.get(workshop.get_absolute_url()).content.decode()),
    }
    for name, text in pages.items():
        assert not US_DATE.search(text), (name, US_DATE.findall(text))
        assert not NUMERIC_DATE.search(text), (name, NUMERIC_DATE.findall(text))
        assert not GERMAN_DATE.search(text), (name, GERMAN_DATE.findall(text))
        assert "Thu, 4 Dec 2031, 09:00" in text and "5 Dec 2031, 16:00" in text, name
    assert ENGLISH_DATE.findall(pages["detail"]) == ["4 Dec 2031", "5 Dec 2031", "27 Nov 2031"]
    assert "27 Nov 2031, 18:00" in pages["detail"]


@pytest.mark.django_db
def test_german_workshop_page_writes_dates_the_german_way(client):
    berlin = ZoneInfo("Europe/Berlin")
    workshop = WorkshopFactory(
        starts_at=datetime(2031, 12, 4, 9, 0, tzinfo=berlin),
        ends_at=datetime(2031, 12, 4, 13, 0, tzinfo=berlin),
        registration_deadline=datetime(2031, 11, 27, 18, 0, tzinfo=berlin),
    )
    text = _visible_text(client.get(workshop.get_absolute_url()).content.decode())
    assert "Do, 4. Dezember 2031, 09:00" in text
    assert "27. November 2031, 18:00" in text
    assert not US_DATE.search(text) and not ENGLISH_DATE.search(text)


@pytest.mark.django_db
def test_confirmation_e_mail_writes_the_date_as_the_workshop_page(client):
    """The e-mail's "Wann" line and the page's date agree (e-mail read with Python's parser)."""
    berlin = ZoneInfo("Europe/Berlin")
    workshop = WorkshopFactory(
        starts_at=datetime(2031, 12, 4, 9, 0, tzinfo=berlin),
        ends_at=datetime(2031, 12, 4, 13, 0, tzinfo=berlin),
    )
    with translation.override("de"):
        text = render_to_string("email/registration_details.txt", {"workshop": workshop})
    parsed = message_from_string(f"Subject: x\nContent-Type: text/plain; charset=utf-8\n\n{text}")
    assert "Wann: 4. Dezember 2031, 09:00 – 13:00" in parsed.get_payload()
    page = _visible_text(client.get(workshop.get_absolute_url()).content.decode())
    assert "4. Dezember 2031, 09:00" in page


class _LangOfText(HTMLParser):
    """The language of each piece of text: the nearest lang attribute above it."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if data.strip():
            lang = next((lang for _tag, lang in reversed(self.stack) if lang), None)
            self.texts.append((data.strip(), lang))


def lang_of(html: str, snippet: str) -> set[str | None]:
    """The languages the snippet has in the page's <main> (the <title> cannot carry one)."""
    head, _sep, main = html.partition("<main")
    html_lang = re.search(r'<html lang="([^"]+)"', head).group(1)
    parser = _LangOfText()
    parser.feed(f'<div lang="{html_lang}"><main' + main)
    found = {lang for text, lang in parser.texts if snippet in text}
    assert found, f"{snippet!r} not on the page"
    return found


@pytest.mark.django_db
def test_german_only_content_is_marked_lang_de_on_english_pages(client):
    german_only = WorkshopFactory(
        title="Schweißen für Einsteiger", description="Grundlagen des Schutzgasschweißens."
    )
    translated = WorkshopFactory(
        title="Lean im Büro",
        title_en="Lean in the office",
        description="Verschwendung im Büro finden.",
        description_en="Finding waste in the office.",
    )
    network = TrainingNetworkFactory(
        status="active", description="Ein Verbund für Metallbetriebe der Region."
    )
    _english(client)

    listing = client.get("/workshops/").content.decode()
    assert lang_of(listing, "Schweißen für Einsteiger") == {"de"}
    assert lang_of(listing, "Lean in the office") == {"en"}

    detail = client.get(german_only.get_absolute_url()).content.decode()
    assert lang_of(detail, "Schweißen für Einsteiger") == {"de"}  # the h1
    assert lang_of(detail, "Grundlagen des Schutzgasschweißens.") == {"de"}
    assert lang_of(detail, "Date and time") == {"en"}  # the page around it stays English
    other = client.get(translated.get_absolute_url()).content.decode()
    assert lang_of(other, "Finding waste in the office.") == {"en"}

    networks = client.get("/networks/").content.decode()
    assert lang_of(networks, "Ein Verbund für Metallbetriebe") == {"de"}
    assert lang_of(
        client.get(network.get_absolute_url()).content.decode(), "Ein Verbund für Metallbetriebe"
    ) == {"de"}


@pytest.mark.django_db
def test_german_only_content_is_not_marked_on_german_pages(client):
    workshop = WorkshopFactory(title="Schweißen für Einsteiger")
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert lang_of(html, "Schweißen für Einsteiger") == {"de"}  # from <html lang="de">
    assert 'lang="de"' not in html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.django_db
def test_funding_programme_description_in_german_only_is_marked(client):
    from funding.models import FundingProgramme

    FundingProgramme.objects.create(
        name="Bildungsscheck",
        funding_body="Land",
        level="state",
        description_de="Zuschuss für berufliche Weiterbildung.",
    )
    FundingProgramme.objects.create(
        name="Digital Jetzt",
        funding_body="Bund",
        level="federal",
        description_de="Zuschuss für Digitalisierung.",
        description_en="Grants for digitalisation.",
    )
    _english(client)
    html = client.get("/funding/programmes/").content.decode()
    assert lang_of(html, "Zuschuss für berufliche Weiterbildung.") == {"de"}
    assert lang_of(html, "Grants for digitalisation.") == {"en"}
    assert "Zuschuss für Digitalisierung." not in html


@pytest.mark.django_db
def test_site_page_sections_without_english_are_marked(client):
    create_initial_pages(SitePage, SitePageSection)
    page = SitePage.objects.get(key="privacy")
    page.sections.all().delete()
    SitePageSection.objects.create(
        page=page, position=1, heading_de="Verantwortliche Stelle", body_de="Koordinierungsstelle."
    )
    SitePageSection.objects.create(
        page=page,
        position=2,
        heading_de="Ihre Rechte",
        heading_en="Your rights",
        body_de="Auskunft.",
        body_en="Access to your data.",
    )
    _english(client)
    html = client.get("/privacy/").content.decode()
    assert lang_of(html, "Verantwortliche Stelle") == {"de"}  # heading and contents entry
    assert lang_of(html, "Koordinierungsstelle.") == {"de"}
    assert lang_of(html, "Your rights") == {"en"}
    assert lang_of(html, "Access to your data.") == {"en"}


# --- Favicon -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_link_the_favicon_and_the_files_are_served(client):
    html = client.get("/").content.decode()
    links = re.findall(r'<link rel="icon" href="([^"]+)" type="([^"]+)"', html)
    assert [kind for _href, kind in links] == ["image/svg+xml", "image/png"]
    svg = b"".join(client.get(links[0][0]).streaming_content)
    assert svg.startswith(b"<svg") and b'viewBox="0 0 32 32"' in svg
    png = Image.open(BytesIO(b"".join(client.get(links[1][0]).streaming_content)))
    assert png.format == "PNG" and png.size == (32, 32)


@pytest.mark.django_db
def test_favicon_ico_at_the_root_answers_with_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    icon = Image.open(BytesIO(b"".join(response.streaming_content)))
    assert icon.format == "ICO"
    assert (32, 32) in icon.info["sizes"]
