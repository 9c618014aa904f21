"""A real Celery worker in a subprocess, pointed at the pytest test database.

    with celery_worker(redis_url=..., email_url=sink.url) as worker:
        ...                       # tasks enqueued on redis_url are run by the worker
        worker.log()              # its output so far (for assertion messages)

By default the worker runs ``celery -A regiolab worker -P solo --concurrency=1 -Q celery,mail,reports``
(every queue of CELERY_TASK_QUEUES, as the production worker without -Q) with
DATABASE_URL naming the database pytest-django created (``test_…``), so it needs a
``django_db(transaction=True)`` test: it only sees committed rows. The worker is stopped
(SIGTERM, then SIGKILL) when the block ends, also on failure, and at interpreter exit.

``purge_queue(redis_url)`` empties the queue first; ``switch_broker(url)`` points this
process's Celery app at another broker (e.g. a dead port) for a while.
"""

import atexit
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from regiolab.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]
READY_MARK = " ready."
_running: set[subprocess.Popen] = set()


def worker_database_url() -> str:
    """DATABASE_URL of the database this test process uses (the test database)."""
    params = connection.settings_dict
    engine = params["ENGINE"]
    if "postgresql" not in engine:
        raise RuntimeError(f"A worker subprocess needs PostgreSQL, not {engine}")
    user = quote(params.get("USER") or "", safe="")
    password = quote(params.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "127.0.0.1"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(params['NAME'], safe='')}"


def default_redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        raise RuntimeError("Set REDIS_URL to run tests with a real Celery worker")
    return url


class Worker:
    def __init__(self, process: subprocess.Popen, log_path: Path, name: str):
        self.process = process
        self.log_path = log_path
        self.name = name

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_for_log(self, text: str, *, count: int = 1, timeout: float = 30.0) -> bool:
        """Wait until ``text`` occurs ``count`` times in the worker's log; False on timeout."""
        deadline = time.monotonic() + timeout
        while self.log().count(text) < count:
            if not self.alive or time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def wait_for_task(self, task_id: str, *, timeout: float = 30.0) -> bool:
        """Wait until the worker logged the task (by id) as succeeded."""
        return self.wait_for_log(f"[{task_id}] succeeded", timeout=timeout)


def _die_with_parent() -> None:
    """In the child before exec: Linux sends SIGTERM to the worker when pytest dies."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:  # not Linux: the context manager and atexit still stop it
        pass


def _stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    _running.discard(process)


@atexit.register
def _stop_leftovers() -> None:
    for process in list(_running):
        _stop(process, timeout=3)


@contextlib.contextmanager
def celery_worker(
    *,
    redis_url: str | None = None,
    email_url: str | None = None,
    queues: str | None = None,
    extra_env: dict[str, str] | None = None,
    ready_timeout: float = 30.0,
    pool: str = "solo",
    concurrency: int = 1,
    lean: bool = True,
    extra_args: tuple[str, ...] = (),
) -> Iterator[Worker]:
    """Start a worker subprocess, wait until it is ready, stop it afterwards.

    ``pool="prefork"`` with ``lean=False`` runs it as production does (child processes, gossip,
    mingle and heartbeats); ``extra_args`` go to ``celery worker`` (e.g. ``--include``).
    """
    name = f"pytest-{uuid.uuid4().hex[:8]}@%h"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "regiolab.settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url or default_redis_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
        **({"EMAIL_URL": email_url} if email_url else {}),
        **(extra_env or {}),
    }
    queues = queues or ",".join(all_queues())
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 — closed in finally
        prefix="celery-worker-", suffix=".log", delete=False
    )
    log_path = Path(log_file.name)
    command = [
        sys.executable, "-m", "celery", "-A", "regiolab", "worker",
        "-P", pool, f"--concurrency={concurrency}", "-Q", queues, "-n", name, "--loglevel=INFO",
        *(["--without-gossip", "--without-mingle", "--without-heartbeat"] if lean else []),
        *extra_args,
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 — fixed command line
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed as a whole
        preexec_fn=_die_with_parent,  # noqa: PLW1509 — only prctl, no locks taken
    )
    _running.add(process)
    worker = Worker(process, log_path, name)
    try:
        deadline = time.monotonic() + ready_timeout
        while READY_MARK not in worker.log():
            if process.poll() is not None:
                raise RuntimeError(f"Celery worker exited early:\n{worker.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker not ready in {ready_timeout} s:\n{worker.log()}")
            time.sleep(0.1)
        yield worker
    finally:
        _stop(process)
        log_file.close()
        if os.environ.get("KEEP_WORKER_LOG") != "1":
            log_path.unlink(missing_ok=True)


def all_queues() -> list[str]:
    """The queues tasks are routed to (settings.CELERY_TASK_QUEUES)."""
    return list(celery_app.amqp.queues)


def purge_queue(redis_url: str | None = None, queue: str | None = None) -> int:
    """Drop every message waiting in ``queue`` (default: every queue); returns how many."""
    with celery_app.connection_for_write(redis_url or default_redis_url()) as conn:
        return sum(
            conn.default_channel.queue_purge(name) or 0
            for name in ([queue] if queue else all_queues())
        )


def _reset_connection_pools() -> None:
    # Only drop the app's references: kombu keeps its pools per URL, and closing the real
    # broker's pool would leave it unusable afterwards.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextlib.contextmanager
def switch_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at ``url`` (e.g. ``redis://127.0.0.1:1/0``, dead)."""
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    _reset_connection_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_url = previous
        _reset_connection_pools()


@contextlib.contextmanager
def real_broker() -> Iterator[None]:
    """Let tasks go to the broker instead of running eagerly (tests/conftest.py sets eager)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous
