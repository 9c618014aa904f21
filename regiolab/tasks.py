from celery import shared_task

from . import mail


@shared_task(ignore_result=True)
def deliver_email(email_id: int) -> None:
    mail.deliver(email_id)


@shared_task(ignore_result=True)
def deliver_pending_emails() -> int:
    return mail.deliver_pending()
