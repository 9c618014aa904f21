"""change_capacity, walk-ins and moves under real concurrency: threads on their own PostgreSQL
connections, started together (the pattern of test_concurrency.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.factories import UserFactory, WorkshopFactory
from tests.workshops.test_concurrency import register_job, run_at_once
from workshops.models import Registration
from workshops.registration import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under concurrency are PostgreSQL's (SQLite serialises writes)")


def seat_holders(workshop):
    return Registration.objects.filter(
        workshop=workshop, status__in=Registration.SEAT_HOLDING
    ).order_by("pk")


def test_a_capacity_raise_during_a_rush_promotes_the_waitlist_first_and_never_overbooks():
    workshop = WorkshopFactory(capacity=5)
    for n in range(15):
        register_job(workshop, n)()
    earlier_waitlist = list(
        Registration.objects.filter(workshop=workshop, status="waitlisted")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(earlier_waitlist) == 10
    coordinator = UserFactory()
    promoted = []

    def raise_capacity():
        promoted.extend(
            services.change_capacity(workshop=workshop, capacity=12, changed_by=coordinator)
        )

    def walk_in(n):
        def job():
            services.add_walk_in(
                workshop=workshop,
                first_name="Walk",
                last_name=str(n),
                email=f"walk{n}@example.org",
                by=coordinator,
                over_capacity=True,
            )

        return job

    to_cancel = list(seat_holders(workshop)[:3])
    jobs = [raise_capacity]
    jobs += [register_job(workshop, n, prefix="rush") for n in range(20)]
    jobs += [lambda r=r: services.cancel_registration(registration=r) for r in to_cancel]
    jobs += [walk_in(n) for n in range(3)]
    errors, _ = run_at_once(jobs)

    assert errors == []
    workshop.refresh_from_db()
    holders = list(seat_holders(workshop))
    over = [r for r in holders if r.over_capacity_at]
    assert workshop.seats_taken == len(holders)
    assert workshop.seats_taken <= workshop.capacity + workshop.over_capacity_seats
    assert workshop.capacity == 12
    # Seats beyond the capacity only through the walk-ins' explicit choice, counted exactly.
    assert len(over) <= 3
    assert workshop.seats_taken - len(over) <= workshop.capacity
    # People who waited got their seats before anybody of the rush: every earlier waitlisted
    # person holds a seat before a newcomer does.
    seated_newcomers = [r for r in holders if r.email.startswith("rush")]
    still_waiting_earlier = Registration.objects.filter(
        pk__in=earlier_waitlist, status="waitlisted"
    ).count()
    assert not (seated_newcomers and still_waiting_earlier)
    assert all(r.pk in earlier_waitlist for r in promoted)


def test_a_cut_racing_with_cancellations_is_decided_under_the_lock():
    """A cut to 7 while 3 of 10 confirmed cancel: refused or accepted by what the lock saw,
    never leaving more seats taken than places."""
    for _ in range(3):
        workshop = WorkshopFactory(capacity=10)
        for n in range(10):
            register_job(workshop, n)()
        outcome = []

        def cut(workshop=workshop, outcome=outcome):
            try:
                services.change_capacity(workshop=workshop, capacity=7)
                outcome.append("cut")
            except ValidationError:
                outcome.append("refused")

        cancels = [
            lambda r=r: services.cancel_registration(registration=r)
            for r in list(seat_holders(workshop)[:3])
        ]
        errors, _ = run_at_once([cut, *cancels])

        assert errors == []
        workshop.refresh_from_db()
        assert workshop.seats_taken == 7
        assert workshop.seats_taken == seat_holders(workshop).count()
        assert workshop.capacity == (7 if outcome == ["cut"] else 10)


def test_two_moves_in_opposite_directions_do_not_deadlock():
    first, second = WorkshopFactory(capacity=3), WorkshopFactory(capacity=3)
    a = services.register_participant(
        workshop=first, first_name="A", last_name="A", email="a@example.org"
    )
    b = services.register_participant(
        workshop=second, first_name="B", last_name="B", email="b@example.org"
    )
    coordinator = UserFactory()
    moved = []

    errors, duration = run_at_once(
        [
            lambda: moved.append(
                services.move_registration(registration=a, to_workshop=second, by=coordinator)
            ),
            lambda: moved.append(
                services.move_registration(registration=b, to_workshop=first, by=coordinator)
            ),
        ]
    )

    assert errors == []
    assert sorted((r.workshop_id, r.email) for r in moved) == sorted(
        [(second.pk, "a@example.org"), (first.pk, "b@example.org")]
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.seats_taken, second.seats_taken) == (1, 1)
