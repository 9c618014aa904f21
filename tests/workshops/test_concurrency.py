"""Seats under real concurrency: 50 threads, each on its own PostgreSQL connection."""

import re
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from regiolab.mail.models import OutboundEmail
from tests.factories import WorkshopFactory
from workshops.models import Registration, Workshop
from workshops.registration import services

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50
CAPACITY = 10


def run_at_once(jobs):
    """Start every job on its own thread and connection at the same moment; collect errors."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job):
        try:
            barrier.wait(timeout=30)
            job()
        except Exception as exc:  # noqa: BLE001 — reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors, time.monotonic() - started


def register_job(workshop, n, prefix="person", **optional):
    def job():
        services.register_participant(
            workshop=workshop,
            first_name="Person",
            last_name=str(n),
            email=f"{prefix}{n}@example.org",
            **optional,
        )

    return job


def counts(workshop):
    rows = Registration.objects.filter(workshop=workshop)
    return {
        status: rows.filter(status=status).count()
        for status in ("confirmed", "waitlisted", "cancelled")
    }


def test_fifty_threads_never_overbook_and_promote_first_come_first_served():
    workshop = WorkshopFactory(capacity=CAPACITY)

    errors, duration = run_at_once([register_job(workshop, n) for n in range(THREADS)])
    assert errors == []
    figures = counts(workshop)
    print(
        f"\nregister: threads={THREADS} confirmed={figures['confirmed']} "
        f"waitlisted={figures['waitlisted']} duration={duration:.2f}s"
    )
    assert figures["confirmed"] == CAPACITY
    assert figures["waitlisted"] == THREADS - CAPACITY
    workshop.refresh_from_db()
    assert workshop.seats_taken == CAPACITY
    # Seats went to whoever got the lock first: every confirmed pk is below every waitlisted pk.
    confirmed = list(
        Registration.objects.filter(workshop=workshop, status="confirmed").values_list(
            "pk", flat=True
        )
    )
    waitlisted = list(
        Registration.objects.filter(workshop=workshop, status="waitlisted")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert max(confirmed) < min(waitlisted)
    positions = [
        services.waitlist_position(r)
        for r in Registration.objects.filter(pk__in=waitlisted).order_by("pk")
    ]
    assert positions == list(range(1, len(waitlisted) + 1))

    # Five cancel while ten more register at the same moment.
    to_cancel = list(Registration.objects.filter(pk__in=confirmed[:5]))
    promoted = []

    def cancel_job(registration):
        def job():
            result = services.cancel_registration(registration=registration)
            if result is not None:
                promoted.append(result.pk)

        return job

    jobs = [cancel_job(r) for r in to_cancel] + [
        register_job(workshop, n) for n in range(THREADS, THREADS + 10)
    ]
    errors, duration = run_at_once(jobs)
    assert errors == []
    figures = counts(workshop)
    print(
        f"cancel+register: threads={len(jobs)} confirmed={figures['confirmed']} "
        f"waitlisted={figures['waitlisted']} cancelled={figures['cancelled']} "
        f"promoted={len(promoted)} duration={duration:.2f}s"
    )
    assert sorted(promoted) == waitlisted[:5]
    assert figures == {"confirmed": CAPACITY, "waitlisted": 35 + 10, "cancelled": 5}
    workshop.refresh_from_db()
    assert workshop.seats_taken == CAPACITY
    # Newcomers queue behind the people who waited longer.
    remaining = list(
        Registration.objects.filter(workshop=workshop, status="waitlisted")
        .order_by("pk")
        .values_list("last_name", flat=True)
    )
    assert all(int(name) >= THREADS for name in remaining[-10:])


def test_waitlist_places_in_the_emails_are_counted_after_the_lock():
    """Each waitlisted person's e-mail names their own place, also when their request waited for
    the lock: a count read in the statement that waited would miss the one committed before."""
    workshop = WorkshopFactory(capacity=1)
    services.register_participant(
        workshop=workshop, first_name="Erste", last_name="Person", email="first@example.org"
    )

    jobs = [register_job(workshop, n, prefix="waiting", language="en") for n in range(20)]
    errors, _ = run_at_once(jobs)
    assert errors == []
    places = sorted(
        int(re.search(r"You are number (\d+) on the waitlist", email.body_text).group(1))
        for email in OutboundEmail.objects.filter(to__startswith="waiting")
    )
    assert places == list(range(1, 21))


def test_same_email_at_once_gives_one_registration():
    workshop = WorkshopFactory(capacity=CAPACITY)
    outcomes = []

    def job():
        try:
            services.register_participant(
                workshop=workshop, first_name="Eva", last_name="Doppelt", email="EVA@example.org"
            )
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("duplicate")

    errors, _ = run_at_once([job] * 20)
    assert errors == []
    assert outcomes.count("ok") == 1 and outcomes.count("duplicate") == 19
    assert Registration.objects.filter(workshop=workshop).count() == 1


def test_control_unlocked_check_then_write_oversells():
    """Proves the race is real: the same load without the lock sells more than the capacity."""
    workshop = WorkshopFactory(capacity=CAPACITY)

    def unlocked_job(n):
        def job():
            with transaction.atomic():
                taken = Registration.objects.filter(workshop=workshop, status="confirmed").count()
                time.sleep(0.05)  # the window a busy server leaves open
                status = "confirmed" if taken < CAPACITY else "waitlisted"
                Registration.objects.create(
                    workshop=workshop,
                    first_name="Person",
                    last_name=str(n),
                    email=f"race{n}@example.org",
                    status=status,
                )

        return job

    errors, duration = run_at_once([unlocked_job(n) for n in range(THREADS)])
    assert errors == []
    figures = counts(workshop)
    print(
        f"\nunlocked control: threads={THREADS} confirmed={figures['confirmed']} "
        f"waitlisted={figures['waitlisted']} duration={duration:.2f}s"
    )
    assert figures["confirmed"] > CAPACITY
    assert Workshop.objects.get(pk=workshop.pk).seats_taken == 0
