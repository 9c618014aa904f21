"""The information pages (Impressum, privacy notice, accessibility statement): content from the
database in German and English, the coordinators' edit page, and the accessibility feedback
form (stored, e-mailed to every coordinator, confirmed to the sender, protected against spam)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from regiolab.mail.models import OutboundEmail
from regiolab.pages import services as site_pages
from regiolab.pages.content import create_initial_pages, initial_sections
from regiolab.pages.models import AccessibilityFeedback, SitePage, SitePageSection
from regiolab.permissions import COORDINATORS_GROUP
from tests.factories import CompanyMemberFactory, FunderFactory, UserFactory
from tests.support.mfa import enable_totp

pytestmark = pytest.mark.django_db

KEYS = ("imprint", "privacy", "accessibility")
TITLES = {
    "imprint": ("Impressum", "Imprint"),
    "privacy": ("Datenschutzhinweise", "Privacy notice"),
    "accessibility": ("Erklärung zur Barrierefreiheit", "Accessibility statement"),
}


@pytest.fixture(autouse=True)
def pages(db):
    """The data migration's content (a transactional test elsewhere may have flushed it)."""
    create_initial_pages(SitePage, SitePageSection)
    return {page.key: page for page in SitePage.objects.all()}


@pytest.fixture
def rep_client(client):
    client.force_login(CompanyMemberFactory().user)
    return client


@pytest.fixture
def funder_client(client):
    user = UserFactory(email="referat@ministerium.example")
    FunderFactory().users.add(user)
    enable_totp(user)
    client.force_login(user)
    return client


def headings(html: str, level: int) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip()
        for h in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", html, re.S)
    ]


