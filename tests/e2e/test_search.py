"""The coordinators' search and sortable lists in Chromium: as you type in the header (htmx),
by keyboard alone, announced in a live region, scanned by axe; without JavaScript the same field
is a plain GET form; a column head sorts by keyboard and keeps the focus."""

import re

import pytest

from tests.e2e.test_accessibility import _axe, _build, _context, _reflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

_ACTIVE = (
    "() => ({id: document.activeElement.id, href: document.activeElement.getAttribute('href')})"
)


def _settled(page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")


def test_header_search_as_you_type_and_sorting_by_keyboard(
    browser, live_server, settings, tmp_path
):
    world = _build(settings, tmp_path)
    context = _context(browser, live_server, world.users["coordinator"])
    page = context.new_page()
    problems = []
    try:
        page.goto("/companies/")
        page.focus("#site-search-q")
        with page.expect_response(re.compile(r"/search/\?q=b%C3%A4ck")):
            page.keyboard.type("bäck", delay=30)
        _settled(page)
        status = page.text_content("#site-search-status")
        assert "Treffer für „bäck“" in status, status
        hits = page.locator("#site-search-panel .search-hits li")
        assert "Beta Bäckerei" in hits.first.inner_text()
        assert "Unternehmen" in hits.first.inner_text()
        problems += _axe(page, "coordinator", "header search panel (as you type)")
        problems += _reflow(page, "[coordinator] header search panel")
        # Escape closes the panel and leaves the focus in the field; typing on opens it again.
        page.keyboard.press("Escape")
        assert page.locator("#site-search-panel > *").count() == 0
        assert not page.is_visible("#site-search-panel")
        assert page.evaluate(_ACTIVE)["id"] == "site-search-q"
        with page.expect_response(re.compile(r"/search/\?q=b%C3%A4cke")):
            page.keyboard.type("e")
        _settled(page)
        # Tab from the field passes its button, then reaches the first hit.
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        focused = page.evaluate(_ACTIVE)
        assert re.fullmatch(r"/companies/\d+/", focused["href"] or ""), focused
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert re.search(r"/companies/\d+/$", page.url)

        # Sorting by a column head with the keyboard: htmx swaps the results, the focus stays.
        page.goto("/companies/")
        assert page.get_attribute("th:has(#sort-name)", "aria-sort") == "ascending"
        page.focus("#sort-name")
        with page.expect_response(re.compile(r"ordering=-name")):
            page.keyboard.press("Enter")
        _settled(page)
        assert page.get_attribute("th:has(#sort-name)", "aria-sort") == "descending"
        assert page.evaluate(_ACTIVE)["id"] == "sort-name"
        assert page.input_value("#id_ordering") == "-name"  # the filter bar keeps the sort
        assert page.url.endswith("/companies/?ordering=-name")
        problems += _axe(page, "coordinator", "/companies/ (sorted by a column head)")
    finally:
        context.close()
    assert not problems, problems


def test_search_without_javascript(browser, live_server, settings, tmp_path):
    world = _build(settings, tmp_path)
    context = _context(browser, live_server, world.users["coordinator"])
    context.close()
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="de-DE"
    )
    from django.conf import settings as django_settings
    from django.test import Client

    client = Client()
    client.force_login(world.users["coordinator"])
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    try:
        page.goto("/companies/")
        page.fill("#site-search-q", "BACKEREI")
        with page.expect_navigation():
            page.press("#site-search-q", "Enter")
        assert "/search/?q=BACKEREI" in page.url
        assert "Beta Bäckerei" in page.inner_text("#search-results")
        assert "Treffer für „BACKEREI“" in page.inner_text("#search-status")
    finally:
        context.close()
