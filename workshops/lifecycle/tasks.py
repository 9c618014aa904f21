"""Celery tasks of a workshop's life; thin wrappers over workshops.lifecycle.services.

Both are safe to run twice: the sent-at columns, checked under row locks, decide.
"""

from celery import shared_task

from . import services

__all__ = ["send_certificates_task", "send_due_reminders_task"]


@shared_task(name="workshops.send_due_reminders", ignore_result=True)
def send_due_reminders_task() -> int:
    return services.send_due_reminders()


@shared_task(name="workshops.send_certificates", ignore_result=True)
def send_certificates_task(workshop_id: int) -> int:
    return services.send_certificates(workshop_id=workshop_id)


@shared_task(name="workshops.mark_finished_workshops", ignore_result=True)
def mark_finished_workshops_task() -> int:
    return services.mark_finished_workshops()
