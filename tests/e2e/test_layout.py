import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page, live_url):
    page.goto(live_url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_language_switch_by_keyboard(page, live_url):
    page.goto(live_url + "/imprint/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.select_option("#language-select", "en")
    page.locator(".language-switch button").press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Imprint")
