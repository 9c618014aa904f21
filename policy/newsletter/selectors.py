"""Newsletters and what they can list, each read in a fixed number of queries."""

from django.db.models import Count, Q, QuerySet

from policy.models import Newsletter, Subscriber
from workshops.selectors import published_upcoming_workshops


def newsletter_list() -> QuerySet[Newsletter]:
    """Every issue with its number of deliveries: one query."""
    return Newsletter.objects.annotate(delivery_count=Count("deliveries")).order_by(
        "-created_at", "-pk"
    )


def subscriber_counts() -> dict:
    """Confirmed (active), waiting for confirmation, unsubscribed: one query."""
    return Subscriber.objects.aggregate(
        active=Count("pk", filter=Q(confirmed_at__isnull=False, unsubscribed_at__isnull=True)),
        waiting=Count("pk", filter=Q(confirmed_at__isnull=True, unsubscribed_at__isnull=True)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
    )


def upcoming_workshops(*, now, until=None):
    workshops = published_upcoming_workshops().filter(starts_at__gt=now)
    if until is not None:
        workshops = workshops.filter(starts_at__lt=until)
    return list(workshops)
