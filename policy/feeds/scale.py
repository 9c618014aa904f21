"""Scale rows of the partner feeds (``seed_scale``): 5 partner feeds × 200 upcoming events,
bulk-inserted as an import at the seeder's base date would have stored them (UIDs unique per
feed, SEQUENCE, a few tentative and cancelled events, some without an end). The feeds' calendar
addresses start with URL_MARK, so the flush deletes these feeds (and their events) only.

The events spread over the two years after the base date, like the scale workshops' calendar,
so some are still upcoming when the fixed base date lies months in the past. The feeds are
active (the start page and the workshop list show their events); their ``.example`` addresses
never resolve, so a periodic import records an error and keeps the events, as for any
unreachable partner.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from policy.models import PartnerEvent, PartnerFeed

URL_MARK = "https://scale-partner-"
FEEDS = 5
EVENTS = 200
SPAN_DAYS = 2 * 365

PARTNERS = [
    "Handwerkskammer",
    "IHK",
    "Wirtschaftsförderung",
    "Hochschule",
    "Technologiezentrum",
]
FORMATS = ["Digitaltag", "KI-Frühstück", "Unternehmerstammtisch", "Messe", "Webinar",
           "Sprechtag Förderung", "Praxisforum", "Azubi-Speed-Dating"]  # fmt: skip
PLACES = ["Hannover", "Kassel", "Göttingen", "Hildesheim", "Celle", "online"]


def flush_scale_feeds() -> None:
    """Delete the scale feeds; their events go with them (cascade)."""
    PartnerEvent.objects.filter(feed__url__startswith=URL_MARK).delete()
    PartnerFeed.objects.filter(url__startswith=URL_MARK).delete()


def _status(k: int) -> str:
    if k % 25 == 7:
        return PartnerEvent.Status.CANCELLED
    if k % 20 == 3:
        return PartnerEvent.Status.TENTATIVE
    return PartnerEvent.Status.CONFIRMED


def seed_scale_feeds(seeder, *, feeds: int = FEEDS, events: int = EVENTS) -> int:
    """Bulk-insert the scale feeds and their events; returns the number of rows written."""
    rng = random.Random(getattr(seeder, "rng", random).random())
    base = getattr(seeder, "base", None) or timezone.now().replace(microsecond=0)
    feed_rows = PartnerFeed.objects.bulk_create(
        [
            PartnerFeed(
                partner_name=f"Scale-Partner {n} ({PARTNERS[(n - 1) % len(PARTNERS)]})",
                partner_url=f"{URL_MARK}{n}.example/",
                url=f"{URL_MARK}{n}.example/feed.ics",
                active=True,
                last_import_at=base,
                last_success_at=base,
                last_error="",
                created_by=getattr(seeder, "coordinator", None),
            )
            for n in range(1, feeds + 1)
        ]
    )
    if feed_rows and feed_rows[0].pk is None:  # backends without RETURNING
        feed_rows = list(PartnerFeed.objects.filter(url__startswith=URL_MARK).order_by("pk"))
    rows = []
    for n, feed in enumerate(feed_rows, 1):
        for k in range(events):
            what = rng.choice(FORMATS)
            place = rng.choice(PLACES)
            starts_at = base + timedelta(
                days=1 + rng.randrange(SPAN_DAYS), hours=rng.choice([9, 10, 14, 18])
            )
            status = _status(k)
            rows.append(
                PartnerEvent(
                    feed_id=feed.pk,
                    uid=f"scale-{n}-{k + 1:04d}@scale-partner-{n}.example",
                    # A cancellation arrives as an update: a higher SEQUENCE.
                    sequence=rng.randint(1, 3)
                    if status == PartnerEvent.Status.CANCELLED
                    else rng.choice([0, 0, 0, 1]),
                    title=f"{what} {k + 1} bei Scale-Partner {n}",
                    description=f"{what} für kleine und mittlere Unternehmen in {place}.",
                    starts_at=starts_at,
                    # Some partners publish no end (the import keeps it empty).
                    ends_at=None if k % 10 == 9 else starts_at + timedelta(hours=rng.randint(1, 8)),
                    location=""
                    if place == "online"
                    else f"{place}, Tagungsraum {rng.randint(1, 9)}",
                    url=f"{URL_MARK}{n}.example/events/{k + 1}",
                    status=status,
                )
            )
    PartnerEvent.objects.bulk_create(rows, batch_size=500)
    return len(feed_rows) + len(rows)
