"""A coordinator finds people and things with the header's search field, ignoring case and
accents, and sorts the lists by their column heads in German order (Bäckerei before Burgwedel,
Ärztehaus with the A). Marked ``embedded``: ``make test`` walks it on PostgreSQL (ICU collation,
unaccent) and again on SQLite (regiolab.collation's registered function and collation)."""

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection

from funding.models import Grant
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    RegistrationFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.journeys.support import click, current_url, html

pytestmark = [pytest.mark.embedded, pytest.mark.django_db(transaction=True)]

GERMAN_ORDER = [
    "Ärztehaus Nord",
    "bach & söhne",
    "Bäckerei Müller",
    "Baumann Logistik",
    "Burgwedel Bau",
    "Muller Druck",
    "Zahnradwerk",
]


def _column(response, pattern: str) -> list[str]:
    return [unescape(text) for text in re.findall(pattern, html(response))]


def _sorted_head(response) -> list[tuple[str, str]]:
    """(aria-sort, link text) of every sorted column head: exactly one per table."""
    return re.findall(r'<th scope="col" aria-sort="(\w+)"[^>]*><a [^>]*>([^<]+)<', html(response))


@pytest.fixture
def world(db):
    for name in reversed(GERMAN_ORDER):
        CompanyFactory(name=name)
    CompanyMemberFactory(
        company=CompanyFactory(name="Zeta Zerspanung"),
        user=UserFactory(first_name="Jörg", last_name="Müller", email="joerg@zeta.example"),
    )
    RegistrationFactory(
        workshop=WorkshopFactory(title="Qualität sichern"),
        first_name="Anna",
        last_name="MÜLLER",
        email="anna@beispiel.example",
    )
    for title in ("Zeitmanagement", "Übergabe im Team", "Umformtechnik", "Arbeitsschutz"):
        WorkshopFactory(title=title)
    for reference, title in (("FKZ 2", "Öffentlichkeit"), ("FKZ 1", "Ordnung"), ("FKZ 3", "Nähe")):
        Grant.objects.create(
            reference=reference,
            title=title,
            start_date=date(2026, 1, 1),
            end_date=date(2027, 12, 31),
            total_eligible_costs=Decimal(1000),
        )


def test_search_from_the_header_ignores_case_and_accents(client, coordinator, world):
    client.force_login(coordinator)
    page = html(client.get("/companies/"))
    # The header's form: a plain GET form to the search page (it works without JavaScript).
    form = re.search(
        r'<form method="get" action="(/search/)" role="search"[^>]*>(.*?)</form>', page, re.S
    )
    assert form and 'name="q"' in form.group(2)
    for query in ("mull", "MÜLL", "Muller"):
        results = client.get(form.group(1), {"q": query})
        found = _column(results, r'<a href="[^"]+">([^<]+)</a>(?: <span class="muted">)')
        assert {"Bäckerei Müller", "Muller Druck", "Jörg Müller", "Anna MÜLLER"} <= set(found)
        assert "Burgwedel Bau" not in found
        # Each hit says what it is.
        content = html(results)
        for kind in ("Unternehmen", "Person im Unternehmen", "Anmeldung"):
            assert f'<span class="badge search-kind">{kind}</span>' in content, kind
    company = click(client, results, r"^/companies/\d+/$")
    assert "Bäckerei Müller" in html(company) or "Muller Druck" in html(company)
    # LIKE's wildcards match only themselves; words match in any order.
    for name in ("100% Bio_Markt", "1000 Biomarkt"):
        CompanyFactory(name=name, kind="chamber")
    for query, expected in (("100%", ["100% Bio_Markt"]), ("bio_m", ["100% Bio_Markt"]),
                            ("biomarkt 100", ["1000 Biomarkt"])):  # fmt: skip
        found = _column(
            client.get("/search/", {"q": query}), r'<a href="/companies/\d+/">([^<]+)</a>'
        )
        assert found == expected, (query, found)
    # The company list's own search matches the same way.
    listed = client.get("/companies/", {"q": "BACKEREI"})
    assert _column(listed, r'<td><a href="/companies/\d+/">([^<]+)</a>') == ["Bäckerei Müller"]


def test_lists_sort_by_column_head_in_german_order(client, coordinator, world):
    client.force_login(coordinator)
    companies = client.get("/companies/", {"kind": "sme"})
    names = r'<td><a href="/companies/\d+/">([^<]+)</a>'
    assert _column(companies, names) == [*GERMAN_ORDER, "Zeta Zerspanung"]
    assert _sorted_head(companies) == [("ascending", "Name")]

    descending = click(client, companies, r"ordering=-name")
    assert current_url(descending) == "/companies/?kind=sme&ordering=-name"  # filter kept
    assert _column(descending, names) == ["Zeta Zerspanung", *reversed(GERMAN_ORDER)]
    assert _sorted_head(descending) == [("descending", "Name")]

    workshops = click(client, client.get("/workshops/manage/"), r"ordering=title")
    titles = _column(workshops, r'<td>\s*<a href="/workshops/[\w-]+/">([^<]+)</a>')
    assert titles == [
        "Arbeitsschutz",
        "Qualität sichern",
        "Übergabe im Team",
        "Umformtechnik",
        "Zeitmanagement",
    ]
    assert _sorted_head(workshops) == [("ascending", "Workshop")]

    grants = click(client, client.get("/funding/grants/"), r"ordering=title")
    assert _column(grants, r"<td>([^<]+)</td>\s*<td>\d") == ["Nähe", "Öffentlichkeit", "Ordnung"]
    assert _sorted_head(grants) == [("ascending", "Titel")]
    print(f"sorted and searched on {connection.vendor}")
