"""Homework writes under real concurrency (threads, each on its own PostgreSQL connection):
reminders go out once however many beat runs overlap, and an organisation's people saving
at once end with one answer and one report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learning.homework import services
from learning.models import CycleReport, TaskReminder, TaskSubmission
from regiolab.mail.models import OutboundEmail
from tests.factories import UserFactory
from tests.learning.support import build_programme
from tests.workshops.test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_overlapping_reminder_runs_send_each_reminder_once(coordinator):
    world = build_programme(coordinator, organisations=4)
    due = timezone.localdate() + timedelta(days=7)
    for n in range(5):
        services.create_task(cycle=world.cycles[0], created_by=None, title=f"T{n}", due_date=due)
    errors, _ = run_at_once(
        [lambda: services.send_task_reminders(today=due - timedelta(days=7))] * 8
    )
    assert not errors, errors
    # 5 tasks × 4 organisations' people, each once.
    assert TaskReminder.objects.count() == 20
    reminders = OutboundEmail.objects.filter(subject__contains="fällig")
    assert reminders.count() == 20
    assert len(set(reminders.values_list("to", "subject"))) == 20


def test_colleagues_saving_at_once_make_one_answer_and_one_report(coordinator):
    world = build_programme(coordinator, organisations=1)
    organisation = world.organisations[0]
    colleagues = [world.users[0]]
    for n in range(5):
        user = UserFactory(email=f"kollege{n}@alpha.example")
        organisation.people.create(email=user.email, user=user)
        colleagues.append(user)
    task = services.create_task(cycle=world.cycles[0], created_by=None, title="Bedarf")

    def answer(user):
        return lambda: services.save_submission(
            task=task, organisation=organisation, user=user, text=user.email, submit=True
        )

    def report(user):
        return lambda: services.save_report(
            cycle=world.cycles[0], organisation=organisation, user=user,
            items=[services.ItemInput(section="activity", text=user.email)],
        )  # fmt: skip

    errors, _ = run_at_once([answer(u) for u in colleagues] + [report(u) for u in colleagues])
    assert not errors, errors
    assert TaskSubmission.objects.count() == 1
    assert TaskSubmission.objects.get().text in {u.email for u in colleagues}
    assert CycleReport.objects.count() == 1
    assert CycleReport.objects.get().items.count() == 1
