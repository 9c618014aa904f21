"""regiolab/cache.py: a hanging Redis costs a process one short timeout, not one per call."""

import logging
import time

import pytest
from django_redis.cache import RedisCache

from regiolab.cache import DEGRADING_OPTIONS, breaker
from tests.support.redis_server import redis_server


@pytest.fixture
def hanging_cache(settings):
    settings.CACHE_RETRY_SECONDS = 1
    with redis_server() as server:
        cache = RedisCache(server.url, {"OPTIONS": DEGRADING_OPTIONS})
        cache.set("kept", "yes")
        server.pause()
        try:
            yield server, cache
        finally:
            server.resume()
            breaker._down_until = 0.0  # other tests start with a closed breaker


def test_calls_to_a_hanging_cache_are_misses_and_cost_one_timeout(hanging_cache, caplog):
    server, cache = hanging_cache
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="regiolab.cache"):
        answers = [cache.get("kept") for _ in range(10)] + [cache.set("new", 1), cache.add("x", 1)]
    seconds = time.monotonic() - started
    assert answers == [None] * 10 + [None, None]
    assert seconds < 1.0, seconds  # ten timeouts of 0.5 s would be 5 s
    assert len(caplog.records) == 1 and "Cache unreachable" in caplog.records[0].getMessage()

    server.resume()
    time.sleep(1.1)  # CACHE_RETRY_SECONDS
    assert cache.get("kept") == "yes"
