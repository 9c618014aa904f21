"""Exactly once under real concurrency: overlapping beat runs (threads, each on its own
PostgreSQL connection) start one feedback round and queue one invitation and one reminder per
address."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from regiolab.mail.models import OutboundEmail
from surveys.distribution import services
from surveys.models import Survey, WorkshopFeedback

from .support_s3 import done_workshop, feedback_template

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def run_at_once(job) -> list[Exception]:
    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []

    def worker():
        try:
            barrier.wait(timeout=30)
            job()
        except Exception as exc:  # noqa: BLE001 — reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_overlapping_runs_send_each_email_once():
    feedback_template()
    workshop, attendees = done_workshop(attendees=10)

    def beat():
        services.start_due_feedback()
        services.send_pending_invitations()

    assert run_at_once(beat) == []
    assert WorkshopFeedback.objects.filter(workshop=workshop).count() == 1
    assert Survey.objects.filter(is_template=False).count() == 1
    per_address = Counter(OutboundEmail.objects.values_list("to", flat=True))
    assert per_address == Counter({a.email: 1 for a in attendees})

    later = timezone.now() + timedelta(days=6)
    assert run_at_once(lambda: services.send_reminders(now=later)) == []
    per_address = Counter(OutboundEmail.objects.values_list("to", flat=True))
    assert per_address == Counter({a.email: 2 for a in attendees})
