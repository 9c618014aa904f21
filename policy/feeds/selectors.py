"""Partner feeds and their upcoming events, each read in a fixed number of queries."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from policy.models import PartnerEvent, PartnerFeed
from regiolab import caching

# The partner events shown beside the workshop list and on the start page.
PARTNER_EVENTS = caching.declare(
    "partner_events", reads=[PartnerEvent, PartnerFeed], varies_by=["limit", "minute"]
)


def feed_list() -> QuerySet[PartnerFeed]:
    """All feeds with their number of upcoming events: one query."""
    from django.utils import timezone

    return PartnerFeed.objects.annotate(
        event_count=Count("events", filter=Q(events__starts_at__gte=timezone.now()))
    ).order_by("partner_name", "pk")


def upcoming_partner_events(*, now: datetime, until: datetime | None = None, limit=None):
    """Events of active feeds that have not ended, not cancelled, soonest first: one query."""
    events = (
        PartnerEvent.objects.filter(feed__active=True)
        .filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now))
        .exclude(status=PartnerEvent.Status.CANCELLED)
        .select_related("feed")
        .order_by("starts_at", "pk")
    )
    if until is not None:
        events = events.filter(starts_at__lt=until)
    return list(events[:limit] if limit else events)


def cached_upcoming_partner_events(*, now: datetime, limit: int) -> list[PartnerEvent]:
    minute = now.replace(second=0, microsecond=0)
    return PARTNER_EVENTS.get(
        lambda: upcoming_partner_events(now=minute, limit=limit), limit=limit, minute=minute
    )
