"""Invitations end to end: a real Celery worker on the real Redis, sending to an aiosmtpd sink.

Run with REDIS_URL set (e.g. redis://127.0.0.1:6379/7); ``-s`` shows the measured figures.
"""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import WorkshopFactory
from tests.support.celery_worker import (
    celery_worker,
    default_redis_url,
    purge_queue,
    real_broker,
    switch_broker,
)
from tests.support.smtp_sink import SmtpSink
from tests.workshops.support import confirm_invitations
from workshops.invitations.tasks import send_invitations, send_pending_invitations
from workshops.models import Invitation

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
]

DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def sink():
    with SmtpSink() as smtp:
        yield smtp


@pytest.fixture
def worker(transactional_db, sink):
    """A worker on this test's database and Redis; stopped before the tables are flushed."""
    redis_url = default_redis_url()
    purge_queue(redis_url)
    # The task's own retries after the back-off of settings, shortened from minutes.
    env = {"MAIL_RETRY_BACKOFF": "2,5"}
    with (
        real_broker(),
        celery_worker(redis_url=redis_url, email_url=sink.url, extra_env=env) as running,
    ):
        yield running
    purge_queue(redis_url)  # retries the worker still held go with it


def invite(client, workshop, addresses):
    return confirm_invitations(client, workshop, {"emails": "\n".join(addresses)})


def addresses(count, prefix="person"):
    return [f"{prefix}{n:03}@example.org" for n in range(count)]


def statuses(workshop):
    return dict(
        Invitation.objects.filter(workshop=workshop).values_list("email", "status").order_by()
    )


def test_200_invitations_arrive_exactly_once(worker, sink, coordinator_client):
    workshop = WorkshopFactory(title="Cobots in der Fertigung")
    recipients = addresses(200)

    started = time.monotonic()
    response = invite(coordinator_client, workshop, recipients)
    request_seconds = time.monotonic() - started

    assert response.status_code == 302
    assert Invitation.objects.filter(workshop=workshop).count() == 200
    assert sink.wait_for(200, timeout=40), worker.log()[-3000:]
    delivery_seconds = sink.received[-1].at - started
    print(
        f"\n200 invitations: request {request_seconds:.2f} s, all delivered after "
        f"{delivery_seconds:.2f} s, {200 / delivery_seconds:.0f} e-mails/s through the worker"
    )

    # Running the task and the periodic task again sends nothing more.
    Invitation.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    again = send_invitations.delay(workshop.pk)
    catch_up = send_pending_invitations.delay()
    assert worker.wait_for_task(again.id) and worker.wait_for_task(catch_up.id)

    received = sink.recipients()
    assert sorted(received) == recipients
    assert set(received.values()) == {1}
    assert set(statuses(workshop).values()) == {"sent"}
    assert not Invitation.objects.filter(sent_at__isnull=True).exists()
    message = sink.messages_to("person000@example.org")[0]
    assert "Cobots in der Fertigung" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert f"/workshops/{workshop.slug}/register/" in body


def test_broker_down_during_the_request_then_periodic_task_sends(worker, sink, coordinator_client):
    workshop = WorkshopFactory()
    recipients = addresses(30, prefix="later")

    with switch_broker(DEAD_BROKER):
        started = time.monotonic()
        response = invite(coordinator_client, workshop, recipients)
        request_seconds = time.monotonic() - started

    print(f"\nrequest with the broker down: {request_seconds:.2f} s")
    assert response.status_code == 302
    assert request_seconds < 10
    assert set(statuses(workshop).values()) == {"pending"}
    assert len(statuses(workshop)) == 30
    time.sleep(1)
    assert sink.count() == 0

    # The broker works again and the rows are past the grace period: the beat's task runs.
    Invitation.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    started = time.monotonic()
    catch_up = send_pending_invitations.delay()
    assert worker.wait_for_task(catch_up.id), worker.log()[-3000:]
    print(f"periodic task sent 30 in {time.monotonic() - started:.2f} s")

    received = sink.recipients()
    assert sorted(received) == recipients
    assert set(received.values()) == {1}
    assert set(statuses(workshop).values()) == {"sent"}

    second = send_pending_invitations.delay()
    assert worker.wait_for_task(second.id)
    assert sink.count() == 30


def test_4xx_is_retried_and_arrives_once_5xx_fails(worker, sink, coordinator_client):
    workshop = WorkshopFactory()
    recipients = addresses(20, prefix="mixed")
    greylisted = recipients[:3]
    unknown = recipients[3:5]
    for address in greylisted:
        sink.refuse(address, code=451, message="Greylisted, try again later", times=1)
    for address in unknown:
        sink.refuse(address, code=550, message="No such user here")

    started = time.monotonic()
    response = invite(coordinator_client, workshop, recipients)
    assert response.status_code == 302

    assert sink.wait_for(15, timeout=20), worker.log()[-3000:]
    first_round = time.monotonic() - started
    assert worker.wait_for_log("retry: Retry in", timeout=10), worker.log()[-3000:]
    assert all(sink.count(a) == 0 for a in greylisted)
    assert sink.wait_for(18, timeout=30), worker.log()[-3000:]
    print(
        f"\n4xx retry: 15 sent after {first_round:.2f} s, the 3 greylisted after "
        f"{time.monotonic() - started:.2f} s"
    )
    time.sleep(0.5)

    received = sink.recipients()
    assert sorted(received) == sorted(set(recipients) - set(unknown))
    assert set(received.values()) == {1}
    assert all(sink.refused[a] == 1 for a in greylisted)
    rows = {i.email: i for i in Invitation.objects.filter(workshop=workshop)}
    for address in greylisted:
        assert rows[address].status == "sent"
        assert rows[address].attempts == 2
        assert rows[address].last_error == ""
    for address in unknown:
        assert rows[address].status == "failed"
        assert rows[address].last_error.startswith("550 No such user here")
        assert rows[address].sent_at is None

    page = coordinator_client.get(reverse("workshops:invitations", args=[workshop.slug]))
    assert page.context["counts"]["failed"] == 2
    assert page.context["counts"]["sent"] == 18
    assert "550 No such user here" in page.content.decode()
