"""The newsletter and partner events in the browser, axe run on every page visited: a visitor
sees a partner event on the start page and below the workshop list, subscribes, confirms by the
e-mailed link (parsed as a mail program does) and unsubscribes with the link of a sent issue."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from policy.models import Newsletter, PartnerEvent, PartnerFeed, Subscriber
from policy.newsletter import services
from tests.e2e.test_learning_flow import Axe
from tests.factories import WorkshopFactory
from tests.journeys.support import link_in, mails_to

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="en-GB"),
]


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(15_000)


def test_visitor_sees_partner_events_subscribes_confirms_and_unsubscribes(page, live_url):
    workshop = WorkshopFactory(title="Robotics for SMEs", title_en="Robotics for SMEs")
    feed = PartnerFeed.objects.create(
        partner_name="Chamber of Crafts",
        partner_url="https://hwk.example",
        url="https://hwk.example/c.ics",
    )
    PartnerEvent.objects.create(
        feed=feed, uid="p1", title="Digital day at the chamber",
        starts_at=timezone.now() + timedelta(days=5), url="https://hwk.example/digital",
    )  # fmt: skip
    axe = Axe(page)

    page.goto(live_url + "/")
    events = page.get_by_role("region", name="Partner events")
    expect(events.get_by_role("link", name="Digital day at the chamber")).to_have_attribute(
        "href", "https://hwk.example/digital"
    )
    expect(events.get_by_role("link", name="Chamber of Crafts")).to_be_visible()
    expect(events).to_contain_text("Partner event")
    axe("the start page with a partner event")

    page.goto(live_url + "/workshops/")
    section = page.get_by_role("region", name="Events of our partners")
    expect(section).to_contain_text("Digital day at the chamber")
    axe("the workshop list with partner events")

    page.goto(live_url + "/newsletter/subscribe/")
    axe("the subscription form")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator(".form-errors").first).to_be_visible()  # nothing filled in
    axe("the subscription form with errors")
    assert not Subscriber.objects.exists()
    page.get_by_label(re.compile(r"^E-?mail address", re.I)).fill("reader@example.org")
    page.get_by_label(re.compile(r"I would like to receive")).check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Please confirm your subscription")
    axe("the page after subscribing")

    [confirmation] = mails_to(mail.outbox, "reader@example.org")
    page.goto(link_in(confirmation, r"/newsletter/confirm/"))
    axe("the confirmation page")
    page.get_by_role("button", name="Yes, subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subscription confirmed")
    assert Subscriber.objects.get().active

    newsletter = Newsletter.objects.create(subject="regioLab in May", intro="Dear readers,")
    newsletter.workshops.set([workshop])
    services.start_sending(newsletter_id=newsletter.pk)
    [issue] = [
        m for m in mails_to(mail.outbox, "reader@example.org") if m["Subject"] == "regioLab in May"
    ]
    assert issue["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"
    page.goto(link_in(issue, r"/newsletter/unsubscribe/"))
    axe("the unsubscribe page")
    page.get_by_role("button", name="Yes, unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribed")
    axe("the page after unsubscribing")
    assert not Subscriber.objects.get().active
    assert axe.problems == []


def test_coordinator_registers_a_feed_composes_previews_and_sends(
    browser, live_url, live_server, coordinator
):
    from django.conf import settings as django_settings
    from django.test import Client

    WorkshopFactory(title="Robotics for SMEs", title_en="Robotics for SMEs")
    for i in range(2):
        Subscriber.objects.create(email=f"r{i}@example.org", confirmed_at=timezone.now())
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    client = Client()
    client.force_login(coordinator)
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
    axe = Axe(page)
    try:
        page.goto("/policy/feeds/")
        axe("the partner feeds (empty)")
        page.get_by_role("link", name="Add a partner feed").click()
        axe("the feed form")
        page.get_by_label(re.compile(r"^Partner:?$", re.I)).fill("Chamber")
        page.get_by_label(re.compile(r"^Calendar address", re.I)).fill("http://192.168.1.5/c.ics")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("local or private network")).to_be_visible()
        axe("the feed form refusing a private address")
        assert not PartnerFeed.objects.exists()
        PartnerFeed.objects.create(
            partner_name="Chamber", url="http://127.0.0.1:9/c.ics", last_error="Timed out."
        )
        page.goto("/policy/feeds/")
        expect(page.get_by_text("Timed out.")).to_be_visible()
        axe("the partner feeds with an error")

        page.goto("/newsletter/")
        axe("the newsletters (empty)")
        page.get_by_role("link", name="Compose a newsletter").click()
        expect(page.get_by_label(re.compile("Robotics for SMEs"))).to_be_checked()
        axe("the compose form")
        page.get_by_label(re.compile(r"^Subject", re.I)).fill("regioLab in May")
        page.get_by_role("button", name="Save and preview").click()
        expect(page.get_by_text("It will be sent to 2 confirmed subscribers.")).to_be_visible()
        axe("the preview")
        page.get_by_role("button", name="Send now").click()
        expect(page.get_by_text("The newsletter is being sent to 2 subscribers.")).to_be_visible()
        axe("the newsletter after sending")
    finally:
        context.close()
    assert Newsletter.objects.get().status == "sent"
    assert sorted(m.to[0] for m in mail.outbox) == ["r0@example.org", "r1@example.org"]
    assert axe.problems == [], "\n".join(axe.problems)
