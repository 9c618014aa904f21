"""Every declared cached value names every table it reads, and invalidation is no coarser than
its data: built cold while the SQL is recorded, a read of a table the declaration does not name
fails here (the way a dashboard showing topic names stayed stale for ten minutes)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import companies.selectors
import funding.selectors
import workshops.selectors
from companies.models import Company
from funding.models import Grant, Indicator
from networks.selectors import active_members
from regiolab import caching
from tests.factories import (
    CompanyFactory,
    NetworkMembershipFactory,
    TopicFactory,
    TrainingNetworkFactory,
    WorkshopFactory,
)
from workshops.registration import services as workshop_services

pytestmark = pytest.mark.django_db

_READ = re.compile(r'\b(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)
_ALIAS = r'\b(?:FROM|JOIN)\s+"{table}"\s+(?:AS\s+)?"?(\w+)"?'


def tables_read(queries) -> set[str]:
    return {table for query in queries for table in _READ.findall(query["sql"])}


def columns_read(queries, table: str) -> set[str]:
    """The columns of ``table`` the queries name, under its own name or an alias (``U0``)."""
    found = set()
    for query in queries:
        sql = query["sql"]
        aliases = {f'"{table}"', *re.findall(_ALIAS.format(table=table), sql, re.IGNORECASE)}
        aliases -= {"ON", "WHERE", "INNER", "LEFT", "GROUP", "ORDER", "LIMIT"}
        for alias in aliases:
            name = alias if alias.startswith('"') else re.escape(alias)
            found.update(re.findall(rf'(?<![\w"]){name}\."(\w+)"', sql))
    return found


def undeclared_tables(declaration, compute) -> set[str]:
    """The tables ``compute()`` reads that ``declaration`` does not name, and for tables it
    names with some columns only, ``table.column`` of each other column read."""
    with CaptureQueriesContext(connection) as queries:
        compute()
    captured = queries.captured_queries
    missing = tables_read(captured) - declaration.reads
    for table, declared in declaration.columns.items():
        missing |= {f"{table}.{c}" for c in columns_read(captured, table) - declared}
    return missing


@pytest.fixture
def recorded(monkeypatch):
    """Each declaration's cold computations, with the tables they read beyond the declaration."""
    found: dict[str, set[str]] = {}
    original = caching.Declaration.get

    def get(self, compute, **parts):
        def watched():
            result = None

            def run():
                nonlocal result
                result = compute()

            found.setdefault(self.name, set()).update(undeclared_tables(self, run))
            return result

        return original(self, watched, **parts)

    monkeypatch.setattr(caching.Declaration, "get", get)
    return found


@pytest.fixture
def world(coordinator):
    topic = TopicFactory()
    network = TrainingNetworkFactory()
    network.topics.add(topic)
    for sector in ("C", "F"):
        company = CompanyFactory(sector=sector)
        company.training_needs.add(topic)
        NetworkMembershipFactory(network=network, company=company)
    NetworkMembershipFactory(
        network=network, company=CompanyFactory(), status="requested", requested_by=coordinator
    )
    workshop = WorkshopFactory(network=network, starts_at=timezone.now() + timedelta(days=3))
    workshop.topics.add(topic)
    grant = Grant.objects.create(
        reference="FKZ 1",
        title="Grant",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal(1000),
    )
    grant.coordinators.add(coordinator)
    grant.networks.add(network)
    Indicator.objects.create(grant=grant, code="companies_reached", target=4)
    return {"network": network, "workshop": workshop, "grant": grant, "topic": topic}


def test_every_declaration_reads_only_the_tables_it_names(coordinator_client, world, recorded):
    pages = [
        reverse("companies:list"),
        reverse("companies:list") + f"?topic={world['topic'].pk}",
        reverse("workshops:list"),
        reverse("workshops:list") + f"?topic={world['topic'].pk}",
        reverse("networks:dashboard", args=[world["network"].slug]),
        reverse("funding:grant_detail", args=[world["grant"].pk]),
    ]
    for url in pages:
        assert coordinator_client.get(url).status_code == 200

    # Every declaration was built cold (the selectors are imported above).
    assert companies.selectors.COMPANY_LIST and workshops.selectors.WORKSHOP_LIST
    assert set(recorded) == {name for name in caching.REGISTRY if not name.startswith("test_")}
    assert {name: tables for name, tables in recorded.items() if tables} == {}


def test_a_declaration_missing_the_topic_table_fails(world):
    """The dashboard with each member's topic names, declared without the topic tables."""
    wrong = caching.Declaration(
        "dashboard_with_topics",
        ("networks.NetworkMembership", "companies.Company", "auth.User"),
        ("network",),
        {},
    )

    def members_with_topics():
        rows = active_members(world["network"]).prefetch_related("company__training_needs")
        return [[t.name for t in m.company.training_needs.all()] for m in rows]

    missing = undeclared_tables(wrong, members_with_topics)

    assert missing == {"companies_company_training_needs", "regiolab_topic"}


def test_a_declaration_reading_columns_it_does_not_name_fails(world):
    """The grant's indicators count companies by size class and sector; a page that also
    showed their names, declared for those two columns only, would stay stale after a rename."""
    wrong = caching.Declaration(
        "reached_with_names",
        (caching.columns("companies.Company", "size_class_stored", "sector"),),
        (),
        {},
    )

    def names():
        return list(Company.objects.values_list("name", "size_class_stored"))

    def counts():
        return list(Company.objects.values_list("size_class_stored").annotate(n=Count("pk")))

    assert undeclared_tables(wrong, names) == {"companies_company.name"}
    assert undeclared_tables(wrong, counts) == set()


def test_a_registration_leaves_other_networks_grants_cached(coordinator_client, coordinator, world):
    """A registration moves its network's versions only: the grant of another network keeps
    its cached page, the grant it counts for is rebuilt."""
    other_network = TrainingNetworkFactory()
    other = Grant.objects.create(
        reference="FKZ 2",
        title="Other",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal(1000),
    )
    other.coordinators.add(coordinator)
    other.networks.add(other_network)
    page = funding.selectors.GRANT_PAGE
    built = []
    original = page.get

    def counting(compute, **parts):
        return original(lambda: built.append(parts["grant"]) or compute(), **parts)

    page.get = counting
    company = CompanyFactory()
    try:
        for grant in (world["grant"], other):
            coordinator_client.get(reverse("funding:grant_detail", args=[grant.pk]))
        workshop_services.register_participant(
            workshop=world["workshop"],
            first_name="Ada",
            last_name="Lovelace",
            email="ada@example.org",
            company=company,
        )
        for grant in (world["grant"], other):
            coordinator_client.get(reverse("funding:grant_detail", args=[grant.pk]))
    finally:
        del page.get

    assert built == [world["grant"].pk, other.pk, world["grant"].pk]


def test_one_visitor_creates_a_bounded_number_of_public_entries(client, world):
    """Keys come from the filter form's cleaned data: unknown parameters, invalid choices and
    pages past the cached ones create no entries (invalid filters are answered uncached)."""
    stored = []
    original = caching.Declaration.get

    def get(self, compute, **parts):
        if self.name == "workshop_list":
            stored.append(parts["filters"])  # the minute moves by itself, the filters may not
        return original(self, compute, **parts)

    url = reverse("workshops:list")
    queries = [f"?utm_source={i}" for i in range(40)]
    queries += [f"?topic=nonsense{i}" for i in range(20)]
    queries += [f"?page={1000 + i}" for i in range(20)]
    queries += [f"?format=fake{i}&page=x{i}" for i in range(20)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(caching.Declaration, "get", get)
        for query in queries:
            response = client.get(url + query)
            assert response.status_code == 200
            assert world["workshop"].title in response.content.decode() or "nonsense" in query

    assert len(set(stored)) == 1  # the unfiltered first page, whatever was appended
    # A valid filter gets its own entry, the same for the same choice however it is spelled.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(caching.Declaration, "get", get)
        client.get(url + f"?topic={world['topic'].pk}")
        client.get(url + f"?topic={world['topic'].pk}&utm_source=x")
    assert len(set(stored)) == 2


def test_a_company_rename_leaves_the_grant_page_cached(coordinator_client, coordinator, world):
    """The grant counts companies by size class and sector: the edit form's rename (it saves
    the changed fields only) keeps the cached page; a new sector rebuilds it."""
    from companies import services as company_services

    page = funding.selectors.GRANT_PAGE
    built = []
    original = page.get

    def counting(compute, **parts):
        return original(lambda: built.append(parts["grant"]) or compute(), **parts)

    company = world["network"].memberships.first().company
    url = reverse("funding:grant_detail", args=[world["grant"].pk])
    page.get = counting
    try:
        coordinator_client.get(url)
        company_services.update_company(company=company, updated_by=coordinator, name="Neu GmbH")
        coordinator_client.get(url)
        assert built == [world["grant"].pk]
        company_services.update_company(company=company, updated_by=coordinator, sector="J")
        coordinator_client.get(url)
    finally:
        del page.get
    assert built == [world["grant"].pk, world["grant"].pk]
