"""Celery tasks of the surveys' distribution; thin wrappers over services, safe to run twice
(sent_at / reminders_sent / invited_at, checked under row locks, decide)."""

from celery import shared_task

from . import services

__all__ = [
    "send_feedback_invitations_task",
    "send_pending_survey_invitations_task",
    "send_reminders_task",
    "send_survey_invitations",
]


@shared_task(name="surveys.send_survey_invitations", ignore_result=True)
def send_survey_invitations(survey_id: int) -> int:
    return services.send_pending_invitations(survey_id=survey_id)


@shared_task(name="surveys.send_pending_invitations", ignore_result=True)
def send_pending_survey_invitations_task() -> int:
    """Catch-up: invitations a lost task left, and those of surveys opened since."""
    return services.send_pending_invitations()


@shared_task(name="surveys.send_feedback_invitations", ignore_result=True)
def send_feedback_invitations_task() -> int:
    return services.start_due_feedback()


@shared_task(name="surveys.send_reminders", ignore_result=True)
def send_reminders_task() -> int:
    services.close_due_surveys()
    return services.send_reminders()
