"""Every declared cached value names every table it reads, and invalidation is no coarser than
its data: built cold while the SQL is recorded, a read of a table the declaration does not name
fails here (the way a dashboard showing topic names stayed stale for ten minutes)."""

import contextlib
import re
import time
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
    UserFactory,
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
    return {
        "network": network,
        "workshop": workshop,
        "grant": grant,
        "topic": topic,
        "survey": _identified_survey(topic),
    }


def _identified_survey(topic):
    """Five named responses with a topic choice and an open answer (survey results page)."""
    from tests.surveys.support_s4 import add_question, make_survey, respond

    survey = make_survey(anonymity="identified")
    add_question(survey, "topics", "topic")
    add_question(survey, "idee", "long_text")
    for n in range(5):
        respond(
            survey,
            {"topics": [topic.slug], "idee": f"Idee {n}"},
            respondent=UserFactory(),
            company=CompanyFactory(),
        )
    return survey


def test_every_declaration_reads_only_the_tables_it_names(coordinator_client, world, recorded):
    _good_practice(world["topic"])
    pages = [
        reverse("companies:list"),
        reverse("companies:list") + f"?topic={world['topic'].pk}",
        reverse("workshops:list"),
        reverse("workshops:list") + f"?topic={world['topic'].pk}",
        reverse("networks:dashboard", args=[world["network"].slug]),
        reverse("funding:grant_detail", args=[world["grant"].pk]),
        *_learning_board_pages(world),
        reverse("surveys:results", args=[world["survey"].pk]),
        reverse("policy:practices"),
        reverse("policy:practices") + f"?topic={world['topic'].pk}&country=IT",
        *_action_plan_pages(world),
        *_challenge_pages(world),
    ]
    for url in pages:
        assert coordinator_client.get(url).status_code == 200

    # Every declaration was built cold (the selectors are imported above).
    assert companies.selectors.COMPANY_LIST and workshops.selectors.WORKSHOP_LIST
    assert set(recorded) == {name for name in caching.REGISTRY if not name.startswith("test_")}
    assert {name: tables for name, tables in recorded.items() if tables} == {}


def _good_practice(topic):
    """A validated practice with a topic, so the practice list reads its topics too."""
    from tests.policy.practices_support import make_practice

    make_practice(1, country="IT").topics.add(topic)


def _action_plan_pages(world) -> list[str]:
    from tests.policy.plans_support import cache_declaration_pages

    return cache_declaration_pages(world)


def _challenge_pages(world) -> list[str]:
    """A call's public page with a published challenge and its topic, and its review ranking
    with a submitted review (challenges.calls.selectors.PUBLISHED_CHALLENGES,
    challenges.review.selectors.RANKING)."""
    from challenges.review.services import assign_reviewer
    from tests.challenges.factories_review import (
        add_review,
        make_call,
        make_challenge,
        make_proposal,
        make_reviewer,
    )

    call = make_call()
    challenge = make_challenge(call)
    challenge.topics.add(world["topic"])
    assignment = assign_reviewer(proposal=make_proposal(challenge), reviewer=make_reviewer(call))
    add_review(assignment, {"Innovation": 4, "Feasibility": 2})
    return [reverse("challenges:call", args=[call.slug]), f"/challenges/{call.slug}/review/"]


