from celery import shared_task

from . import services

# The names are those the tasks had as regiolab.tasks: queued tasks, the routes and the beat
# schedule in settings.py use them.


@shared_task(name="regiolab.tasks.deliver_new_emails", ignore_result=True)
def deliver_new_emails() -> int:
    return services.deliver_new()


@shared_task(name="regiolab.tasks.deliver_pending_emails", ignore_result=True)
def deliver_pending_emails() -> int:
    return services.deliver_pending()
