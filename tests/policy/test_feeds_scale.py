"""seed_scale's partner feeds: 5 feeds × 200 events bulk-inserted as an import stores them,
shown as partner events, unchanged when the same events are imported again, and flushed without
touching a real partner feed."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from policy.feeds import selectors, services
from policy.feeds.scale import URL_MARK, flush_scale_feeds, seed_scale_feeds
from policy.models import PartnerEvent, PartnerFeed
from policy.scale import flush_scale_policy

pytestmark = pytest.mark.django_db


class _Seeder:
    def __init__(self):
        self.rng = random.Random(7)
        self.base = timezone.now().replace(microsecond=0)


def _as_parsed(event: PartnerEvent) -> services.ParsedEvent:
    return services.ParsedEvent(
        uid=event.uid,
        sequence=event.sequence,
        title=event.title,
        description=event.description,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=event.location,
        url=event.url,
        status=event.status,
    )


def test_scale_feeds_are_bulk_written_shown_idempotent_and_flushed(
    django_assert_max_num_queries,
):
    real = PartnerFeed.objects.create(
        partner_name="Handwerkskammer", url="https://hwk.example/cal.ics"
    )
    PartnerEvent.objects.create(
        feed=real, uid="echt-1", title="Echter Termin", starts_at=timezone.now() + timedelta(1)
    )
    seeder = _Seeder()

    with django_assert_max_num_queries(4):
        written = seed_scale_feeds(seeder)

    assert written == 5 + 5 * 200
    feeds = PartnerFeed.objects.filter(url__startswith=URL_MARK)
    assert feeds.count() == 5
    assert all(f.partner_name.startswith("Scale-Partner ") and f.active for f in feeds)
    for feed in feeds:
        events = PartnerEvent.objects.filter(feed=feed)
        assert events.count() == 200
        assert events.values("uid").distinct().count() == 200
    scale_events = PartnerEvent.objects.filter(feed__url__startswith=URL_MARK)
    assert scale_events.filter(status=PartnerEvent.Status.CANCELLED).count() == 5 * 8
    assert not scale_events.filter(starts_at__lt=seeder.base).exists()
    span = scale_events.order_by("-starts_at").first().starts_at - seeder.base
    assert span > timedelta(days=180)  # spread over the months ahead

    # Shown like imported events (the start page's selector), cancelled ones left out.
    shown = selectors.upcoming_partner_events(now=timezone.now(), limit=50)
    assert len(shown) == 50
    assert any(e.feed.partner_name.startswith("Scale-Partner ") for e in shown)
    assert all(e.status != PartnerEvent.Status.CANCELLED for e in shown)
    listed = {f.partner_name: f.event_count for f in selectors.feed_list()}
    assert sum(n for name, n in listed.items() if name.startswith("Scale-Partner ")) == 1000

    # Importing a scale feed's own events again changes nothing (UID and SEQUENCE).
    feed = feeds.order_by("pk").first()
    before = list(
        PartnerEvent.objects.filter(feed=feed).order_by("uid").values_list("uid", "imported_at")
    )
    parsed = [_as_parsed(e) for e in PartnerEvent.objects.filter(feed=feed)]
    result = services.apply_events(feed_id=feed.pk, parsed=parsed, now=seeder.base)
    assert (result.created, result.updated, result.removed, result.unchanged) == (0, 0, 0, 200)
    after = list(
        PartnerEvent.objects.filter(feed=feed).order_by("uid").values_list("uid", "imported_at")
    )
    assert after == before

    flush_scale_feeds()
    assert list(PartnerFeed.objects.values_list("partner_name", flat=True)) == ["Handwerkskammer"]
    assert list(PartnerEvent.objects.values_list("uid", flat=True)) == ["echt-1"]


def test_policy_flush_removes_the_scale_feeds_too():
    seed_scale_feeds(_Seeder())
    real = PartnerFeed.objects.create(partner_name="IHK", url="https://ihk.example/cal.ics")

    flush_scale_policy()

    assert list(PartnerFeed.objects.all()) == [real]
    assert not PartnerEvent.objects.exists()
