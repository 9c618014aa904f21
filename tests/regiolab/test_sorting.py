"""Lists sorted by their column heads (regiolab.sorting): aria-sort on the sorted column, links
that keep the filters and drop the page, pagination that keeps the sort, one column at a time
(so the cached company list's key stays bounded), German order of names on PostgreSQL (the
journey tests/journeys/test_search_and_sort.py walks the same on SQLite)."""

import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from companies.models import Company
from funding.models import Grant
from regiolab import caching
from regiolab.collation import german
from tests.factories import CompanyFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

HEAD = re.compile(
    r'<th scope="col"(?: aria-sort="(\w+)")?[^>]*>(?:<a [^>]*href="([^"]+)"[^>]*>)?([^<]+)<'
)


def _heads(response) -> dict[str, tuple[str, str]]:
    """Column label → (aria-sort or "", link or "")."""
    return {
        label.strip(): (state, unescape(href))
        for state, href, label in HEAD.findall(response.content.decode())
    }


def test_company_list_heads(coordinator_client, english):
    CompanyFactory(name="Burgwedel Bau", sector="F")
    heads = _heads(coordinator_client.get("/companies/", {"sector": "F", "page": "1"}))
    assert heads["Name"] == ("ascending", "/companies/?sector=F&ordering=-name")
    assert heads["City / municipality"] == ("", "/companies/?sector=F&ordering=city")
    assert heads["Networks"] == ("", "/companies/?sector=F&ordering=networks")
    assert heads["Sector"] == ("", "")  # not sortable: no link, no aria-sort
    heads = _heads(coordinator_client.get("/companies/", {"sector": "F", "ordering": "-name"}))
    assert heads["Name"] == ("descending", "/companies/?sector=F&ordering=name")
    assert heads["City / municipality"][0] == ""


def test_manage_list_and_grant_list_heads(coordinator_client, english):
    WorkshopFactory(title="Arbeitsschutz")
    heads = _heads(coordinator_client.get("/workshops/manage/"))
    assert heads["Date and time"] == ("descending", "/workshops/manage/?ordering=date")
    assert heads["Workshop"] == ("", "/workshops/manage/?ordering=title")
    heads = _heads(
        coordinator_client.get("/workshops/manage/", {"status": "published", "ordering": "title"})
    )
    assert heads["Workshop"] == ("ascending", "/workshops/manage/?status=published&ordering=-title")

    Grant.objects.create(
        reference="FKZ 1", title="Ordnung", start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31), total_eligible_costs=Decimal(1),
    )  # fmt: skip
    heads = _heads(coordinator_client.get("/funding/grants/"))
    assert heads["Period"] == ("descending", "/funding/grants/?ordering=period")
    assert heads["Total eligible costs"] == ("", "/funding/grants/?ordering=costs")


def test_pagination_keeps_the_sort_and_the_filter(coordinator_client):
    start = date(2026, 1, 1)
    for n in range(26):
        Grant.objects.create(
            reference=f"FKZ {n:02d}", title=f"Projekt {n}", start_date=start + timedelta(days=n),
            end_date=date(2030, 1, 1), total_eligible_costs=Decimal(n),
        )  # fmt: skip
    first = coordinator_client.get("/funding/grants/", {"ordering": "costs"}).content.decode()
    next_page = re.search(r'href="([^"]+)" rel="next"', first).group(1)
    assert unescape(next_page) == "?ordering=costs&page=2"
    second = coordinator_client.get("/funding/grants/" + unescape(next_page)).content.decode()
    assert "FKZ 25" in second and "FKZ 00" not in second


def test_one_column_at_a_time_and_never_cached_otherwise(coordinator_client, english):
    CompanyFactory(name="Alpha")
    response = coordinator_client.get("/companies/", {"ordering": "name,-city"})
    assert response.status_code == 200
    assert "Sort by one column at a time." in response.content.decode()
    from companies.filters import CompanyFilter

    assert caching.filter_parts({"ordering": "name,-city"}, CompanyFilter) is None
    assert caching.filter_parts({"ordering": "-name"}, CompanyFilter) == (
        ("ordering", ("-name",)),
        ("page", 1),
    )
    # An unknown column is refused the same way.
    assert caching.filter_parts({"ordering": "password"}, CompanyFilter) is None


def test_the_cached_company_list_follows_the_sort(coordinator_client):
    for name in ("Zahnrad", "Bäckerei", "Burgwedel"):
        CompanyFactory(name=name)
    names = re.compile(r'<td><a href="/companies/\d+/">([^<]+)</a>')
    cache.clear()
    for _twice in range(2):  # cold, then from the cache
        ascending = names.findall(coordinator_client.get("/companies/").content.decode())
        descending = names.findall(
            coordinator_client.get("/companies/", {"ordering": "-name"}).content.decode()
        )
        assert ascending == ["Bäckerei", "Burgwedel", "Zahnrad"]
        assert descending == ["Zahnrad", "Burgwedel", "Bäckerei"]


def test_postgresql_orders_german_names_with_the_icu_collation():
    assert connection.vendor == "postgresql"
    for name in (
        "Zoo",
        "Burgwedel",
        "Öko",
        "bäckerei",
        "Bäckerei",
        "Bach",
        "Ärzte",
        "Arzt",
        "Ofen",
    ):
        CompanyFactory(name=name)
    with CaptureQueriesContext(connection) as ctx:
        names = list(Company.objects.order_by(german("name"), "pk").values_list("name", flat=True))
    assert 'COLLATE "regiolab_de"' in ctx[-1]["sql"]
    assert names == [
        "Arzt",
        "Ärzte",
        "Bach",
        "bäckerei",
        "Bäckerei",
        "Burgwedel",
        "Ofen",
        "Öko",
        "Zoo",
    ]
