"""Reminders 24 hours ahead: once per confirmed registration, never for the wrong people."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from regiolab.celery import app as celery_app
from tests.factories import RegistrationFactory, WorkshopFactory
from workshops.lifecycle import services as lifecycle
from workshops.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def workshop_starting(at, **kwargs):
    return WorkshopFactory(starts_at=at, ends_at=at + timedelta(hours=3), **kwargs)


def run(now, capture):
    with capture(execute=True):
        return lifecycle.send_due_reminders(now=now)


def test_reminder_goes_out_once_when_the_workshop_comes_within_24_hours(
    now, django_capture_on_commit_callbacks
):
    workshop = workshop_starting(now + timedelta(hours=25), title="Cobots kompakt")
    confirmed = RegistrationFactory.create_batch(3, workshop=workshop, language="en")
    RegistrationFactory(workshop=workshop, status="waitlisted")
    RegistrationFactory(workshop=workshop, status="cancelled")

    assert run(now, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []

    later = now + timedelta(hours=2)
    assert run(later, django_capture_on_commit_callbacks) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in confirmed)
    message = mail.outbox[0]
    assert "Reminder: Cobots kompakt" in message.subject
    person = next(r for r in confirmed if r.email == message.to[0])
    assert person.cancel_token in message.body
    assert set(
        Registration.objects.filter(pk__in=[r.pk for r in confirmed]).values_list(
            "reminder_sent_at", flat=True
        )
    ) == {later}

    assert run(later, django_capture_on_commit_callbacks) == 0
    assert run(later + timedelta(hours=1), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 3


def test_late_confirmation_gets_its_reminder_on_the_next_run(
    now, django_capture_on_commit_callbacks
):
    workshop = workshop_starting(now + timedelta(hours=10))
    RegistrationFactory(workshop=workshop)
    assert run(now, django_capture_on_commit_callbacks) == 1
    late = RegistrationFactory(workshop=workshop)
    assert run(now + timedelta(minutes=5), django_capture_on_commit_callbacks) == 1
    assert mail.outbox[-1].to == [late.email]


def test_no_reminders_for_cancelled_waitlisted_past_or_cancelled_workshops(
    now, django_capture_on_commit_callbacks
):
    soon = now + timedelta(hours=5)
    open_workshop = workshop_starting(soon)
    RegistrationFactory(workshop=open_workshop, status="cancelled")
    RegistrationFactory(workshop=open_workshop, status="waitlisted")
    cancelled_workshop = workshop_starting(soon, status="cancelled")
    RegistrationFactory(workshop=cancelled_workshop)
    draft = workshop_starting(soon, status="draft")
    RegistrationFactory(workshop=draft)
    past = workshop_starting(now - timedelta(hours=2))
    RegistrationFactory(workshop=past)
    far = workshop_starting(now + timedelta(days=3))
    RegistrationFactory(workshop=far)

    assert run(now, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert not Registration.objects.filter(reminder_sent_at__isnull=False).exists()


def test_already_reminded_registration_is_skipped(now, django_capture_on_commit_callbacks):
    workshop = workshop_starting(now + timedelta(hours=20))
    kept = RegistrationFactory(workshop=workshop)
    RegistrationFactory(workshop=workshop, reminder_sent_at=now - timedelta(hours=1))
    assert run(now, django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [[kept.email]]


def test_batches_cover_many_registrations(now, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(lifecycle, "REMINDER_BATCH", 4)
    workshop = workshop_starting(now + timedelta(hours=3), capacity=20)
    RegistrationFactory.create_batch(10, workshop=workshop)
    assert run(now, django_capture_on_commit_callbacks) == 10
    assert len({m.to[0] for m in mail.outbox}) == 10


def test_beat_task_is_registered_by_name_and_runs(now, django_capture_on_commit_callbacks):
    workshop = workshop_starting(timezone.now() + timedelta(hours=2))
    RegistrationFactory(workshop=workshop)
    task = celery_app.tasks["workshops.send_due_reminders"]
    with django_capture_on_commit_callbacks(execute=True):
        task.delay()
    assert len(mail.outbox) == 1
    assert "workshops.send_certificates" in celery_app.tasks


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_never_send_twice():
    from regiolab.mail.models import OutboundEmail
    from tests.workshops.test_concurrency import run_at_once

    workshop = workshop_starting(timezone.now() + timedelta(hours=6), capacity=40)
    RegistrationFactory.create_batch(30, workshop=workshop)
    results = []
    errors, _seconds = run_at_once([lambda: results.append(lifecycle.send_due_reminders())] * 6)
    assert errors == []
    assert sum(results) == 30
    recipients = list(OutboundEmail.objects.values_list("to", flat=True))
    assert len(recipients) == len(set(recipients)) == 30
