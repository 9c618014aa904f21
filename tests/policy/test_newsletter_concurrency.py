"""Newsletter and feed writes under real concurrency (threads, each on its own PostgreSQL
connection): overlapping batches of one issue queue each subscriber's e-mail once; the same
address subscribed at once is one subscriber with one confirmation; overlapping imports of one
feed make each event once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from policy.feeds import services as feed_services
from policy.models import Newsletter, NewsletterDelivery, PartnerEvent, PartnerFeed, Subscriber
from policy.newsletter import services
from regiolab.mail.models import OutboundEmail
from tests.factories import WorkshopFactory
from tests.policy.feeds_support import feed_server, ics
from tests.workshops.test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_overlapping_batches_send_each_subscriber_one_email():
    for i in range(30):
        Subscriber.objects.create(email=f"leser{i}@example.org", confirmed_at=timezone.now())
    newsletter = Newsletter.objects.create(subject="Gleichzeitig", status="sending")
    newsletter.workshops.set([WorkshopFactory()])

    errors, _ = run_at_once([lambda: services.send_batch(newsletter_id=newsletter.pk, size=50)] * 6)

    assert not errors, errors
    sent = OutboundEmail.objects.filter(subject="Gleichzeitig")
    assert sent.count() == 30
    assert len(set(sent.values_list("to", flat=True))) == 30
    assert NewsletterDelivery.objects.filter(newsletter=newsletter).count() == 30
    newsletter.refresh_from_db()
    assert newsletter.status == "sent"


def test_same_address_subscribed_at_once_is_one_subscriber():
    errors, _ = run_at_once(
        [lambda: services.subscribe(email="Doppelt@example.org", language="de")] * 6
    )
    assert not errors, errors
    assert Subscriber.objects.filter(email="doppelt@example.org").count() == 1
    assert OutboundEmail.objects.filter(to="doppelt@example.org").count() == 1


def test_overlapping_imports_make_each_event_once(settings):
    settings.PARTNER_FEEDS_ALLOW_LOOPBACK = True
    start = timezone.now() + timedelta(days=3)
    with feed_server() as server:
        server.serve(
            "/c.ics",
            ics([{"uid": f"u{i}", "summary": f"E{i}", "start": start} for i in range(20)]),
        )
        feed = PartnerFeed.objects.create(partner_name="P", url=server.url("/c.ics"))
        errors, _ = run_at_once([lambda: feed_services.import_feed(feed_id=feed.pk)] * 5)
    assert not errors, errors
    assert PartnerEvent.objects.filter(feed=feed).count() == 20
