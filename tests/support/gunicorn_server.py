"""The portal under gunicorn on a free port, for tests that break the services behind it.

    with gunicorn_server(redis_url=redis.url) as portal:
        portal.get("/workshops/")             # -> tests.perf.bench.Response (status, body, seconds)
        portal.post(path, form, cookies=...)
        portal.log()                          # gunicorn's output so far

It runs ``regiolab.wsgi`` with the settings production uses where the faults matter (DEBUG off,
Redis as cache and broker, tasks sent to the broker, persistent database connections) against
the pytest test database (``worker_database_url()``, so the test needs
``django_db(transaction=True)``). Static files come from the finders instead of a collected
manifest, so no ``collectstatic`` is needed. gunicorn is stopped (SIGTERM, then SIGKILL) when the
block ends, also on failure, and at interpreter exit.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.perf.bench import Response, request

# One register of started processes, stopped the same way (process group, SIGTERM, SIGKILL).
from tests.support.celery_worker import _running, _stop, worker_database_url
from tests.support.smtp_sink import free_port

BASE_DIR = Path(__file__).resolve().parents[2]


class Portal:
    def __init__(self, port: int, process: subprocess.Popen, log_path: Path):
        self.port = port
        self.process = process
        self.log_path = log_path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str, *, cookies=None, timeout: float = 10) -> Response:
        return request("GET", self.port, path, cookies=cookies, timeout=timeout)

    def post(self, path: str, form, *, cookies=None, timeout: float = 10) -> Response:
        return request("POST", self.port, path, cookies=cookies, form=form, timeout=timeout)


@contextlib.contextmanager
def gunicorn_server(
    *, redis_url: str, workers: int = 4, extra_env: dict[str, str] | None = None
) -> Iterator[Portal]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "regiolab.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": worker_database_url(),
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": "dummymail://",  # the web process only queues; workers send
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 — closed in finally
        prefix="gunicorn-", suffix=".log", delete=False
    )
    log_path = Path(log_file.name)
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "regiolab.wsgi",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--timeout", "30", "--graceful-timeout", "2", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 — fixed command line
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the workers go with it
    )
    _running.add(process)
    portal = Portal(port, process, log_path)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{portal.log()}")
            with contextlib.suppress(OSError):
                portal.get("/imprint/", timeout=5)
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 30 s:\n{portal.log()}")
            time.sleep(0.1)
        yield portal
    finally:
        _stop(process)
        log_file.close()
        log_path.unlink(missing_ok=True)
