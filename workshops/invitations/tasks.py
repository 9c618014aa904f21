"""Celery tasks for workshop invitations; thin wrappers over workshops.invitations.services.

Both are safe to run twice and side by side: the outbox's delivery engine claims each batch of
rows (under a row lock) and sends a row only while it is still pending.
"""

import logging

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError

from . import services

__all__ = ["send_invitations", "send_pending_invitations"]

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="workshops.send_invitations",
    ignore_result=True,
    max_retries=services.TASK_RETRIES,
)
def send_invitations(self, workshop_id: int) -> int:
    result = services.send_workshop_invitations(workshop_id=workshop_id)
    # Eagerly (no broker) a retry would run at once; the periodic task catches up instead.
    if result.retry_later and not self.request.is_eager:
        try:
            raise self.retry(countdown=services.retry_countdown(self.request.retries))
        except MaxRetriesExceededError:
            logger.warning(
                "Invitations of workshop %s still deferred; the periodic task retries them",
                workshop_id,
            )
    return result.sent


@shared_task(name="workshops.send_pending_invitations", ignore_result=True)
def send_pending_invitations() -> int:
    return services.send_pending_invitations()
