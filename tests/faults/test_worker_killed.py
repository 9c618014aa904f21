"""Issue 14: a worker killed with SIGKILL in the middle of sending invitations.

Several hundred invitations go through a real worker to a slow SMTP sink; the worker is killed
mid-batch, twice, and a new worker catches up once the dead worker's claim has run out
(MAIL_CLAIM_SECONDS, minutes in production, a second here). Each address must receive the invitation once,
at most one address per killed process twice (the message in flight, whose fate the dead
worker could not record), and a doubled message carries the same Message-ID.
Run with ``-s`` for the figures.
"""

import os
import signal
import time

import pytest

from tests.factories import WorkshopFactory
from tests.faults.mail_support import doubled, on_private_broker, private_caches, wait_until
from tests.support.celery_worker import celery_worker
from tests.support.smtp_sink import SmtpSink
from workshops.invitations.services import Recipient, invite
from workshops.invitations.tasks import send_invitations
from workshops.models import Invitation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

COUNT = 400
KILL_AT = (100, 230)  # messages received when each worker is killed


@pytest.fixture
def sink():
    with SmtpSink() as smtp:
        smtp.data_delay = 0.01  # a slow relay: the batch takes seconds
        yield smtp


def _kill(worker) -> None:
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)


def test_killed_workers_send_each_invitation_once(settings, private_redis, sink):
    # A claim outlives any live sender (minutes); here it runs out a second after the kill.
    env = {**private_caches(settings, private_redis.url), "MAIL_CLAIM_SECONDS": "1"}
    workshop = WorkshopFactory()
    addresses = [f"person{n:03}@example.org" for n in range(COUNT)]
    figures = []
    with on_private_broker(private_redis.url):
        for kill_at in KILL_AT:
            with celery_worker(
                redis_url=private_redis.url, email_url=sink.url, extra_env=env
            ) as worker:
                if not Invitation.objects.exists():
                    invite(workshop=workshop, recipients=[Recipient(a) for a in addresses])
                else:
                    send_invitations.delay(workshop.pk)  # the catch-up, on the new worker
                assert sink.wait_for(kill_at, timeout=30), worker.log()[-3000:]
                _kill(worker)
                time.sleep(0.2)  # the dead worker's database connection closes
                marked = Invitation.objects.filter(status="sent").count()
                figures.append((len(sink.recipients()), marked))  # addresses reached

        with celery_worker(
            redis_url=private_redis.url, email_url=sink.url, extra_env=env
        ) as worker:
            send_invitations.delay(workshop.pk)
            assert wait_until(
                lambda: not Invitation.objects.filter(status="pending").exists(), timeout=40
            ), worker.log()[-3000:]

    received = sink.recipients()
    twice = doubled(received)
    for n, (got, marked) in enumerate(figures, 1):
        print(f"\nkill {n}: {got} addresses reached, {marked} marked sent in the database")
    print(
        f"after the catch-up: {sink.count()} messages for {len(received)} of {COUNT} addresses, "
        f"doubled: {len(twice)} {sorted(twice)}"
    )
    assert set(received) == set(addresses)
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}
    assert all(n == 2 for n in twice.values())
    assert len(twice) <= len(KILL_AT)  # at most one per killed process
    for address in twice:
        ids = {m["Message-ID"] for m in sink.messages_to(address)}
        assert len(ids) == 1, (address, ids)
        assert ids == {Invitation.objects.get(email=address).message_id}
    for got, marked in figures:
        # Marked one by one as the server accepted them: at most the one in flight unmarked.
        assert got - marked <= 1, figures
