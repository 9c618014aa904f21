"""Issue 14: the Celery worker survives its broker being killed and restarted under load.

Found from outside before the fix: under load, after a Redis restart, the worker exited with
"Unrecoverable error: AttributeError('NoneType' object has no attribute 'hostname')" and sent
nothing until it was restarted by hand.

The worker runs as in production (prefork, gossip, mingle, heartbeats, late acknowledgement),
its processes kept busy by a slow task while Redis is killed, so that tasks finish, are
acknowledged and are redelivered across the outage.
"""

import contextlib
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from regiolab.celery import app
from regiolab.mail.models import OutboundEmail
from tests.support.celery_worker import celery_worker, real_broker, switch_broker
from tests.support.smtp_sink import SmtpSink

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

OUTAGES = 2
EMAILS_PER_ROUND = 5


def _send_task(name: str, *args, timeout: float = 15.0) -> None:
    """Enqueue as the web does, trying again while Redis is still starting."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            app.send_task(name, args=args)
            return
        except Exception:  # noqa: BLE001 — the broker not back yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _ping_until(worker, stop: threading.Event) -> None:
    """Ask the worker for a sign of life over the broker, as compose's health check does."""
    name = worker.name.replace("%h", socket.gethostname())
    while not stop.is_set():
        with contextlib.suppress(Exception):  # the broker may be down just now
            app.control.ping(destination=[name], timeout=0.3)
        stop.wait(0.2)


def _emails(round_: int) -> list[str]:
    addresses = [f"runde{round_}-{i}@faults.example" for i in range(EMAILS_PER_ROUND)]
    for address in addresses:
        OutboundEmail.objects.create(to=address, subject=f"Runde {round_}", body_text="Hallo")
    return addresses


def test_worker_reconnects_after_broker_restarts_and_processes_new_work(private_redis):
    with (
        SmtpSink() as sink,
        celery_worker(
            redis_url=private_redis.url,
            email_url=sink.url,
            pool="prefork",
            concurrency=2,
            lean=False,
            extra_args=("--include", "tests.support.slow_task"),
        ) as worker,
        switch_broker(private_redis.url),
        real_broker(),
    ):
        pid = worker.process.pid
        stop = threading.Event()
        pinger = threading.Thread(target=_ping_until, args=(worker, stop), daemon=True)
        pinger.start()
        sent_before = []
        for round_ in range(OUTAGES + 1):
            if round_:
                # Both processes busy, more waiting: then the broker dies under them.
                for _ in range(4):
                    _send_task("tests.busy", 1.5)
                assert worker.wait_for_log("Task tests.busy", count=2 * round_, timeout=10)
                private_redis.kill()
                time.sleep(2)  # the tasks running finish (and are acknowledged) meanwhile
                private_redis.start()  # empty: what was queued is gone with it
            addresses = _emails(round_)
            _send_task("regiolab.tasks.deliver_new_emails")
            arrived = sink.wait_for(len(sent_before) + len(addresses), timeout=30)
            assert arrived and worker.alive, (round_, sink.count(), worker.log()[-4000:])
            sent_before += addresses

        stop.set()
        pinger.join(timeout=5)
        assert worker.process.pid == pid and worker.alive
        assert "Unrecoverable error" not in worker.log()

        # Work enqueued before an outage and lost with Redis: the periodic catch-up sends it.
        lost = [f"verloren{i}@faults.example" for i in range(3)]
        for address in lost:
            OutboundEmail.objects.create(to=address, subject="Vor dem Ausfall", body_text="Hallo")
        OutboundEmail.objects.filter(to__in=lost).update(
            created_at=timezone.now() - timedelta(minutes=5)
        )
        _send_task("regiolab.tasks.deliver_pending_emails")  # as Celery beat does
        assert sink.wait_for(len(sent_before) + len(lost), timeout=30), worker.log()[-4000:]
        time.sleep(0.3)  # a duplicate would arrive right behind
        not_once = {a: sink.count(a) for a in sent_before + lost if sink.count(a) != 1}
        assert not_once == {}, worker.log()[-4000:]


def test_workers_wait_for_the_broker_while_requests_give_up_at_once():
    """The web fails fast (one attempt, 1 s); a worker (celeryd_init) retries for ever."""
    from celery import Celery, signals

    # Not the current app: tasks of later tests would be sent through it instead of the
    # portal's (whose broker and eager settings the tests switch).
    worker_app = Celery("regiolab", set_as_current=False)
    worker_app.config_from_object("django.conf:settings", namespace="CELERY")
    assert worker_app.conf.broker_transport_options["max_retries"] == 0
    assert worker_app.conf.task_publish_retry is False

    signals.celeryd_init.send(sender="test", conf=worker_app.conf, instance=None, options={})
    assert "max_retries" not in worker_app.conf.broker_transport_options
    assert worker_app.conf.broker_transport_options["socket_timeout"] >= 5
    assert worker_app.conf.broker_connection_retry is True
    assert worker_app.conf.broker_connection_max_retries is None
