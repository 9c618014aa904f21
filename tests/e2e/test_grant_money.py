"""The grant page's money section on a phone (390 CSS px): nothing scrolls sideways but the
tables' own regions, no text is squeezed narrower than its words, and the bars have their text
alternatives in the accessibility tree."""

import os
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect

from funding.models import BudgetLine, Expenditure, Grant
from funding.services import ShareInput, set_cofinancing_shares
from regiolab.permissions import COORDINATORS_GROUP
from tests.factories import FunderFactory, TrainingNetworkFactory, UserFactory
from tests.support.mfa import enable_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# Per text node in <main>: the number of lines it takes against the number of its words. A
# column squeezed narrower than a word breaks inside words, so it takes more lines than it has
# words ("letter per line" is the extreme).
SQUEEZED_TEXT = """() => {
  const squeezed = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    const element = node.parentElement;
    if (!text || element.closest('.visually-hidden, svg, [hidden], option, select')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                          .map(r => Math.round(r.top)));
    const words = text.split(/[\\s\\u00a0\\u2013\\u2014-]+/).filter(Boolean).length || 1;
    if (lines.size > words) squeezed.push(`${element.tagName}: "${text}" on ${lines.size} lines`);
  }
  return squeezed;
}"""

# Elements reaching beyond the page's right edge, other than the content of a table's scroll
# region (which the region clips; the page's scrollWidth, checked too, shows any leak).
WIDER_THAN_PAGE = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => !(e.parentElement && e.parentElement.closest('.table-scroll'))
                 && e.getBoundingClientRect().right > width + 1)
    .map(e => `${e.tagName}.${e.className}`);
}"""


@pytest.fixture
def money_grant(db):
    grant = Grant.objects.create(
        reference="FKZ 01PV26001",
        title="Weiterbildungsverbünde Region Hannover: Qualifizierungsoffensive Mittelstand",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal("986000.01"),
    )
    grant.networks.add(TrainingNetworkFactory(name="Verbund Robotik und Automatisierungstechnik"))
    set_cofinancing_shares(
        grant=grant,
        shares=[
            ShareInput(
                FunderFactory(name="Bundesministerium für Bildung und Forschung"), Decimal(70)
            ),
            ShareInput(FunderFactory(name="Region Hannover"), Decimal(30)),
        ],
    )
    for year in (2026, 2027):
        for category, amount in [
            ("personnel", "200000"), ("material", "15000"), ("travel", "100"),
            ("third_party", "80000"), ("overhead", "30000"),
        ]:  # fmt: skip
            BudgetLine.objects.create(
                grant=grant, category=category, year=year, amount=Decimal(amount)
            )
    for day, category, amount in [
        (date(2026, 3, 31), "personnel", "123456.78"),
        (date(2026, 4, 2), "travel", "999.99"),  # overspent
        (date(2027, 5, 1), "third_party", "45000.00"),
    ]:
        Expenditure.objects.create(
            grant=grant, date=day, category=category, payee="Dienstleister",
            purpose="Leistung", amount=Decimal(amount), receipt_reference=f"B-{day}",
        )  # fmt: skip
    return grant


def _signed_in_page(browser, live_server, locale):
    coordinator = UserFactory(email="kora@regiolab.example")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(coordinator)
    client = Client()
    client.force_login(coordinator)
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale=locale, timezone_id="Europe/Berlin"
    )
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


@pytest.mark.parametrize("language", ["de", "en"])
def test_grant_page_reads_well_at_390_px(browser, live_server, money_grant, language, tmp_path):
    page = _signed_in_page(browser, live_server, "de-DE" if language == "de" else "en-GB")
    if language == "en":
        page.goto("/imprint/")
        page.select_option("#language-select", "en")
        page.locator(".language-switch button").click()
    page.goto(f"/funding/grants/{money_grant.pk}/")
    expect(page.locator("h1")).to_contain_text("Weiterbildungsverbünde")

    # GRANT_PAGE_SCREENSHOT=/tmp/grant saves what the test saw, to look at.
    shot = os.environ.get("GRANT_PAGE_SCREENSHOT")
    if shot:
        page.screenshot(path=f"{shot}-{language}.png", full_page=True)

    # The page itself never scrolls sideways; only the tables' regions may.
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    assert page.evaluate(WIDER_THAN_PAGE) == []
    assert page.evaluate(SQUEEZED_TEXT) == []

    # The budget table scrolls in its own region: focusable, named, with a caption.
    region = page.locator(".table-scroll:has(table.budget-table)")
    expect(region).to_have_attribute("role", "region")
    expect(region).to_have_attribute("tabindex", "0")
    expect(region).to_have_attribute(
        "aria-label",
        "Budgettabelle (auf schmalen Bildschirmen seitlich verschiebbar)"
        if language == "de"
        else "Budget table (scrolls sideways on narrow screens)",
    )
    expect(region.locator("caption")).to_be_visible()
    scrollable = region.evaluate("e => e.scrollWidth > e.clientWidth")
    if scrollable:  # reachable by keyboard: focus it and the arrow keys scroll it
        region.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        # (Chromium scrolls smoothly: wait for the scroll rather than read it at once.)
        page.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle())

    # Each category's bar is an image with its text alternative.
    bars = page.get_by_role("img", name="%" if language == "de" else "of the budget spent")
    expect(bars.first).to_be_visible()
    name = (
        "Personalausgaben: 30 % des Budgets ausgegeben"
        if language == "de"
        else "personnel: 30 % of the budget spent"
    )
    expect(page.get_by_role("img", name=name)).to_have_count(1)

    # Totals and the overspent warning are there to read.
    total = page.locator("table.budget-table tfoot tr.total")
    expect(total).to_contain_text("169.456,77" if language == "de" else "169,456.77")
    expect(page.locator(".money-warnings")).to_be_visible()


@pytest.fixture
def removable(money_grant):
    from tests.factories import CompanyMemberFactory, NetworkMembershipFactory

    network = money_grant.networks.get()
    membership = NetworkMembershipFactory(network=network)
    CompanyMemberFactory(company=membership.company)
    return membership


def test_expenditure_and_removal_pages_read_well_at_390_px(
    browser, live_server, money_grant, removable
):
    page = _signed_in_page(browser, live_server, "de-DE")
    expenditure = money_grant.expenditures.order_by("pk").first()
    base = f"/funding/grants/{money_grant.pk}/expenditures/"
    network = removable.network
    for path in (
        base,
        f"{base}?category=travel&payee=dienst",
        f"{base}{expenditure.pk}/edit/",
        f"{base}{expenditure.pk}/delete/",
        f"/networks/{network.slug}/members/{removable.pk}/remove/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow, page.evaluate(WIDER_THAN_PAGE))
        assert page.evaluate(WIDER_THAN_PAGE) == [], path
        assert page.evaluate(SQUEEZED_TEXT) == [], path
        if shot := os.environ.get("GRANT_PAGE_SCREENSHOT"):
            name = path.strip("/").replace("/", "_").replace("?", "_")
            page.screenshot(path=f"{shot}-{name}.png", full_page=True)
    # The filtered list says how many and how much, in German.
    page.goto(f"{base}?category=travel")
    expect(page.locator(".expenditure-sum")).to_have_text(
        "1 Ausgabe passt zum Filter, zusammen 999,99 EUR."
    )
