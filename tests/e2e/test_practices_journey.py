"""The good-practice library in the browser, axe run on every page visited: coordinator A
drafts a practice (a bad entry first), cannot validate it herself; coordinator B validates it;
a visitor then finds it in the public library by search and opens its page and PDF link."""

import re

import pytest
from playwright.sync_api import expect

from policy.models import GoodPractice
from tests.e2e.test_learning_flow import Axe, label
from tests.policy.practices_support import make_coordinator

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


def _signed_in(browser, live_server, user):
    from django.conf import settings as django_settings
    from django.test import Client

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    client = Client()
    client.force_login(user)
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
    page.set_default_timeout(15_000)
    return context, page


def test_draft_by_one_coordinator_validated_by_another_then_public(browser, live_url, live_server):
    anna = make_coordinator("anna@regiolab.example", "Anna", "Autorin")
    bernd = make_coordinator("bernd@regiolab.example", "Bernd", "Zweit")
    contexts = []
    try:
        context, page = _signed_in(browser, live_server, anna)
        contexts.append(context)
        axe = Axe(page)
        page.goto("/practices/")
        axe("the library for a coordinator (empty)")
        page.get_by_role("link", name="Record a good practice").click()
        axe("the practice form")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".form-errors").first).to_be_visible()
        axe("the practice form with errors")
        assert not GoodPractice.objects.exists()

        page.get_by_label(label("Title")).fill("Open Innovation Challenge")
        page.get_by_label(label("Summary")).fill(
            "Companies pose challenges; start-ups propose solutions and pilot them."
        )
        page.get_by_label(label("Region")).fill("Lazio")
        page.get_by_label(label("Country")).select_option("IT")
        page.get_by_label(label("Organisation")).fill("Lazio Innova")
        page.get_by_label(label("Figure"), exact=False).first.select_option("workshops_held")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Open Innovation Challenge")
        expect(page.get_by_text("You drafted this practice")).to_be_visible()
        expect(page.get_by_role("button", name="Validate and publish")).to_have_count(0)
        expect(page.get_by_role("table", name=re.compile("computed live"))).to_contain_text(
            "workshops held"
        )
        axe("the draft practice for its author")
        practice = GoodPractice.objects.get()
        assert practice.status == "draft" and practice.author == anna

        context, page = _signed_in(browser, live_server, bernd)
        contexts.append(context)
        axe.page = page
        page.goto("/practices/")
        page.get_by_role("link", name="Open Innovation Challenge").click()
        axe("the draft practice for a second coordinator")
        page.get_by_role("button", name="Validate and publish").click()
        expect(
            page.get_by_text("The practice has been validated and is now public.")
        ).to_be_visible()
        axe("the validated practice")
        practice.refresh_from_db()
        assert practice.status == "validated" and practice.validated_by == bernd

        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        axe.page = page
        page.goto("/")
        page.get_by_role("navigation", name="Main navigation").get_by_role(
            "link", name="Good practices"
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Good practices")
        page.get_by_label(label("Search")).fill("innovation")
        page.get_by_role("button", name="Apply filter").click()
        results = page.locator("#practice-results")
        expect(results.get_by_role("link", name="Open Innovation Challenge")).to_be_visible()
        axe("the public library, searched")
        results.get_by_role("link", name="Open Innovation Challenge").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Open Innovation Challenge")
        expect(page.get_by_text("Lazio Innova")).to_be_visible()
        expect(page.get_by_role("link", name="Download as PDF (one page)")).to_have_attribute(
            "href", "/practices/open-innovation-challenge/practice.pdf"
        )
        axe("the public practice page")
    finally:
        for context in contexts:
            context.close()
    assert len(axe.scanned) == 8
    assert axe.problems == [], "\n".join(axe.problems)