def _learning_board_pages(world) -> list[str]:
    """A learning programme's cycle board, plain and filtered (learning.board.selectors.BOARD):
    reports with tagged findings continuing those of the cycle before."""
    from tests.learning import board_support

    programme = board_support.programme(world["grant"].coordinators.get())
    org = board_support.organisation(programme, name="Alpha Fräs GmbH")
    first, second = programme.cycles.get(number=1), programme.cycles.get(number=2)
    _report, items = board_support.full_report(first, org, prefix="Eins")
    board_support.report(second, org, items=[("obstacle", "weiter", {"follows": items[2]})])
    tag = programme.tags.get(name="Fachkräfte")
    board = reverse("learning:cycle", args=[programme.slug, 2])
    return [board, board + "?actor_type=firm", board + f"?tag={tag.pk}"]


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
    its cached indicators, the grant it counts for rebuilds its indicators and keeps its money
    section."""
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
    built = []
    company = CompanyFactory()
    with _counting_builds(built, funding.selectors.GRANT_PAGE, funding.selectors.GRANT_INDICATORS):
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

    assert built == [
        ("grant_page", world["grant"].pk),
        ("grant_indicators", world["grant"].pk),
        ("grant_page", other.pk),
        ("grant_indicators", other.pk),
        ("grant_indicators", world["grant"].pk),
    ]


def test_a_registration_leaves_the_survey_and_challenge_figures_cached(coordinator_client, world):
    """The grant page's indicator table is cached in two parts: a registration rebuilds the
    activity rows (companies reached), not the survey and challenge rows, and a feedback
    response rebuilds the survey rows with the new figure."""
    from tests.surveys.support_s4 import add_question, make_survey, respond

    grant, workshop = world["grant"], world["workshop"]
    Indicator.objects.create(grant=grant, code="feedback_responses", target=10)
    url = reverse("funding:grant_detail", args=[grant.pk])
    declarations = (
        funding.selectors.GRANT_INDICATORS,
        funding.selectors.GRANT_SURVEY_CHALLENGE_INDICATORS,
    )
    built = []
    with _counting_builds(built, *declarations):
        before = coordinator_client.get(url).content.decode()
        workshop_services.register_participant(
            workshop=workshop,
            first_name="Ada",
            last_name="Lovelace",
            email="ada@example.org",
            company=CompanyFactory(),
        )
        after_registration = coordinator_client.get(url).content.decode()
        feedback = make_survey(purpose="feedback", title="Feedback")
        add_question(feedback, "satisfaction", "scale")
        respond(feedback, {"satisfaction": 5}, workshop=workshop, network=world["network"])
        after_response = coordinator_client.get(url).content.decode()

    assert built == [
        ("grant_indicators", grant.pk),
        ("grant_survey_challenge_indicators", grant.pk),
        ("grant_indicators", grant.pk),
        ("grant_survey_challenge_indicators", grant.pk),
    ]
    assert _figure(before, "companies_reached") == "2"
    assert _figure(after_registration, "companies_reached") == "3"
    assert _figure(after_registration, "feedback_responses") == "0"
    assert _figure(after_response, "feedback_responses") == "1"


def _figure(html: str, code: str) -> str:
    return re.search(rf'data-code="{code}">([^<]*)<', html).group(1)


@contextlib.contextmanager
def _counting_builds(built: list, *declarations):
    """Records (name, grant) each time one of the declarations builds its value."""
    originals = {declaration: declaration.get for declaration in declarations}

    def counting(declaration):
        def get(compute, **parts):
            def build():
                built.append((declaration.name, parts["grant"]))
                return compute()

            return originals[declaration](build, **parts)

        return get

    for declaration in declarations:
        declaration.get = counting(declaration)
    try:
        yield
    finally:
        for declaration in declarations:
            del declaration.get


def test_an_expenditure_leaves_the_indicators_cached(coordinator_client, coordinator, world):
    """Money and figures are apart: a new expenditure rebuilds the money section only."""
    from funding.models import Expenditure

    built = []
    grant = world["grant"]
    url = reverse("funding:grant_detail", args=[grant.pk])
    with _counting_builds(built, funding.selectors.GRANT_PAGE, funding.selectors.GRANT_INDICATORS):
        coordinator_client.get(url)
        Expenditure.objects.create(
            grant=grant,
            date=grant.start_date,
            category="material",
            payee="Papier Nord",
            purpose="Flipcharts",
            amount=Decimal("12.50"),
            receipt_reference="B-CACHE-1",
        )
        response = coordinator_client.get(url)
    assert built == [
        ("grant_page", grant.pk),
        ("grant_indicators", grant.pk),
        ("grant_page", grant.pk),
    ]
    assert "Papier Nord" in response.content.decode() or "12,50" in response.content.decode()


def test_one_request_builds_a_missing_value_while_the_others_wait(world):
    """A write makes every request miss at once: one builds the value, the others (real
    threads, the same cache) wait for it and get what it built."""
    import threading

    declaration = caching.declare("test_single_flight", reads=[Grant], varies_by=["n"])
    try:
        builds, results = [], []
        started = threading.Event()

        def compute():
            builds.append(threading.get_ident())
            started.set()
            time.sleep(0.3)  # long enough that every other thread asks meanwhile
            return "built"

        def ask():
            results.append(declaration.get(compute, n=1))

        first = threading.Thread(target=ask)
        first.start()
        assert started.wait(5)
        others = [threading.Thread(target=ask) for _ in range(5)]
        for thread in others:
            thread.start()
        for thread in [first, *others]:
            thread.join(10)
        assert results == ["built"] * 6
        assert len(builds) == 1
    finally:
        del caching.REGISTRY["test_single_flight"]
        caching._read = None


def test_while_a_changed_value_is_rebuilt_the_others_get_the_one_it_replaces(world):
    """After a write one request rebuilds; the others (real threads) get the previous value at
    once instead of waiting, and the next request after the build gets the new one."""
    import threading

    declaration = caching.declare("test_previous", reads=[Grant], varies_by=["n"])
    try:
        assert declaration.get(lambda: "before", n=1) == "before"
        caching.changed(Grant)  # a write: the key moves on
        started, release = threading.Event(), threading.Event()
        results = []

        def slow_build():
            started.set()
            assert release.wait(10)
            return "after"

        builder = threading.Thread(target=lambda: results.append(declaration.get(slow_build, n=1)))
        builder.start()
        assert started.wait(5)

        def never():
            raise AssertionError("a second build while the first runs")

        others = [declaration.get(never, n=1) for _ in range(3)]
        release.set()
        builder.join(10)
        assert others == ["before"] * 3
        assert results == ["after"]
        assert declaration.get(never, n=1) == "after"
        # Another part's previous value is its own: nothing to hand out, so it is built.
        assert declaration.get(lambda: "two", n=2) == "two"
    finally:
        del caching.REGISTRY["test_previous"]
        caching._read = None


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
    the changed fields only) keeps the cached figures; a new sector rebuilds them."""
    from companies import services as company_services

    built = []
    company = world["network"].memberships.first().company
    grant = world["grant"].pk
    url = reverse("funding:grant_detail", args=[grant])
    with _counting_builds(built, funding.selectors.GRANT_INDICATORS):
        coordinator_client.get(url)
        company_services.update_company(company=company, updated_by=coordinator, name="Neu GmbH")
        coordinator_client.get(url)
        assert built == [("grant_indicators", grant)]
        company_services.update_company(company=company, updated_by=coordinator, sector="J")
        coordinator_client.get(url)
    assert built == [("grant_indicators", grant), ("grant_indicators", grant)]