def main_of(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def sections(key: str) -> list[SitePageSection]:
    return list(SitePageSection.objects.filter(page__key=key).order_by("position", "pk"))


def snapshot(key: str) -> list[tuple]:
    page = SitePage.objects.get(key=key)
    return [
        (page.updated_at, page.updated_by_id),
        *SitePageSection.objects.filter(page=page)
        .order_by("pk")
        .values_list("pk", "position", "level", "heading_de", "heading_en", "body_de", "body_en"),
    ]


# --- the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_page_shows_its_sections_in_german_as_h2_and_h3(client, key):
    html = main_of(client.get(f"/{key}/").content.decode())
    assert headings(html, 1) == [TITLES[key][0]]
    expected = initial_sections(key)
    h2 = headings(html, 2)
    h3 = headings(html, 3)
    for level, heading_de, _heading_en, _body_de, _body_en in expected:
        assert heading_de in (h2 if level == 2 else h3)
    # The first German paragraph is on the page, escaped as text.
    first_line = expected[0][3].splitlines()[0]
    assert first_line in html
    assert "Stand: " in html  # "Last updated" in German


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("key", KEYS)
def test_page_shows_its_english_sections_in_english(client, key):
    response = client.get(f"/{key}/")
    html = response.content.decode()
    assert '<html lang="en">' in html
    main = main_of(html)
    assert headings(main, 1) == [TITLES[key][1]]
    for level, heading_de, heading_en, _body_de, _body_en in initial_sections(key):
        assert heading_en in headings(main, level)
        if heading_de != heading_en:
            assert heading_de not in headings(main, level)


def test_heading_order_never_skips_a_level(client):
    """h1 → h2 before any h3, on every page (screen-reader navigation by headings)."""
    for key in KEYS:
        html = main_of(client.get(f"/{key}/").content.decode())
        levels = [int(n) for n in re.findall(r"<h([1-6])", html)]
        assert levels[0] == 1
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, (key, levels)


def test_long_page_has_a_table_of_contents_linking_its_sections(client):
    html = client.get("/privacy/").content.decode()
    contents = html.split('class="page-contents"', 1)[1].split("</nav>", 1)[0]
    for section in sections("privacy"):
        if section.level == 2:
            assert f'href="#section-{section.position}"' in contents
            assert f'id="section-{section.position}"' in html


@pytest.mark.usefixtures("english")
def test_english_falls_back_to_german_where_english_is_empty(client):
    section = sections("imprint")[0]
    section.heading_en = ""
    section.body_en = ""
    section.save()
    html = main_of(client.get("/imprint/").content.decode())
    assert section.heading_de in headings(html, 2)
    assert "[PLATZHALTER: Straße und Hausnummer]" in html
    assert all(h.strip() for h in headings(html, 2))


def test_body_text_becomes_paragraphs_lists_and_links_and_markup_stays_text(client, pages):
    SitePageSection.objects.filter(page=pages["imprint"]).delete()
    # Written past the form's validation on purpose: even then nothing is taken as markup.
    SitePageSection.objects.create(
        page=pages["imprint"],
        position=1,
        heading_de="Kontakt <b>fett</b>",
        body_de=(
            "Erster Absatz\nzweite Zeile\n\n- Punkt eins\n- Punkt zwei mit https://example.org\n\n"
            "Mail an info@regiolab.example <script>alert(1)</script>"
        ),
    )
    html = main_of(client.get("/imprint/").content.decode())
    assert "<p>Erster Absatz<br>zweite Zeile</p>" in html
    assert "<ul><li>Punkt eins</li><li>Punkt zwei mit " in html
    assert 'href="https://example.org"' in html
    assert 'href="mailto:info@regiolab.example"' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Kontakt &lt;b&gt;fett&lt;/b&gt;" in html


def test_page_without_rows_still_renders_with_a_notice(client):
    SitePage.objects.all().delete()
    response = client.get("/privacy/")
    assert response.status_code == 200
    html = main_of(response.content.decode())
    assert headings(html, 1) == ["Datenschutzhinweise"]
    assert "empty-state" in html


def test_edit_link_only_for_coordinators(client, coordinator):
    assert "/imprint/edit/" not in client.get("/imprint/").content.decode()
    client.force_login(CompanyMemberFactory().user)
    assert "/imprint/edit/" not in client.get("/imprint/").content.decode()
    client.force_login(coordinator)
    for key in KEYS:
        assert f'href="/{key}/edit/"' in client.get(f"/{key}/").content.decode()


def test_page_query_count_does_not_grow_with_sections(client, pages, django_assert_num_queries):
    client.get("/privacy/")  # warm up (session, content types)
    with django_assert_num_queries(2):
        client.get("/privacy/")
    page = pages["privacy"]
    SitePageSection.objects.bulk_create(
        SitePageSection(page=page, position=100 + n, heading_de=f"Mehr {n}") for n in range(30)
    )
    with django_assert_num_queries(2):
        client.get("/privacy/")


# --- editing ---------------------------------------------------------------------------------


def formset_data(key: str, changes: dict | None = None, new: dict | None = None, **extra):
    """The edit form as the browser sends it: every existing section, plus an empty extra."""
    rows = sections(key)
    data = {
        "sections-TOTAL_FORMS": str(len(rows) + 1),
        "sections-INITIAL_FORMS": str(len(rows)),
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "60",
    }
    for index, section in enumerate(rows):
        prefix = f"sections-{index}-"
        data.update(
            {
                prefix + "id": str(section.pk),
                prefix + "page": str(section.page_id),
                prefix + "position": str(section.position),
                prefix + "level": str(section.level),
                prefix + "heading_de": section.heading_de,
                prefix + "heading_en": section.heading_en,
                prefix + "body_de": section.body_de,
                prefix + "body_en": section.body_en,
            }
        )
    for field, value in (changes or {}).items():
        data[f"sections-0-{field}"] = value
    last = f"sections-{len(rows)}-"
    data.update({last + "position": "", last + "level": "2"})
    for field, value in (new or {}).items():
        data[last + field] = value
    data.update(extra)
    return data


def test_coordinator_edits_a_section_and_sees_it_on_the_page(coordinator_client, coordinator):
    before = SitePage.objects.get(key="imprint").updated_at
    response = coordinator_client.get("/imprint/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="sections-0-heading_de"' in html and 'name="sections-0-DELETE"' in html
    data = formset_data(
        "imprint",
        changes={"heading_de": "Anbieter", "body_de": "Koordinierungsstelle\nLange Laube 2"},
    )
    response = coordinator_client.post("/imprint/edit/", data)
    assert response.status_code == 302 and response["Location"] == "/imprint/"
    page = SitePage.objects.get(key="imprint")
    assert page.updated_by == coordinator and page.updated_at > before
    assert sections("imprint")[0].heading_de == "Anbieter"
    html = main_of(coordinator_client.get("/imprint/").content.decode())
    assert "Anbieter" in headings(html, 2)
    assert "Koordinierungsstelle<br>Lange Laube 2" in html
    assert date_format(timezone.localdate(), "DATE_FORMAT") in html.split("page-updated")[1]


def test_coordinator_adds_deletes_and_reorders_sections(coordinator_client):
    rows = sections("imprint")
    data = formset_data(
        "imprint",
        new={"position": "1", "heading_de": "Neu vorn", "heading_en": "New first"},
        **{"sections-1-DELETE": "on"},
    )
    response = coordinator_client.post("/imprint/edit/", data)
    assert response.status_code == 302
    after = sections("imprint")
    assert len(after) == len(rows)  # one added, one deleted
    assert rows[1].pk not in {s.pk for s in after}
    # The new one shares position 1 with the first and goes right after it; all renumbered.
    assert [s.heading_de for s in after[:2]] == [rows[0].heading_de, "Neu vorn"]
    assert [s.position for s in after] == list(range(1, len(after) + 1))


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"heading_de": ""}, "Every section needs a German heading."),
        ({"heading_de": "   "}, "Every section needs a German heading."),
        ({"body_de": "x" * 100_000}, "Ensure this value has at most 20000 characters"),
        ({"heading_de": "y" * 201}, "Ensure this value has at most 200 characters"),
        ({"body_en": "Hi <script>alert(1)</script>"}, "Please enter plain text without HTML"),
        ({"heading_en": '<img src=x onerror="alert(1)">'}, "Please enter plain text without HTML"),
        ({"body_de": "[Link](javascript:alert(1))"}, "Please enter plain text without HTML"),
        ({"level": "3"}, "The first section must be a section, not a subsection"),
        ({"level": "4"}, "Select a valid choice"),
        ({"position": "-1"}, "Ensure this value is greater than or equal to 0"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    coordinator_client, changes, message
):
    before = snapshot("privacy")
    # A valid change in another section of the same request is not saved either.
    data = formset_data("privacy", changes=changes, **{"sections-1-heading_de": "Geändert"})
    response = coordinator_client.post("/privacy/edit/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert snapshot("privacy") == before


@pytest.mark.usefixtures("english")
def test_deleting_every_section_is_refused(coordinator_client):
    rows = sections("imprint")
    before = snapshot("imprint")
    data = formset_data("imprint", **{f"sections-{i}-DELETE": "on" for i in range(len(rows))})
    response = coordinator_client.post("/imprint/edit/", data)
    assert response.status_code == 200
    assert "A page needs at least one section." in response.content.decode()
    assert snapshot("imprint") == before


def test_edit_page_works_before_the_page_row_exists(coordinator_client):
    SitePage.objects.filter(key="imprint").delete()
    assert coordinator_client.get("/imprint/edit/").status_code == 200
    data = {
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-0-position": "1",
        "sections-0-level": "2",
        "sections-0-heading_de": "Anbieter",
    }
    assert coordinator_client.post("/imprint/edit/", data).status_code == 302
    assert [s.heading_de for s in sections("imprint")] == ["Anbieter"]


@pytest.mark.parametrize("key", KEYS)
def test_representative_and_funder_get_403_and_change_nothing(rep_client, key):
    before = snapshot(key)
    assert rep_client.get(f"/{key}/edit/").status_code == 403
    assert (
        rep_client.post(f"/{key}/edit/", formset_data(key, {"heading_de": "X"})).status_code == 403
    )
    assert snapshot(key) == before


def test_funder_gets_403(funder_client):
    before = snapshot("privacy")
    assert funder_client.get("/privacy/edit/").status_code == 403
    response = funder_client.post("/privacy/edit/", formset_data("privacy", {"heading_de": "X"}))
    assert response.status_code == 403
    assert snapshot("privacy") == before


@pytest.mark.parametrize("key", KEYS)
def test_anonymous_is_sent_to_login(client, key):
    before = snapshot(key)
    for response in (
        client.get(f"/{key}/edit/"),
        client.post(f"/{key}/edit/", formset_data(key, {"heading_de": "X"})),
    ):
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next=/{key}/edit/"
    assert snapshot(key) == before


# --- accessibility feedback ------------------------------------------------------------------


@pytest.fixture
def coordinators(coordinator):
    second = UserFactory(email="zweite@regiolab.example")
    second.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    UserFactory(email="ehemalig@regiolab.example", is_active=False).groups.add(
        Group.objects.get(name=COORDINATORS_GROUP)
    )
    return [coordinator, second]


FEEDBACK = {
    "name": "Erika Muster",
    "email": "erika@example.org",
    "page_url": "/workshops/",
    "message": "Der Filter lässt sich mit der Tastatur nicht bedienen.",
    "homepage": "",
}


def test_feedback_form_is_a_plain_html_form_with_labels(client):
    html = client.get("/accessibility/", HTTP_REFERER="http://testserver/workshops/").content
    html = html.decode()
    form = html.split('class="feedback-form"', 1)[1].split("</form>", 1)[0]
    assert 'method="post"' in html and 'action="/accessibility/#feedback"' in html
    assert "csrfmiddlewaretoken" in form
    for name in ("name", "email", "page_url", "message"):
        assert f'for="id_{name}"' in form and f'id="id_{name}"' in form
    assert 'value="/workshops/"' in form  # the page the visitor came from
    assert 'class="hp-field" aria-hidden="true"' in form
    # The enforcement procedure links the conciliation body; the monitoring body is named.
    assert "Schlichtungsstelle nach § 9d NBGG" in html
    assert 'href="https://www.behindertenbeauftragte-niedersachsen.de/' in html
    assert "Überwachungsstelle des Landes Niedersachsen" in html
    # The table of contents leads to the fixed parts as well.
    assert 'href="#feedback"' in html and 'href="#enforcement"' in html


def test_referer_of_another_site_is_not_filled_in(client):
    html = client.get("/accessibility/", HTTP_REFERER="https://evil.example/x").content.decode()
    assert "evil.example" not in html


def test_feedback_is_stored_and_mailed_to_every_coordinator_and_confirmed(
    client, coordinators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accessibility/", FEEDBACK)
    assert response.status_code == 302 and response["Location"] == "/accessibility/#feedback"
    feedback = AccessibilityFeedback.objects.get()
    assert (feedback.name, feedback.email, feedback.page_url) == (
        "Erika Muster",
        "erika@example.org",
        "/workshops/",
    )
    assert feedback.message == FEEDBACK["message"] and feedback.language == "de"

    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {
        "koordination@regiolab.example",
        "zweite@regiolab.example",
        "erika@example.org",
    }
    for coordinator in coordinators:
        body = sent[coordinator.email].body
        assert FEEDBACK["message"] in body and "erika@example.org" in body and "/workshops/" in body
    confirmation = sent["erika@example.org"]
    # The confirmation never repeats the message (no relay for text to someone else's address).
    assert FEEDBACK["message"] not in confirmation.body
    assert "/accessibility/" in confirmation.body
    assert OutboundEmail.objects.filter(status="sent").count() == 3

    page = client.get(response["Location"]).content.decode()
    assert 'role="status"' in page


def test_feedback_html_mail_escapes_the_message(client, coordinators):
    client.post(
        "/accessibility/", {**FEEDBACK, "message": "<button> ohne Namen <script>x</script>"}
    )
    html = OutboundEmail.objects.get(to="koordination@regiolab.example").body_html
    assert "<script>" not in html and "&lt;button&gt; ohne Namen" in html


def test_anonymous_feedback_reaches_coordinators_without_confirmation(client, coordinators):
    client.post("/accessibility/", {"message": "Kontrast der Buttons zu schwach.", "homepage": ""})
    assert AccessibilityFeedback.objects.get().email == ""
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == [
        "koordination@regiolab.example",
        "zweite@regiolab.example",
    ]


@pytest.mark.usefixtures("english")
def test_english_sender_gets_the_confirmation_in_english(client, coordinators):
    client.post("/accessibility/", FEEDBACK)
    confirmation = OutboundEmail.objects.get(to="erika@example.org")
    assert confirmation.subject == "We have received your message about accessibility"
    assert AccessibilityFeedback.objects.get().language == "en"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"message": ""}, "message", "Please describe the barrier or your question."),
        ({"message": "   \n  "}, "message", "Please describe the barrier or your question."),
        ({"message": "x" * 5001}, "message", "Ensure this value has at most 5000 characters"),
        ({"email": "erika@"}, "email", "Enter a valid email address."),
        ({"email": "a" * 250 + "@example.org"}, "email", "Ensure this value has at most"),
        ({"name": "<script>alert(1)</script>"}, "name", "Please enter plain text without HTML"),
        ({"name": "n" * 151}, "name", "Ensure this value has at most 150 characters"),
        ({"page_url": "javascript:alert(1)"}, "page_url", "Please enter plain text without HTML"),
        ({"page_url": "/" * 501}, "page_url", "Ensure this value has at most 500 characters"),
    ],
)
def test_invalid_feedback_shows_the_message_at_the_field_and_stores_nothing(
    client, coordinators, changes, field, message
):
    response = client.post("/accessibility/", {**FEEDBACK, **changes})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    # The error is tied to its field for screen readers.
    assert re.search(rf'id="id_{field}"[^>]*aria-invalid="true"', html) or re.search(
        rf'aria-invalid="true"[^>]*id="id_{field}"', html
    )
    assert not AccessibilityFeedback.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_honeypot_answers_like_success_but_stores_and_sends_nothing(client, coordinators):
    response = client.post("/accessibility/", {**FEEDBACK, "homepage": "https://spam.example"})
    assert response.status_code == 302 and response["Location"] == "/accessibility/#feedback"
    assert not AccessibilityFeedback.objects.exists()
    assert not OutboundEmail.objects.exists()


@pytest.mark.usefixtures("english")
def test_more_than_five_messages_an_hour_from_one_address_are_refused(client, coordinators):
    for _ in range(site_pages.FEEDBACK_LIMIT):
        assert client.post("/accessibility/", FEEDBACK).status_code == 302
    response = client.post("/accessibility/", FEEDBACK)
    assert response.status_code == 429
    assert "You have sent several messages within the last hour." in response.content.decode()
    assert AccessibilityFeedback.objects.count() == site_pages.FEEDBACK_LIMIT
    # Another address is not affected.
    other = client.post("/accessibility/", FEEDBACK, REMOTE_ADDR="10.0.0.7")
    assert other.status_code == 302
