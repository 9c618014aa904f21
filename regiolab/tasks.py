from celery import shared_task

from . import mail


@shared_task(ignore_result=True)
def deliver_new_emails() -> int:
    return mail.deliver_new()


@shared_task(ignore_result=True)
def deliver_pending_emails() -> int:
    return mail.deliver_pending()
