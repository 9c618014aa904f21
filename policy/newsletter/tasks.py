"""Sending a newsletter in batches through the outbox (queue ``mail``)."""

from celery import shared_task

from . import services


@shared_task(name="policy.send_newsletter_batch", ignore_result=True)
def send_newsletter_batch(newsletter_id: int) -> None:
    _queued, more = services.send_batch(newsletter_id=newsletter_id)
    if more:
        send_newsletter_batch.delay(newsletter_id)
