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


@pytest.mark.django_db(transaction=True)
def test_filter_results_are_announced_in_a_live_region_that_stays(page, live_url):
    from tests.factories import WorkshopFactory

    WorkshopFactory(title="Robotik vor Ort", format="on_site")
    WorkshopFactory(title="Online lernen", format="online")
    page.goto(live_url + "/workshops/")
    status = page.locator("#filter-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text("2 Ergebnisse")
    status.evaluate("node => { node.dataset.kept = 'yes'; }")
    page.select_option("#id_format", "online")
    expect(status).to_have_text("1 Ergebnis")
    # Still the same element: only its text was swapped, so the announcement happens.
    expect(status).to_have_attribute("data-kept", "yes")
    expect(page.locator("main")).to_contain_text("Online lernen")
    expect(page.locator("main")).not_to_contain_text("Robotik vor Ort")
