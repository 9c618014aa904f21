"""The grant page is kept in a cached fragment: a write to anything it shows appears on the next
request, for coordinators and funders alike; a warm cache spares the page's queries; the
fragment never crosses viewers with different links, periods or languages."""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from funding.models import BudgetLine, Expenditure, Funder, Grant, Indicator
from funding.services import ShareInput, set_cofinancing_shares
from networks.models import TrainingNetwork
from tests.factories import (
    CompanyFactory,
    FunderFactory,
    RegistrationFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.support.mfa import enable_totp

pytestmark = pytest.mark.usefixtures("english")

BERLIN = ZoneInfo("Europe/Berlin")
VIEWERS = ["coordinator", "funder_user"]


@pytest.fixture
def viewer(request, grant):
    """A client signed in as the coordinator or as a user of the grant's 70 % funder."""
    client = Client()
    client.force_login(request.getfixturevalue(request.param))
    return client


def page_of(client, grant, query: str = "") -> str:
    """The page's HTML, without the CSRF token (the language form's, new on every request)."""
    response = client.get(f"/funding/grants/{grant.pk}/{query}")
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def indicator_cells(page: str, code: str) -> tuple[str, str]:
    """(target, actual) as the indicator table shows them."""
    match = re.search(
        rf'<td class="num">([^<]*)</td><td class="num" data-code="{code}">([^<]*)</td>', page
    )
    assert match, f"no row for {code}"
    return match.group(1), match.group(2)


@pytest.fixture
def workshop_of_grant(grant):
    """A workshop of the grant's network in its period, and a company not yet registered."""
    starts_at = datetime(2026, 5, 4, 9, tzinfo=BERLIN)
    workshop = WorkshopFactory(
        network=grant.networks.get(),
        starts_at=starts_at,
        ends_at=starts_at.replace(hour=13),
    )
    return workshop, CompanyFactory()


def add_expenditure(grant, _):
    Expenditure.objects.create(
        grant=grant, date=date(2027, 2, 1), category="material", payee="Bürobedarf Nord",
        purpose="Moderationskoffer", amount=Decimal("4321.09"), receipt_reference="B-2027-007",
    )  # fmt: skip


def add_budget_line(grant, _):
    BudgetLine.objects.create(
        grant=grant, category="overhead", year=2027, amount=Decimal("9876.54")
    )


def add_registration(grant, workshop_of_grant):
    workshop, company = workshop_of_grant
    RegistrationFactory(workshop=workshop, company=company, status="confirmed")


def change_indicator_target(grant, _):
    Indicator.objects.filter(grant=grant, code="workshops_held").update(target=25)


@pytest.mark.parametrize("viewer", VIEWERS, indirect=True)
@pytest.mark.parametrize(
    ("write", "shows_it"),
    [
        (add_expenditure, lambda page: "4,321.09" in page),
        (add_budget_line, lambda page: "9,876.54" in page),
        (add_registration, lambda page: indicator_cells(page, "companies_reached")[1] == "1"),
        (change_indicator_target, lambda page: indicator_cells(page, "workshops_held")[0] == "25"),
    ],
    ids=lambda value: getattr(value, "__name__", None) if callable(value) else None,
)
def test_a_write_shows_on_the_next_request(viewer, grant, workshop_of_grant, write, shows_it):
    page_of(viewer, grant)  # builds the fragment
    assert not shows_it(page_of(viewer, grant))  # and serves it from the cache

    write(grant, workshop_of_grant)

    assert shows_it(page_of(viewer, grant))


def test_the_indicators_before_the_writes_are_as_expected(coordinator_client, grant):
    page = page_of(coordinator_client, grant)
    assert indicator_cells(page, "companies_reached") == ("40", "0")
    assert indicator_cells(page, "workshops_held") == ("10", "0")


@pytest.mark.parametrize(
    ("write", "shown"),
    [
        pytest.param(lambda grant: TrainingNetwork.objects.update(name="Verbund Neu"),
                     "Verbund Neu", id="network-renamed"),
        pytest.param(lambda grant: grant.networks.clear(), "<dd>–</dd>", id="network-removed"),
        pytest.param(lambda grant: Funder.objects.filter(name="Region Hannover").update(
            name="Landkreis Celle"), "Landkreis Celle", id="funder-renamed"),
        pytest.param(lambda grant: Grant.objects.filter(pk=grant.pk).update(title="Umbenannt"),
                     "<h1>Umbenannt</h1>", id="grant-edited"),
    ],
)  # fmt: skip
def test_the_facts_and_shares_are_rebuilt_after_a_write(coordinator_client, grant, write, shown):
    assert shown not in page_of(coordinator_client, grant)
    write(grant)
    assert shown in page_of(coordinator_client, grant)


def test_changed_shares_show_in_both_tables(coordinator_client, grant, funders):
    page_of(coordinator_client, grant)
    # Row by row (set_cofinancing_shares also locks the grant row, which counts as its write).
    for funder, percent in zip(funders, (45, 55), strict=True):
        grant.shares.filter(funder=funder).update(percent=percent)
    page = page_of(coordinator_client, grant)
    assert '<td class="num">55</td>' in page  # co-financing
    assert "Spent: Region Hannover (55&nbsp;%)" in page  # budget against spending
    assert "Region Hannover (30&nbsp;%)" not in page


@pytest.mark.parametrize("viewer", VIEWERS, indirect=True)
def test_a_warm_cache_spares_the_page_its_queries(viewer, grant):
    with CaptureQueriesContext(connection) as cold:
        first = page_of(viewer, grant)
    with CaptureQueriesContext(connection) as warm:
        second = page_of(viewer, grant)

    assert second == first
    assert len(warm) < len(cold)
    # Nothing the fragment alone needs is read: no budget, spending, shares or indicators.
    read = " ".join(q["sql"] for q in warm.captured_queries)
    for table in ("funding_expenditure", "funding_budgetline", "funding_indicator",
                  "funding_cofinancingshare", "workshops_registration"):  # fmt: skip
        if table == "funding_cofinancingshare" and "funder" in read:
            continue  # a funder's visibility check joins the shares
        assert table not in read


def test_the_cold_page_runs_as_many_queries_for_many_rows(coordinator_client, grant, funders):
    def cold_count() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            page_of(coordinator_client, grant)
        return len(queries)

    few = cold_count()
    for i in range(30):
        Expenditure.objects.create(
            grant=grant, date=date(2026 + i % 2, 1 + i % 12, 3), category="travel",
            payee="Deutsche Bahn", purpose=f"Fahrt {i}", amount=Decimal(10 + i),
            receipt_reference=f"R-{i}",
        )  # fmt: skip
    for year in (2026, 2027):
        for category in ("material", "third_party", "overhead"):
            BudgetLine.objects.create(grant=grant, category=category, year=year, amount=1000)
    set_cofinancing_shares(
        grant=grant,
        shares=[
            ShareInput(funder, Decimal(25)) for funder in (*funders, *FunderFactory.create_batch(2))
        ],
    )
    Indicator.objects.create(grant=grant, code="participants", target=100)

    assert cold_count() == few


def test_coordinators_links_never_reach_a_funder(coordinator_client, funder_user, grant):
    coordinator_page = page_of(coordinator_client, grant)
    funder = Client()
    funder.force_login(funder_user)
    funder_page = page_of(funder, grant)

    assert f"/funding/grants/{grant.pk}/edit/" in coordinator_page
    assert f"/funding/grants/{grant.pk}/edit/" not in funder_page
    assert "Change history" not in funder_page
    # And the other way round, the funder's page first.
    funder.get(f"/funding/grants/{grant.pk}/?period_start=2026-02-01")
    page = page_of(coordinator_client, grant, "?period_start=2026-02-01")
    assert f"/funding/grants/{grant.pk}/edit/" in page


def test_a_warm_fragment_does_not_open_a_grant_to_other_funders(coordinator_client, grant):
    page_of(coordinator_client, grant)
    stranger = Client()
    stranger_user = UserFactory()
    FunderFactory().users.add(stranger_user)
    enable_totp(stranger_user)
    stranger.force_login(stranger_user)
    assert stranger.get(f"/funding/grants/{grant.pk}/").status_code == 404


def test_each_period_and_language_has_its_own_fragment(coordinator_client, grant):
    whole = page_of(coordinator_client, grant)
    quarter = page_of(coordinator_client, grant, "?period_start=2026-01-01&period_end=2026-03-31")
    wrong = page_of(coordinator_client, grant, "?period_start=2026-04-01&period_end=2026-03-31")

    assert "Actual values from" in whole and whole != quarter
    assert 'value="2026-03-31"' in quarter and 'value="2026-03-31"' not in whole
    assert "The end of the period cannot be before its start." in wrong
    german = coordinator_client.get(f"/funding/grants/{grant.pk}/", HTTP_ACCEPT_LANGUAGE="de")
    assert "Actual values from" not in german.content.decode()


def test_each_grant_has_its_own_fragment(coordinator_client, grant):
    other = Grant.objects.create(
        reference="FKZ 02", title="Zweites Projekt", start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31), total_eligible_costs=Decimal(5000),
    )  # fmt: skip
    page_of(coordinator_client, grant)
    page = page_of(coordinator_client, other)
    assert "<h1>Zweites Projekt</h1>" in page
    assert "Verbund Robotik" not in page
