"""Pieces the e-mail fault tests share: the test process and a real worker on one private Redis
(broker and cache), and the periodic catch-ups run the way beat runs them."""

import contextlib
import time
from collections import Counter
from collections.abc import Iterator

from django.core.cache import cache

from regiolab.mail.tasks import deliver_pending_emails
from tests.support.celery_worker import real_broker, switch_broker
from workshops.invitations.tasks import send_pending_invitations


def private_caches(settings, redis_url: str) -> dict[str, str]:
    """The test process's cache on the private Redis; returns the environment that gives the
    worker the same key prefix (the outbox's wake flag must be the one the worker clears).

    RELEASE is passed on: by default it is a digest of the checkout, which other work in the
    same checkout may change between this process's start and the worker's."""
    default = dict(settings.CACHES["default"])
    if "django_redis" not in default.get("BACKEND", ""):
        default = {
            "BACKEND": "django_redis.cache.RedisCache",
            "KEY_PREFIX": default.get("KEY_PREFIX", ""),
        }
    default["LOCATION"] = redis_url
    settings.CACHES = {**settings.CACHES, "default": default}
    cache.clear()
    return {"RELEASE": settings.RELEASE}


@contextlib.contextmanager
def on_private_broker(redis_url: str) -> Iterator[None]:
    with real_broker(), switch_broker(redis_url):
        yield


def beat_once() -> None:
    """What beat enqueues every minute or two in production."""
    deliver_pending_emails.delay()
    send_pending_invitations.delay()


def wait_until(predicate, *, timeout: float, beat_every: float | None = None) -> bool:
    """Poll ``predicate`` (bounded); enqueue the periodic catch-ups every ``beat_every`` s."""
    deadline = time.monotonic() + timeout
    next_beat = time.monotonic()
    while time.monotonic() < deadline:
        if predicate():
            return True
        if beat_every is not None and time.monotonic() >= next_beat:
            beat_once()
            next_beat = time.monotonic() + beat_every
        time.sleep(0.1)
    return predicate()


def doubled(counts: Counter) -> dict[str, int]:
    return {address: n for address, n in counts.items() if n > 1}
