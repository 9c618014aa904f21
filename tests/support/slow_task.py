"""A task that keeps a worker's process busy, for tests that break the broker under load.

Loaded only into test workers: ``celery_worker(extra_args=("--include", __name__))``.
"""

import time

from celery import shared_task


@shared_task(name="tests.busy", ignore_result=True)
def busy(seconds: float) -> float:
    time.sleep(seconds)
    return seconds
