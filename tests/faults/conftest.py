"""Fault scenarios (issue 14): real services on free ports, killed or paused by the tests.

Each module brings what it kills; shared pieces live in tests/support (redis_server,
smtp_sink, celery_worker).
"""

import pytest

from tests.support.redis_server import redis_server


@pytest.fixture
def private_redis():
    with redis_server() as server:
        yield server
