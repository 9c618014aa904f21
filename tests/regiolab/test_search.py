"""The coordinators' search (/search/?q=, regiolab.search): every kind found ignoring case and
accents, each hit with its kind and link, limits with "more" links, the empty and no-hit states,
hostile input, the htmx fragments and the header field only coordinators see."""

import re
from datetime import date
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from funding.models import Grant
from regiolab.collation import fold, german_sort_key
from regiolab.search import registry
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    RegistrationFactory,
    UserFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db
URL = "/search/"


class _Hits(HTMLParser):
    """The hits of a results page as (kind label, link text, href), read like a browser."""

    def __init__(self):
        super().__init__()
        self.hits, self._kind, self._in = [], None, None
        self._li = False

    _list = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul":
            self._list = "search-hits" in (attrs.get("class") or "")
        if tag == "li" and self._list:
            self._li, self._kind = True, None
        if self._li and tag == "span" and "search-kind" in (attrs.get("class") or ""):
            self._in = "kind"
        elif self._li and tag == "a":
            self._in = "link"
            self.hits.append([self._kind, "", attrs["href"]])

    def handle_endtag(self, tag):
        if tag in ("span", "a"):
            self._in = None
        if tag == "li":
            self._li = False
        if tag == "ul":
            self._list = False

    def handle_data(self, data):
        if self._in == "kind":
            self._kind = (self._kind or "") + data.strip()
        elif self._in == "link":
            self.hits[-1][1] += data


def hits(response) -> list[tuple[str, str, str]]:
    parser = _Hits()
    parser.feed(response.content.decode())
    return [(kind, text.strip(), href) for kind, text, href in parser.hits]


@pytest.fixture
def world(db):
    company = CompanyFactory(name="Müller Feinmechanik GmbH", city="Burgwedel")
    other = CompanyFactory(name="Schulz Holzbau", city="Garbsen")
    member = CompanyMemberFactory(
        company=other,
        user=UserFactory(first_name="Jörg", last_name="Müller", email="j.mueller@schulz.example"),
    )
    workshop = WorkshopFactory(title="Müllvermeidung in der Produktion", slug="muellvermeidung")
    registration = RegistrationFactory(
        workshop=WorkshopFactory(title="Robotik kompakt", slug="robotik-kompakt"),
        first_name="Anna",
        last_name="Müller-Lüdenscheidt",
        email="anna@beispiel.example",
    )
    grant = Grant.objects.create(
        reference="FKZ 01MÜ2601",
        title="Müllers Weiterbildungsverbund",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal(1000),
    )
    return {
        "company": company,
        "member": member,
        "workshop": workshop,
        "registration": registration,
        "grant": grant,
    }


@pytest.mark.parametrize("query", ["mull", "müll", "MÜLL", "Muller", "MULLER", "müller"])
def test_every_kind_is_found_ignoring_case_and_accents(coordinator_client, world, query, english):
    found = hits(coordinator_client.get(URL, {"q": query}))
    company, member = world["company"], world["member"]
    workshop, registration = world["workshop"], world["registration"]
    grant = world["grant"]
    expected = {
        ("Company", "Müller Feinmechanik GmbH", company.get_absolute_url()),
        ("Company member", "Jörg Müller", member.company.get_absolute_url()),
        ("Workshop", "Müllvermeidung in der Produktion", workshop.get_absolute_url()),
        (
            "Registration",
            "Anna Müller-Lüdenscheidt",
            reverse("workshops:participants", args=[registration.workshop.slug]),
        ),
        ("Grant", "FKZ 01MÜ2601 Müllers Weiterbildungsverbund", grant.get_absolute_url()),
    }
    if query.casefold() in ("muller", "müller"):
        expected.discard(
            ("Workshop", "Müllvermeidung in der Produktion", workshop.get_absolute_url())
        )
    assert set(found) == expected
    assert "Schulz Holzbau" not in {text for _kind, text, _href in found}


