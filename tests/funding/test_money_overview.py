"""The grant page's money section: subtotals per year and per category and a grand total
(Decimal, to the cent, in the grant's currency), a bar per category with its text alternative,
what remains of each co-financing share, and the warnings shown inline."""

import re
from datetime import date
from decimal import Decimal

import pytest

from funding.models import BudgetLine, Expenditure, Grant
from funding.selectors import financial_statement
from funding.services import ShareInput, set_cofinancing_shares
from tests.factories import FunderFactory
from tests.support.html_tree import Element, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def sek_grant(coordinator):
    """A Swedish-crown grant over two years, three funders (thirds do not split evenly)."""
    grant = Grant.objects.create(
        reference="SE-2026-7", title="Kompetensnätverk", start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31), currency="SEK", total_eligible_costs=Decimal("1000000.00"),
    )  # fmt: skip
    set_cofinancing_shares(
        grant=grant,
        shares=[
            ShareInput(FunderFactory(name="Tillväxtverket"), Decimal("33.34")),
            ShareInput(FunderFactory(name="Region Skåne"), Decimal("33.33")),
            ShareInput(FunderFactory(name="Europeiska socialfonden"), Decimal("33.33")),
        ],
    )
    for year, category, amount in [
        (2026, "personnel", "300000.0050"),
        (2026, "travel", "10000.00"),
        (2027, "personnel", "310000.0050"),
        (2027, "travel", "5000.00"),
        (2027, "material", "0.10"),
    ]:
        BudgetLine.objects.create(grant=grant, year=year, category=category, amount=Decimal(amount))
    for day, category, amount in [
        (date(2026, 2, 1), "personnel", "100000.01"),
        (date(2026, 3, 1), "personnel", "0.02"),
        (date(2026, 4, 1), "travel", "10000.01"),  # 2026 travel overspent by 0.01
        (date(2027, 1, 1), "travel", "0.10"),
        (date(2027, 2, 1), "third_party", "999.99"),  # no budget line at all
    ]:
        Expenditure.objects.create(
            grant=grant, date=day, category=category, payee="Leverantör", purpose="x",
            amount=Decimal(amount), receipt_reference=f"R-{day.isoformat()}",
        )  # fmt: skip
    return grant


def test_subtotals_and_totals_are_exact_decimals(sek_grant):
    statement = financial_statement(grant=sek_grant)
    years = {y.key: (y.budget, y.spent) for y in statement.years}
    assert years == {
        2026: (Decimal("310000.0050"), Decimal("110000.04")),
        2027: (Decimal("315000.1050"), Decimal("1000.09")),
    }
    categories = {c.key: (c.budget, c.spent) for c in statement.categories}
    assert categories == {
        "personnel": (Decimal("610000.0100"), Decimal("100000.03")),
        "material": (Decimal("0.10"), Decimal(0)),
        "travel": (Decimal("15000.00"), Decimal("10000.11")),
        "third_party": (Decimal(0), Decimal("999.99")),
    }
    assert [c.key for c in statement.categories] == [
        "personnel",
        "material",
        "travel",
        "third_party",
    ]  # fmt: skip  (the cost categories' order)
    assert statement.budget_total == Decimal("625000.1100")
    assert statement.spent_total == Decimal("111000.13")
    assert statement.remaining_total == Decimal("513999.9800")
    for part in (*statement.years, *statement.categories):
        assert all(isinstance(v, Decimal) for v in (part.budget, part.spent, *part.share_parts))
        assert sum(part.share_parts) == part.spent.quantize(Decimal("0.01"))
    assert sum(y.budget for y in statement.years) == statement.budget_total
    assert sum(c.spent for c in statement.categories) == statement.spent_total


def test_each_share_shows_what_remains_to_the_cent(sek_grant):
    statement = financial_statement(grant=sek_grant)
    balances = {b.share.funder.name: b for b in statement.share_balances}
    assert balances["Tillväxtverket"].amount == Decimal("333400.00")
    assert balances["Region Skåne"].amount == Decimal("333300.00")
    # 111,000.13 × 33.34 % = 37,007.4433…, × 33.33 % = 36,996.3433… twice: rounded down the
    # parts miss a cent, which goes to the largest remainder (…0.003342 > …0.003329).
    assert [b.spent for b in statement.share_balances] == [
        Decimal("37007.45"), Decimal("36996.34"), Decimal("36996.34"),
    ]  # fmt: skip
    assert sum(b.spent for b in statement.share_balances) == Decimal("111000.13")
    assert sum(b.remaining for b in statement.share_balances) == Decimal("888999.87")
    assert balances["Tillväxtverket"].remaining == Decimal("296392.55")


def test_warnings_name_what_is_wrong(sek_grant, english):
    warnings = financial_statement(grant=sek_grant).warnings
    assert "travel 2026 is overspent by 0.01 SEK." in warnings
    assert "third-party services 2027 has spending of 999.99 SEK but no budget." in warnings
    assert not any("personnel" in w for w in warnings)


