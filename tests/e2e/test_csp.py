"""In a real browser the Content-Security-Policy blocks nothing the pages need.

Chromium reports each blocked inline script or style, eval and foreign source on the console
("Refused to …"); the pages, htmx's partial updates and the admin must cause none.
"""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from regiolab.permissions import COORDINATORS_GROUP
from tests.factories import CompanyFactory, TopicFactory, UserFactory, WorkshopFactory
from tests.support.mfa import code_for, enable_totp

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"  # UserFactory's


@pytest.fixture
def violations(page):
    """Console lines in which the browser says it refused something."""
    found = []

    def on_console(message):
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            found.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(f"{page.url}: {error}"))
    return found


def _sign_in(page, live_url, user):
    page.goto(live_url + "/accounts/login/")
    page.get_by_label(re.compile(r"^E-?mail", re.IGNORECASE)).fill(user.email)
    password = page.get_by_label(re.compile(r"^Passwor", re.IGNORECASE))
    password.fill(PASSWORD)
    password.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    code = page.get_by_label(re.compile(r"^Code", re.IGNORECASE))
    code.fill(code_for(user))
    code.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa)/"))


def test_public_pages_and_htmx_filter_run_under_the_policy(page, live_url, violations):
    topic = TopicFactory(slug="robotik", name_de="Robotik", name_en="Robotics")
    WorkshopFactory(title="Cobots", slug="cobots").topics.add(topic)
    WorkshopFactory(title="Lernfabrik", slug="lernfabrik")

    for path in ("/", "/networks/", "/funding/programmes/", "/workshops/cobots/"):
        page.goto(live_url + path)
        expect(page.locator("h1")).to_be_visible()

    page.goto(live_url + "/workshops/")
    expect(page.locator("#workshop-results")).to_contain_text("Lernfabrik")
    with page.expect_response(re.compile(r"/workshops/\?")):
        page.get_by_label(re.compile(r"^(Thema|Topic)")).select_option(label="Robotik")
    expect(page.locator("#workshop-results")).not_to_contain_text("Lernfabrik")
    expect(page.locator("#workshop-results")).to_contain_text("Cobots")
    # htmx did not inject its indicator <style> (the policy would refuse it).
    assert page.locator("style").count() == 0

    page.select_option("#language-select", "en")
    page.locator(".language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        page.goto(live_url + path)
        expect(page.locator("h1")).to_be_visible()

    assert violations == []


def test_staff_pages_and_the_admin_run_under_the_policy(page, live_url, violations):
    coordinator = UserFactory(email="koordination@regiolab.example", is_staff=True)
    coordinator.is_superuser = True
    coordinator.save()
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(coordinator)
    company = CompanyFactory(name="Alpha Antriebstechnik GmbH")

    _sign_in(page, live_url, coordinator)
    page.goto(live_url + "/companies/")
    expect(page.locator("h1")).to_be_visible()
    with page.expect_response(re.compile(r"/companies/\?")):
        page.locator("#id_q").fill("Alpha")
        page.locator("#id_q").press("Enter")
    expect(page.locator("main")).to_contain_text("Alpha Antriebstechnik")

    for path in (
        "/admin/",
        "/admin/companies/company/",
        f"/admin/companies/company/{company.pk}/change/",
        "/admin/auth/user/",
    ):
        page.goto(live_url + path)
        expect(page.locator("#content")).to_be_visible()
    # The admin's own scripts ran: the change list's select-all box works.
    page.goto(live_url + "/admin/companies/company/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("1")

    assert violations == []