def test_people_are_found_by_e_mail_and_full_name(coordinator_client, world):
    assert [h[1] for h in hits(coordinator_client.get(URL, {"q": "j.mueller@schulz"}))] == [
        "Jörg Müller"
    ]
    assert [h[1] for h in hits(coordinator_client.get(URL, {"q": "ANNA@beispiel"}))] == [
        "Anna Müller-Lüdenscheidt"
    ]
    # Every word must occur, in any field and order: first and last name together.
    assert [h[1] for h in hits(coordinator_client.get(URL, {"q": "müller anna"}))] == [
        "Anna Müller-Lüdenscheidt"
    ]
    assert hits(coordinator_client.get(URL, {"q": "müller berta"})) == []


def test_each_kind_shows_at_most_ten_hits_with_a_link_to_the_filtered_list(
    coordinator_client, english
):
    for n in range(12):
        CompanyFactory(name=f"Bäckerei Sänger {n:02d}")
    for n in range(11):
        RegistrationFactory(first_name="Jan", last_name=f"Bäcker{n}")
    response = coordinator_client.get(URL, {"q": "backer"})
    found = hits(response)
    assert [kind for kind, _t, _h in found].count("Company") == 10
    assert [kind for kind, _t, _h in found].count("Registration") == 10
    # German order: the first ten of 00…11.
    companies = [text for kind, text, _h in found if kind == "Company"]
    assert companies == [f"Bäckerei Sänger {n:02d}" for n in range(10)]
    content = response.content.decode()
    more = f'href="{reverse("companies:list")}?q=backer"'
    assert more in content
    # The company list behind that link holds all twelve, matched the same way.
    listed = coordinator_client.get(reverse("companies:list"), {"q": "backer"})
    assert listed.content.decode().count("Bäckerei Sänger") == 12
    # No filtered list of registrations: the page says there are more instead.
    assert "More hits than shown" in content
    assert "20 hits for “backer”" in content


def test_workshops_more_link_leads_to_the_filtered_manage_list(coordinator_client, english):
    for n in range(11):
        WorkshopFactory(title=f"Löten für Einsteiger {n}")
    WorkshopFactory(title="Schweißen")
    response = coordinator_client.get(URL, {"q": "loten"})
    assert f'href="{reverse("workshops:manage_list")}?q=loten"' in response.content.decode()
    listed = coordinator_client.get(reverse("workshops:manage_list"), {"q": "LÖTEN"})
    content = listed.content.decode()
    assert all(f"Löten für Einsteiger {n}<" in content for n in range(11))
    assert "11 results" in content
    assert "Schweißen" not in content


def test_empty_query_and_no_hits_say_so(coordinator_client, world, english):
    empty = coordinator_client.get(URL)
    assert empty.status_code == 200
    assert "Type a name, e-mail address, workshop title or grant reference." in (
        empty.content.decode()
    )
    assert hits(empty) == []
    blank = coordinator_client.get(URL, {"q": "   "})
    assert hits(blank) == [] and blank.status_code == 200
    none = coordinator_client.get(URL, {"q": "Zylinderkopfdichtung"})
    assert "Nothing found for “Zylinderkopfdichtung”" in none.content.decode()
    assert hits(none) == []


@pytest.mark.parametrize(
    "query",
    [
        "x" * 5000,
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        '<script>alert("x")</script>',
        "Müller\x00",
        "a",
    ],
)
def test_hostile_input_is_answered_safely(coordinator_client, world, query, english):
    response = coordinator_client.get(URL, {"q": query})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<script>alert" not in content
    # LIKE wildcards are literal: they match no row (nothing holds them).
    assert hits(response) == []
    if len(query) > 100:
        assert "Ensure this value has at most 100 characters" in content
    if query == "a":
        assert "Enter at least 2 characters." in content


def test_only_coordinators_search(client, world):
    assert client.get(URL, {"q": "müll"}).status_code == 302
    client.force_login(world["member"].user)
    assert client.get(URL, {"q": "müll"}).status_code == 403