def test_warnings_are_formatted_for_german_readers(sek_grant):
    warnings = financial_statement(grant=sek_grant).warnings
    assert any("999,99 SEK" in w for w in warnings), warnings


def page(client, grant) -> Element:
    response = client.get(f"/funding/grants/{grant.pk}/")
    assert response.status_code == 200
    return parse(response.content)


def cells(row) -> list[str]:
    return [" ".join(c.get_text(" ", strip=True).split()) for c in row.find_all(["th", "td"])]


def test_the_page_shows_subtotals_total_and_remaining_shares(
    coordinator_client, sek_grant, english
):
    soup = page(coordinator_client, sek_grant)
    table = soup.select_one("table.budget-table")
    region = table.parent
    assert region["role"] == "region" and region["tabindex"] == "0" and region["aria-label"]
    assert "in SEK" in table.caption.get_text()
    assert cells(table.select_one('tr.subtotal[data-year="2026"]'))[:4] == [
        "Subtotal 2026", "310,000.01", "110,000.04", "199,999.97"
    ]  # fmt: skip
    assert cells(table.select_one('tr.subtotal[data-year="2027"]'))[:4] == [
        "Subtotal 2027", "315,000.11", "1,000.09", "314,000.02"
    ]  # fmt: skip
    travel = cells(table.select_one('tr.subtotal[data-category="travel"]'))
    assert travel[:4] == ["travel", "15,000.00", "10,000.11", "4,999.89"]
    assert cells(table.select_one('tr.subtotal[data-category="third_party"]'))[0] == (
        "third-party services overspent"
    )
    total = cells(table.select_one("tfoot tr.total"))
    assert total == [
        "Total", "625,000.11", "111,000.13", "513,999.98", "37,007.45", "36,996.34", "36,996.34"
    ]  # fmt: skip
    overspent_rows = [cells(r)[:2] for r in table.select("tbody.budget-year tr.overspent")]
    assert overspent_rows == [
        ["2026", "travel overspent"],
        ["2027", "third-party services overspent"],
    ]

    shares = soup.select_one("table.cofinancing-table")
    assert shares.parent["role"] == "region"
    assert cells(shares.select("tbody tr")[0]) == [
        "Tillväxtverket", "33.34", "333,400.00", "37,007.45", "296,392.55"
    ]  # fmt: skip

    warnings = soup.select_one(".money-warnings")
    assert "travel 2026 is overspent by 0.01 SEK." in warnings.get_text()
    assert soup.select_one(".money-summary").get_text(" ", strip=True) == (
        "Budget 625,000.11 SEK, spent 111,000.13 SEK, remaining 513,999.98 SEK."
    )


def test_each_category_bar_has_a_text_alternative(coordinator_client, sek_grant, english):
    soup = page(coordinator_client, sek_grant)
    bars = soup.select(".spend-bars li")
    assert [b["data-category"] for b in bars] == ["personnel", "material", "travel", "third_party"]
    for bar in bars:
        svg = bar.find("svg")
        assert svg["role"] == "img"
        title = svg.find("title")
        assert svg["aria-labelledby"] == title["id"]
        assert title.get_text().strip()
    titles = {b["data-category"]: b.find("title").get_text() for b in bars}
    assert titles["personnel"] == "personnel: 16 % of the budget spent"
    assert titles["travel"] == "travel: 66 % of the budget spent"
    assert titles["third_party"] == "third-party services: spending without a budget"
    widths = {b["data-category"]: b.select_one("rect.bar-fill")["width"] for b in bars}
    assert widths == {"personnel": "16", "material": "0", "travel": "66", "third_party": "100"}
    figures = {
        b["data-category"]: b.select_one(".spend-bar-figures").get_text(" ", strip=True)
        for b in bars
    }
    assert figures["third_party"] == "999.99 of 0.00 SEK over budget by 999.99"
    assert re.fullmatch(r"100,000\.03 of 610,000\.01 SEK \(16\s%\)", figures["personnel"])


def test_a_grant_without_money_says_so(coordinator_client, english):
    grant = Grant.objects.create(
        reference="LEER-1", title="Leer", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31),
        total_eligible_costs=Decimal(0),
    )  # fmt: skip
    soup = page(coordinator_client, grant)
    assert (
        "No budget lines or expenditures yet." in soup.select_one("table.budget-table").get_text()
    )
    assert soup.select_one(".spend-bars") is None
    assert "No co-financing shares yet." in soup.get_text()


def test_the_german_page_uses_german_separators(coordinator_client, sek_grant):
    soup = page(coordinator_client, sek_grant)
    total = cells(soup.select_one("table.budget-table tfoot tr.total"))
    assert total[1:3] == ["625.000,11", "111.000,13"]
