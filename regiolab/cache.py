"""The cache may fail; the pages may not.

Everything kept in Redis can be rebuilt from the database: page fragments, figures, the versions
of the tables (regiolab/caching.py) and copies of the sessions (``cached_db``).
django-redis answers a failed call as a miss and logs nothing (``IGNORE_EXCEPTIONS``,
settings.CACHES), and short socket timeouts bound each call. A page makes several calls, though,
so a hanging Redis would still cost each of them the whole timeout: after one failure this
process skips Redis for ``CACHE_RETRY_SECONDS`` and logs that once.
"""

import logging
import threading
import time

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

_FAILURES = (redis.ConnectionError, redis.TimeoutError, OSError)


class _Breaker:
    def __init__(self):
        self._down_until = 0.0
        self._lock = threading.Lock()

    def check(self) -> None:
        if time.monotonic() < self._down_until:
            raise redis.ConnectionError("Cache skipped: it did not answer a moment ago")

    def trip(self, exc: BaseException) -> None:
        seconds = settings.CACHE_RETRY_SECONDS
        with self._lock:
            was_down = time.monotonic() < self._down_until
            self._down_until = time.monotonic() + seconds
        if not was_down:
            logger.warning(
                "Cache unreachable (%s); pages are built without it for %s s", exc, seconds
            )

    @property
    def down(self) -> bool:
        return time.monotonic() < self._down_until


breaker = _Breaker()


class FailFastConnection(redis.Connection):
    """A connection of the cache's pool that gives up at once while the breaker is open."""

    def connect(self):
        breaker.check()
        try:
            return super().connect()
        except _FAILURES as exc:
            breaker.trip(exc)
            raise

    def send_packed_command(self, command, check_health=True):
        breaker.check()
        try:
            return super().send_packed_command(command, check_health)
        except _FAILURES as exc:
            breaker.trip(exc)
            raise

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except _FAILURES as exc:
            breaker.trip(exc)
            raise


# django-redis options of the default cache (settings.CACHES): failed calls are misses, and none
# waits longer than half a second.
DEGRADING_OPTIONS = {
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": 0.5,
    "SOCKET_TIMEOUT": 0.5,
    "CONNECTION_POOL_KWARGS": {"connection_class": FailFastConnection},
}