def test_header_field_is_for_coordinators_only(coordinator_client, world):
    from django.test import Client

    page = coordinator_client.get(reverse("companies:list")).content.decode()
    assert 'id="site-search-q"' in page and f'action="{URL}"' in page
    # The search page has its own field instead of the header's (no duplicate ids).
    page = coordinator_client.get(URL).content.decode()
    assert 'id="site-search-q"' not in page and 'id="id_q"' in page
    member = Client()
    member.force_login(world["member"].user)
    assert 'id="site-search-q"' not in member.get("/").content.decode()
    assert 'id="site-search-q"' not in Client().get("/").content.decode()


def test_htmx_header_panel_and_page_fragment(coordinator_client, world, english):
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "site-search-panel"}
    panel = coordinator_client.get(URL, {"q": "müll"}, **headers)
    content = panel.content.decode()
    assert "<html" not in content
    assert 'id="site-search-status" hx-swap-oob="innerHTML"' in content
    assert len(hits(panel)) == 5
    link = re.search(r'href="([^"]+)">All results on the search page<', content)
    assert link and parse_qs(urlsplit(unescape(link.group(1))).query) == {"q": ["müll"]}
    assert "Vary" in panel and "HX-Target" in panel["Vary"]

    # The search page's own requests: the page, from which htmx takes results and status.
    page = coordinator_client.get(
        URL, {"q": "müll"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    ).content.decode()
    assert 'id="search-results"' in page and 'id="search-status" role="status"' in page
    assert "5 hits for “müll”." in page


def test_query_count_is_constant_in_the_number_of_hits(
    coordinator_client, django_assert_num_queries
):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert coordinator_client.get(URL, {"q": "bäck"}).status_code == 200
        return len(ctx)

    CompanyFactory(name="Bäckerei Eins")
    RegistrationFactory(last_name="Bäcker")
    few = count()
    for n in range(15):
        CompanyFactory(name=f"Bäckerei {n}")
        member = CompanyMemberFactory(user=UserFactory(last_name=f"Bäcker{n}"))
        RegistrationFactory(last_name=f"Bäcker{n}", company=member.company)
        WorkshopFactory(title=f"Bäckerhandwerk {n}")
    assert count() == few


def test_fold_matches_what_postgresql_unaccent_does():
    from django.db import connection

    samples = ["Müller", "STRASSE Straße", "Øresund Łódź", "Ærø", "Crème brûlée", "İstanbul"]
    with connection.cursor() as cursor:
        for sample in samples:
            cursor.execute("SELECT lower(unaccent(%s))", [sample])
            assert cursor.fetchone()[0] == fold(sample), sample


def test_german_sort_key_orders_like_din_5007():
    names = ["Burgwedel", "bäckerei", "Zoo", "Bäckerei", "Bach", "Ärzte", "Baecker", "Arzt"]
    assert sorted(names, key=german_sort_key) == [
        "Arzt",
        "Ärzte",
        "Bach",
        "bäckerei",
        "Bäckerei",
        "Baecker",
        "Burgwedel",
        "Zoo",
    ]


def test_a_kind_is_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(
            "company", label="x", kind_label="x", queryset=None, fields=("name",), hit=None
        )


def test_like_wildcards_match_only_themselves(coordinator_client, english):
    CompanyFactory(name="100% Bio_Markt")
    CompanyFactory(name="1000 Biomarkt")
    CompanyFactory(name="Back\\slash AG")

    def names(query):
        return [text for _kind, text, _href in hits(coordinator_client.get(URL, {"q": query}))]

    assert names("100%") == ["100% Bio_Markt"]
    assert names("bio_m") == ["100% Bio_Markt"]
    assert names("k\\s") == ["Back\\slash AG"]
    assert names("100 biomarkt") == ["1000 Biomarkt"]
    assert names("biomarkt 100") == ["1000 Biomarkt"]  # words in any order


def test_a_query_of_several_words_folds_each_row_once_on_postgresql(coordinator_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        coordinator_client.get(URL, {"q": "anna müller"})
    searches = [q["sql"] for q in ctx if "LIKE ALL" in q["sql"]]
    assert len(searches) == 5  # one per kind
    assert all(sql.count("unaccent(") == 1 for sql in searches)
