"""A private Redis server on a free port, for tests that kill or pause it.

    with redis_server() as redis:
        redis.url                 # redis://127.0.0.1:<port>/0
        redis.kill()              # SIGKILL, as an outage
        redis.pause() / redis.resume()   # SIGSTOP / SIGCONT: a hanging server
        redis.start()             # again on the same port (empty: it keeps nothing on disk)

The server is stopped when the block ends, also on failure, and at interpreter exit.
"""

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator

import redis as redis_client

from tests.support.smtp_sink import free_port

_running: set[subprocess.Popen] = set()


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        self.process = subprocess.Popen(  # noqa: S603 — fixed command line
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _running.add(self.process)
        deadline = time.monotonic() + timeout
        while True:
            try:
                redis_client.Redis(port=self.port, socket_timeout=0.5).ping()
                return
            except redis_client.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server on port {self.port} did not start") from None
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        _running.discard(self.process)

    def pause(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        _running.discard(self.process)


@atexit.register
def _stop_leftovers() -> None:
    for process in list(_running):
        with contextlib.suppress(ProcessLookupError):
            process.kill()


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
