"""Task reminders 7 days and 1 day before the due date to those who have not submitted: each
exactly once (a TaskReminder row), never after the due date, never for a closed programme;
run daily by beat as "learning.send_task_reminders"."""

import email
from datetime import timedelta
from email import policy

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from learning.homework import services
from learning.models import LearningProgramme, TaskReminder
from regiolab.celery import app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(today, capture):
    with capture(execute=True):
        return services.send_task_reminders(today=today)


def parsed():
    return [
        email.message_from_bytes(m.message().as_bytes(), policy=policy.default) for m in mail.outbox
    ]


def sent_to():
    return sorted(m.to[0] for m in mail.outbox)


@pytest.fixture
def due(lp):
    """An organisation task due in ten days (after the programme's start)."""
    return timezone.localdate() + timedelta(days=10)


def test_seven_and_one_day_before_each_once_to_those_who_have_not_submitted(
    lp, due, django_capture_on_commit_callbacks
):
    task = services.create_task(
        cycle=lp.cycles[0], created_by=None, title="Bedarf erheben", due_date=due
    )
    colleague = UserFactory(email="kollegin@alpha.example")
    lp.organisations[0].people.create(email=colleague.email, user=colleague)
    # Beta has submitted; Alpha only has a draft: its two people are reminded.
    services.save_submission(
        task=task, organisation=lp.organisations[1], user=lp.users[1], text="x", submit=True
    )
    services.save_submission(
        task=task, organisation=lp.organisations[0], user=lp.users[0], text="y", submit=False
    )
    alpha = sorted([lp.users[0].email, colleague.email])

    assert run(due - timedelta(days=8), django_capture_on_commit_callbacks) == 0
    assert run(due - timedelta(days=7), django_capture_on_commit_callbacks) == 2
    assert sent_to() == alpha
    message = parsed()[0]
    assert message["Subject"].strip() == (
        f"Erinnerung: „Bedarf erheben“ ist am {due:%d.%m.%Y} fällig"
    )
    text = message.get_body(("plain",)).get_content()
    assert "Ihre Antwort liegt uns noch nicht vor" in text
    assert f"/learning/{lp.programme.slug}/cycles/1/tasks/{task.pk}/" in text
    # Beat runs again the same day and the days after: nothing more until the day before.
    for days in (7, 6, 3, 2):
        assert run(due - timedelta(days=days), django_capture_on_commit_callbacks) == 0
    assert run(due - timedelta(days=1), django_capture_on_commit_callbacks) == 2
    assert run(due - timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert run(due, django_capture_on_commit_callbacks) == 0
    # Never after the due date.
    assert run(due + timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 4
    assert sorted(TaskReminder.objects.values_list("email", "kind")) == [
        (alpha[0], "1d"), (alpha[0], "7d"), (alpha[1], "1d"), (alpha[1], "7d"),
    ]  # fmt: skip


def test_a_missed_day_is_caught_up_within_its_window(lp, due, django_capture_on_commit_callbacks):
    services.create_task(cycle=lp.cycles[0], created_by=None, title="T", due_date=due)
    # Beat did not run 7 days before: the first reminder goes 5 days before, once.
    assert run(due - timedelta(days=5), django_capture_on_commit_callbacks) == 2
    assert run(due - timedelta(days=4), django_capture_on_commit_callbacks) == 0
    # Beat missed the day before as well: the due day still brings the last reminder.
    assert run(due, django_capture_on_commit_callbacks) == 2
    assert set(TaskReminder.objects.values_list("kind", flat=True)) == {"7d", "1d"}


def test_a_person_task_reminds_each_person_who_has_not_submitted(
    lp, due, django_capture_on_commit_callbacks
):
    task = services.create_task(
        cycle=lp.cycles[0], created_by=None, title="Selbst", due_date=due, assignee="person"
    )
    colleague = UserFactory(email="kollege@alpha.example")
    lp.organisations[0].people.create(email=colleague.email, user=colleague)
    services.save_submission(
        task=task, organisation=lp.organisations[0], user=lp.users[0], text="ich", submit=True
    )
    run(due - timedelta(days=1), django_capture_on_commit_callbacks)
    assert sent_to() == sorted([colleague.email, lp.users[1].email])


def test_no_reminder_for_a_closed_programme(lp, due, django_capture_on_commit_callbacks):
    services.create_task(cycle=lp.cycles[0], created_by=None, title="T", due_date=due)
    LearningProgramme.objects.filter(pk=lp.programme.pk).update(status="closed")
    assert run(due - timedelta(days=7), django_capture_on_commit_callbacks) == 0
    assert run(due - timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert not mail.outbox and not TaskReminder.objects.exists()


def test_the_reminders_run_daily_under_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["send-task-reminders"]
    assert entry["task"] == "learning.send_task_reminders"
    assert entry["schedule"].hour == {7}  # crontab: once a day
    assert settings.CELERY_TASK_ROUTES["learning.send_task_reminders"] == {"queue": "mail"}
    app.loader.import_default_modules()
    assert "learning.send_task_reminders" in app.tasks


def test_the_celery_task_sends_them(lp, django_capture_on_commit_callbacks):
    from learning.homework.tasks import send_task_reminders_task

    services.create_task(
        cycle=lp.cycles[0], created_by=None, title="T",
        due_date=timezone.localdate() + timedelta(days=1),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert send_task_reminders_task.delay().get() == 2
    assert len(mail.outbox) == 2
