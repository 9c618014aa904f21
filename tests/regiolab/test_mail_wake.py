"""One wake-up of the mail worker per burst of e-mails, and every e-mail still sent exactly once.

The broker tests publish to the real Redis and read the mail queue's length there; the end-to-end
test runs a real Celery worker that sends to an aiosmtpd sink.
"""

import pytest
from django.core import mail
from django.core.cache import cache

from regiolab.celery import app as celery_app
from regiolab.mail import DELIVERY_WAKE_KEY, deliver_new
from regiolab.mail.models import OutboundEmail
from tests.factories import WorkshopFactory
from tests.support.celery_worker import (
    celery_worker,
    default_redis_url,
    purge_queue,
    real_broker,
    switch_broker,
)
from tests.support.smtp_sink import SmtpSink
from workshops.registration import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

DEAD_BROKER = "redis://127.0.0.1:1/0"


def waiting_in_mail_queue() -> int:
    with celery_app.connection_for_write(default_redis_url()) as conn:
        return conn.default_channel.client.llen("mail")


def register(workshop, n):
    # Each call is its own committed transaction, as each request is.
    return services.register_participant(
        workshop=workshop, first_name="Person", last_name=str(n), email=f"p{n:03}@example.org"
    )


@pytest.fixture
def broker():
    purge_queue(default_redis_url())
    with real_broker():
        yield
    purge_queue(default_redis_url())


def test_a_burst_of_registrations_wakes_the_mail_worker_once(broker):
    workshop = WorkshopFactory(capacity=3)
    for n in range(8):
        register(workshop, n)

    assert OutboundEmail.objects.filter(status="pending").count() == 8
    assert waiting_in_mail_queue() == 1

    # The run (in process here) sends all eight and clears the flag ...
    assert deliver_new() == 8
    assert cache.get(DELIVERY_WAKE_KEY) is None
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n:03}@example.org" for n in range(8)]
    # ... so the next e-mail wakes the worker again.
    register(workshop, 8)
    assert waiting_in_mail_queue() == 2
    assert deliver_new() == 1
    assert deliver_new() == 0  # nothing twice


def test_deliver_new_leaves_retries_to_the_periodic_task(broker):
    workshop = WorkshopFactory()
    first, second = register(workshop, 1), register(workshop, 2)
    # A failed attempt: the periodic task retries it after its grace period, not this run.
    OutboundEmail.objects.filter(to=first.email).update(attempts=1, last_error="timeout")

    assert deliver_new() == 1
    assert [m.to for m in mail.outbox] == [[second.email]]
    assert OutboundEmail.objects.get(to=first.email).status == "pending"


def test_a_dead_broker_clears_the_flag_so_the_next_email_tries_again(broker):
    workshop = WorkshopFactory()
    with switch_broker(DEAD_BROKER):
        register(workshop, 1)
        assert cache.get(DELIVERY_WAKE_KEY) is None
    register(workshop, 2)
    assert waiting_in_mail_queue() == 1
    assert deliver_new() == 2


@pytest.mark.integration
def test_every_email_of_a_burst_reaches_the_inbox_once_through_a_real_worker():
    redis_url = default_redis_url()
    purge_queue(redis_url)
    workshop = WorkshopFactory(capacity=5)
    with (
        SmtpSink() as sink,
        real_broker(),
        celery_worker(redis_url=redis_url, email_url=sink.url) as worker,
    ):
        registrations = [register(workshop, n) for n in range(30)]
        assert sink.wait_for(30, timeout=30), worker.log()[-3000:]
    purge_queue(redis_url)
    for registration in registrations:
        assert sink.count(registration.email) == 1
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
