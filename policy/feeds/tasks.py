"""Importing partner feeds: periodically every active feed, each in a task of its own."""

from celery import shared_task

from . import services


@shared_task(name="policy.import_partner_feed", ignore_result=True)
def import_partner_feed(feed_id: int) -> None:
    from policy.models import PartnerFeed

    if PartnerFeed.objects.filter(pk=feed_id, active=True).exists():
        services.import_feed(feed_id=feed_id)


@shared_task(name="policy.import_partner_feeds", ignore_result=True)
def import_partner_feeds() -> None:
    for feed_id in services.import_active_feeds():
        import_partner_feed.delay(feed_id)
