"""Celery tasks of the homework; thin wrappers over learning.homework.services.

Safe to run twice: the reminders' unique rows, written under the task's row lock, decide."""

from celery import shared_task

from . import services

__all__ = ["send_task_reminders_task"]


@shared_task(name="learning.send_task_reminders", ignore_result=True)
def send_task_reminders_task() -> int:
    return services.send_task_reminders()
