"""py-spy profiles of the gunicorn workers during the bench's steps (``bench.py --profile DIR``).

Each profiled step writes ``DIR/<step>.txt`` in the collapsed-stack format (one line per stack
and its number of samples) that speedscope and flamegraph.pl read, and the bench prints the
portal's own functions that took the largest share of each step. Only samples in which a
worker held the GIL count, so the shares are of CPU time, not of waiting for the database.
Figures measured while profiling are a little lower than without.
"""

import collections
import contextlib
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

SAMPLES_PER_SECOND = 200
# py-spy needs a moment to attach to the master and each worker before the step starts.
ATTACH_SECONDS = 1.0
OUTSIDE = "outside the portal's code"
# "register (/work/main/workshops/views.py:150)" → name "register", file, line
FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


class ProfileError(RuntimeError):
    pass


class Profiler:
    """Records the gunicorn master and its workers while a step runs; a no-op without a directory."""

    def __init__(self, *, directory: Path | None, pidfile: Path, py_spy: Path, base_dir: Path):
        self.directory = directory
        self.pidfile = pidfile
        self.py_spy = py_spy
        self.base_dir = base_dir
        self.hottest: dict[str, list[tuple[float, str]]] = {}
        if directory is not None:
            if not py_spy.exists():
                raise ProfileError(f"py-spy is missing ({py_spy}); `make bench` installs it")
            directory.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self.directory is None:
            yield
            return
        output = self.directory / f"{name}.txt"
        command = [
            str(self.py_spy), "record", "--pid", self.pidfile.read_text().strip(),
            "--subprocesses", "--gil", "--nonblocking", "--full-filenames",
            "--rate", str(SAMPLES_PER_SECOND),
            "--format", "raw", "--output", str(output),
        ]  # fmt: skip
        recorder = subprocess.Popen(  # noqa: S603 — fixed command line
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        time.sleep(ATTACH_SECONDS)
        try:
            yield
        finally:
            recorder.send_signal(signal.SIGINT)  # py-spy writes the file when interrupted
            try:
                _, errors = recorder.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                recorder.kill()
                raise ProfileError(f"py-spy did not finish the profile of {name}") from None
        if not output.exists():
            raise ProfileError(f"py-spy wrote no profile for {name}: {errors[-2000:]}")
        self.hottest[name] = own_hottest(output, self.base_dir)

    def lines(self) -> list[str]:
        """The summary printed under the table."""
        if self.directory is None:
            return []
        lines = [f"py-spy profiles (CPU of the gunicorn workers) in {self.directory}:"]
        for name, functions in self.hottest.items():
            shares = "; ".join(f"{share:.0%} {function}" for share, function in functions)
            lines.append(f"  {name}: {shares or 'no samples'}")
        return lines


def own_hottest(path: Path, base_dir: Path, limit: int = 6) -> list[tuple[float, str]]:
    """The portal's own functions by their share of all samples, largest first.

    A sample counts for the innermost of our functions on its stack, with the library code that
    function called (the ORM, templates, Redis): which of our calls to look at. Samples without
    any of our functions (gunicorn, Django's handler, the libraries' middleware) are listed as
    "outside the portal's code"; a middleware's ``__call__`` only passes the request on, so the
    middleware and view below it are not counted for it.
    """
    base = f"{base_dir}/"
    venv = f"{base_dir}/.venv/"
    shares: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        innermost = OUTSIDE
        for frame in stack.split(";"):
            match = FRAME.match(frame)
            file = match["file"] if match else ""
            if (
                file.startswith(base)
                and not file.startswith(venv)
                and "/tests/" not in file
                and not match["name"].endswith(".__call__")
            ):
                innermost = f"{match['name']} ({file.removeprefix(base)})"
        shares[innermost] += samples
    if not total:
        return []
    return [(samples / total, function) for function, samples in shares.most_common(limit)]
