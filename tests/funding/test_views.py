from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from funding.models import (
    BudgetLine,
    CofinancingShare,
    Expenditure,
    FundingProgramme,
    Grant,
    Indicator,
)
from funding.services import ShareInput, set_cofinancing_shares
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    FunderFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def other_grant(db):
    grant = Grant.objects.create(
        reference="GEHEIM-99", title="Fremdes Projekt", start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31), total_eligible_costs=Decimal(5000),
    )  # fmt: skip
    set_cofinancing_shares(grant=grant, shares=[ShareInput(FunderFactory(), Decimal(100))])
    return grant


@pytest.fixture
def funder_client(client, funder_user):
    client.force_login(funder_user)
    return client


# --- Funder portal --------------------------------------------------------------------------


def test_funder_sees_only_their_grants(funder_client, grant, other_grant):
    page = funder_client.get("/funding/grants/").content.decode()
    assert "FKZ 01PV26001" in page
    assert "GEHEIM-99" not in page
    detail = funder_client.get(f"/funding/grants/{grant.pk}/").content.decode()
    assert "690.200,01" in detail  # share amount
    assert 'data-code="companies_reached"' in detail
    assert "5.000,01" in detail  # spent on personnel
    assert "/edit/" not in detail  # no coordinator links
    assert funder_client.get(f"/funding/grants/{grant.pk}/reports/").status_code == 200


def test_funder_gets_404_for_other_grants(funder_client, other_grant):
    for url in (
        f"/funding/grants/{other_grant.pk}/",
        f"/funding/grants/{other_grant.pk}/reports/",
    ):
        assert funder_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["edit/", "shares/", "budget/", "indicators/", "expenditures/", "reports/"],
)
def test_funder_writes_are_forbidden(funder_client, grant, path):
    response = funder_client.post(
        f"/funding/grants/{grant.pk}/{path}",
        {"period_start": "2026-01-01", "period_end": "2026-06-30", "title": "Übernommen"},
    )
    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.title == "Weiterbildungsverbünde Region Hannover"
    assert not grant.reports.exists()


def test_funder_cannot_create_grants(funder_client):
    assert funder_client.post("/funding/grants/new/", {"reference": "X"}).status_code == 403
    assert not Grant.objects.filter(reference="X").exists()


def test_company_representative_has_no_grant_pages(client, grant):
    client.force_login(CompanyMemberFactory().user)
    assert client.get("/funding/grants/").status_code == 403
    assert client.get(f"/funding/grants/{grant.pk}/").status_code == 404


def test_grant_list_query_count_does_not_grow(coordinator_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n, offset):
        funder = FunderFactory()
        for i in range(n):
            g = Grant.objects.create(
                reference=f"R-{offset + i}", title="T", start_date=date(2026, 1, 1),
                end_date=date(2026, 12, 31), total_eligible_costs=Decimal(100),
            )  # fmt: skip
            CofinancingShare.objects.create(grant=g, funder=funder, percent=100)

    make(3, 0)
    with CaptureQueriesContext(connection) as few:
        assert coordinator_client.get("/funding/grants/").status_code == 200
    make(22, 100)
    with django_assert_num_queries(len(few)):
        page = coordinator_client.get("/funding/grants/").content.decode()
    assert page.count("R-1") >= 20


# --- Coordinator forms ----------------------------------------------------------------------


def _grant_data(**overrides):
    data = {
        "reference": "ZUW-2026-01", "title": "Neuer Verbund", "start_date": "2026-01-01",
        "end_date": "2027-12-31", "currency": "sek", "total_eligible_costs": "1000.50",
        "report_language": "en",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_coordinator_creates_a_grant(coordinator_client):
    response = coordinator_client.post("/funding/grants/new/", _grant_data())
    grant = Grant.objects.get(reference="ZUW-2026-01")
    assert response.url == f"/funding/grants/{grant.pk}/shares/"
    assert grant.currency == "SEK" and grant.total_eligible_costs == Decimal("1000.50")


@pytest.mark.parametrize(
    "overrides",
    [
        {"reference": ""},
        {"title": "x" * 301},
        {"end_date": "2025-01-01"},
        {"currency": "Euro"},
        {"total_eligible_costs": "-1"},
        {"total_eligible_costs": "viel"},
        {"start_date": HOSTILE},
        {"reference": HOSTILE * 5},
    ],
)
def test_grant_form_bad_input(coordinator_client, overrides):
    response = coordinator_client.post("/funding/grants/new/", _grant_data(**overrides))
    content = response.content.decode()
    assert response.status_code == 200
    assert "errorlist" in content
    assert HOSTILE not in content
    assert not Grant.objects.exists()


def _shares_post(rows):
    data = {"shares-TOTAL_FORMS": str(len(rows)), "shares-INITIAL_FORMS": "0"}
    for i, (funder, percent) in enumerate(rows):
        data[f"shares-{i}-funder"] = funder
        data[f"shares-{i}-percent"] = percent
    return data


def test_shares_formset_accepts_70_30(coordinator_client, grant, funders):
    third = FunderFactory(name="ESF Plus")
    rows = [(funders[0].pk, "60"), (funders[1].pk, "25"), (third.pk, "15"), ("", "")]
    response = coordinator_client.post(f"/funding/grants/{grant.pk}/shares/", _shares_post(rows))
    assert response.status_code == 302
    assert {s.funder.name: s.percent for s in grant.shares.all()} == {
        "Bundesministerium für Bildung": 60,
        "Region Hannover": 25,
        "ESF Plus": 15,
    }


@pytest.mark.parametrize(
    ("percents", "message"),
    [
        (("70", "40"), "add up to 110 %"),
        (("70", "29.99"), "add up to 99.99 %"),
        (("130", "-30"), "more than 0 % and at most 100 %"),
        (("70", ""), "Enter the share of this funder."),
        (("70", HOSTILE), "errorlist"),
    ],
)
@pytest.mark.usefixtures("english")
def test_shares_formset_refuses(coordinator_client, grant, funders, percents, message):
    rows = [(funders[0].pk, percents[0]), (funders[1].pk, percents[1])]
    response = coordinator_client.post(f"/funding/grants/{grant.pk}/shares/", _shares_post(rows))
    content = response.content.decode()
    assert response.status_code == 200
    assert message in content
    assert HOSTILE not in content
    assert sorted(grant.shares.values_list("percent", flat=True)) == [30, 70]  # unchanged


@pytest.mark.usefixtures("english")
def test_budget_and_expenditure_pages(coordinator_client, grant, coordinator):
    url = f"/funding/grants/{grant.pk}/budget/"
    ok = coordinator_client.post(
        url, {"budget-category": "material", "budget-year": "2027", "budget-amount": "999.99"}
    )
    assert ok.status_code == 302
    assert BudgetLine.objects.get(grant=grant, category="material").amount == Decimal("999.99")
    bad = coordinator_client.post(
        url, {"budget-category": "material", "budget-year": "2031", "budget-amount": "1"}
    )
    assert "within the grant period" in bad.content.decode()

    url = f"/funding/grants/{grant.pk}/expenditures/"
    data = {
        "date": "2028-02-01", "category": "material", "payee": "Bürobedarf Nord",
        "purpose": "Flipcharts", "amount": "49.90", "receipt_reference": "B-2028-001",
    }  # fmt: skip
    response = coordinator_client.post(url, data, follow=True)
    assert "outside the grant period" in response.content.decode()
    assert Expenditure.objects.get(receipt_reference="B-2028-001").created_by == coordinator


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": ""},
        {"amount": "0"},
        {"amount": "1.234"},
        {"payee": "x" * 201},
        {"date": "31.02.2026"},
        {"category": "party"},
        {"receipt_reference": HOSTILE * 4},
    ],
)
def test_expenditure_bad_input(coordinator_client, grant, overrides):
    data = {
        "date": "2026-05-01", "category": "material", "payee": "Bürobedarf",
        "purpose": "Papier", "amount": "10.00", "receipt_reference": "B-1",
    }  # fmt: skip
    data.update(overrides)
    response = coordinator_client.post(f"/funding/grants/{grant.pk}/expenditures/", data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert HOSTILE not in response.content.decode()
    assert grant.expenditures.count() == 2


@pytest.mark.parametrize(
    "data", [{}, {"code": "nonsense", "target": "1"}, {"code": "participants", "target": "-5"}]
)
def test_indicator_form_bad_input(coordinator_client, grant, data):
    response = coordinator_client.post(f"/funding/grants/{grant.pk}/indicators/", data)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert grant.indicators.count() == 2


def test_indicator_target_saved(coordinator_client, grant):
    coordinator_client.post(
        f"/funding/grants/{grant.pk}/indicators/", {"code": "participants", "target": "400"}
    )
    assert Indicator.objects.get(grant=grant, code="participants").target == 400


# --- Funding finder -------------------------------------------------------------------------


@pytest.fixture
def programmes(db):
    digital = TopicFactory(slug="digitalisation", name_en="Digitalisation")
    robotics = TopicFactory(slug="robotics", name_en="Robotics")
    fits = FundingProgramme.objects.create(
        name="Digitalbonus Beispiel", funding_body="NBank", level="state",
        size_classes=["micro", "small"], sectors=["C"], deadline=date(2099, 1, 1),
    )  # fmt: skip
    fits.topics.add(digital)
    FundingProgramme.objects.create(
        name="Nur für Großunternehmen", funding_body="Bund", level="federal",
        size_classes=["large"],
    )  # fmt: skip
    wrong_topic = FundingProgramme.objects.create(
        name="Robotik-Förderung", funding_body="EU", level="eu"
    )
    wrong_topic.topics.add(robotics)
    FundingProgramme.objects.create(
        name="Abgelaufen", funding_body="Region", level="region", deadline=date(2020, 1, 1)
    )
    return digital


@pytest.mark.usefixtures("english")
def test_finder_shows_fitting_programmes_first_with_reason(client, programmes):
    company = CompanyFactory(sector="C")  # small
    company.training_needs.add(programmes)
    client.force_login(CompanyMemberFactory(company=company).user)
    page = client.get("/funding/programmes/").content.decode()
    fits_section = page.split("Further programmes")[0]
    assert "Digitalbonus Beispiel" in fits_section
    assert "Nur für Großunternehmen" not in fits_section
    assert "Robotik-Förderung" not in fits_section
    assert "size class: small enterprise" in fits_section
    assert "training needs: Thema" in fits_section or "training needs: Digital" in fits_section
    # "Abgelaufen" has no targets at all, so it fits everyone
    assert "Abgelaufen" in fits_section and "open to all companies" in fits_section


@pytest.mark.usefixtures("english")
def test_finder_filters_for_visitors(client, programmes):
    assert "Fits your company" not in client.get("/funding/programmes/").content.decode()
    page = client.get("/funding/programmes/?size_class=large").content.decode()
    assert "Nur für Großunternehmen" in page and "Digitalbonus Beispiel" not in page
    assert "Robotik-Förderung" in page  # no size restriction
    page = client.get("/funding/programmes/?open_only=true&level=region").content.decode()
    assert "Abgelaufen" not in page and "No funding programme matches" in page
    page = client.get(f"/funding/programmes/?topic={programmes.pk}").content.decode()
    assert "Digitalbonus Beispiel" in page and "Robotik-Förderung" not in page
    page = client.get("/funding/programmes/?sector=J").content.decode()
    assert "Digitalbonus Beispiel" not in page and "Robotik-Förderung" in page


def test_finder_bad_filter_values_are_harmless(client, programmes):
    response = client.get(f"/funding/programmes/?size_class={HOSTILE}&topic=abc")
    assert response.status_code == 200
    assert HOSTILE not in response.content.decode()


def test_finder_query_count_does_not_grow(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    topic = TopicFactory()

    def make(n, offset):
        for i in range(n):
            p = FundingProgramme.objects.create(
                name=f"Programm {offset + i}", funding_body="Bund", level="federal"
            )
            p.topics.add(topic)

    make(3, 0)
    cache.clear()  # both requests with a cold filter-bar cache: like is compared with like
    with CaptureQueriesContext(connection) as few:
        client.get("/funding/programmes/")
    make(20, 100)
    cache.clear()
    with django_assert_num_queries(len(few)):
        page = client.get("/funding/programmes/").content.decode()
    assert page.count("Programm 1") >= 20


def test_finder_for_company_query_count_does_not_grow(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = CompanyMemberFactory()
    client.force_login(member.user)
    topic = TopicFactory()
    member.company.training_needs.add(topic)

    def make(n, offset):
        for i in range(n):
            p = FundingProgramme.objects.create(
                name=f"Programm {offset + i}", funding_body="Bund", level="federal"
            )
            p.topics.add(topic)

    make(3, 0)
    cache.clear()  # both requests with a cold filter-bar cache: like is compared with like
    with CaptureQueriesContext(connection) as few:
        client.get("/funding/programmes/")
    make(20, 100)
    cache.clear()
    with django_assert_num_queries(len(few)):
        client.get("/funding/programmes/")


def test_other_users_do_not_count_as_funders(client, grant):
    client.force_login(UserFactory())
    assert client.get(f"/funding/grants/{grant.pk}/reports/").status_code == 404


@pytest.mark.parametrize(
    "path", ["", "edit/", "shares/", "budget/", "indicators/", "expenditures/", "reports/"]
)
def test_coordinator_pages_render(coordinator_client, grant, path):
    content = coordinator_client.get(f"/funding/grants/{grant.pk}/{path}").content.decode()
    assert content.count("<h1") == 1
    assert "FKZ 01PV26001" in content or "Weiterbildungsverbünde" in content


def test_grant_detail_indicators_for_a_chosen_period(coordinator_client, grant):
    response = coordinator_client.get(
        f"/funding/grants/{grant.pk}/?period_start=2026-01-01&period_end=2026-03-31"
    )
    assert "31.03.2026" in response.content.decode() or "31. März 2026" in response.content.decode()


@pytest.mark.parametrize("kind", ["expenditures", "reports"])
def test_grant_sub_lists_query_count_does_not_grow(
    coordinator_client, grant, coordinator, kind, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from funding.models import ProgressReport

    def make(n, offset):
        for i in range(n):
            if kind == "expenditures":
                Expenditure.objects.create(
                    grant=grant, date=date(2026, 5, 1), category="material", payee="P",
                    purpose="Z", amount=Decimal("1.00"), receipt_reference=f"X-{offset + i}",
                )  # fmt: skip
            else:
                ProgressReport.objects.create(
                    grant=grant, kind="interim", period_start=date(2026, 1, 1),
                    period_end=date(2026, 3, 31), requested_by=coordinator, status="failed",
                    error=f"E-{offset + i}",
                )  # fmt: skip

    url = f"/funding/grants/{grant.pk}/{kind}/"
    make(3, 0)
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(url)
    make(27, 100)
    with django_assert_num_queries(len(few)):
        page = coordinator_client.get(url).content.decode()
    assert sum(f"-{100 + i}<" in page for i in range(27)) == 27
