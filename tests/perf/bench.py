"""``make bench``: the portal under load on PostgreSQL, Redis and gunicorn, as one table.

    .venv/bin/python tests/perf/bench.py [--companies N ...] [--duration 10] [--json out.json]

Steps, each against a reference measured in the same run:

0. a fresh database (``BENCH_DATABASE_URL``, default ``…/regiolab_bench``), migrated;
5. ``seed_scale`` fills it (timed);
1. gunicorn (production settings, 2 × cores sync workers, ``-p`` pidfile) serves
   ``tests.perf.bench_wsgi``; wrk measures four portal pages against a bare Django view and the
   admin's company changelist (50 a page);
2. a registration rush over HTTP (CSRF token, consent) against a burst of bare requests, then
   the same number of registrations arriving at a steady rate (``--rush-rate``, default 150/s);
3. invitations sent by a real Celery worker to a local SMTP sink against a plain smtplib loop;
4. the progress report of the largest grant against WeasyPrint rendering its finished HTML;
   the final report of the largest learning programme likewise (``--learning-report-only``
   measures just this row on the database of ``DATABASE_URL``).

With ``--profile DIR``, py-spy records the gunicorn workers during each page's wrk run and the
rush (tests/perf/profiling.py) and the bench prints the portal's hottest functions per step.

gunicorn is stopped by the pid in its pidfile in every case (``finally``, SIGTERM handler,
and Linux's parent-death signal). Correctness checks (exactly ``capacity`` confirmed, every
invitation delivered once, every page 200) make the run fail; missed speed goals do not.
"""

import argparse
import contextlib
import http.client
import io
import json
import os
import re
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
if str(BASE_DIR) not in sys.path:  # run as a script: make `tests.support` importable
    sys.path.insert(0, str(BASE_DIR))

from tests.perf.profiling import Profiler  # noqa: E402 — after the path above

VENV_BIN = Path(sys.executable).parent
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
BARE_URL = "/bench/bare/"
GUNICORN_PIDFILE = "gunicorn.pid"
# Our option → seed_scale's option (our --invitations is the count sent in step 3).
SEED_OPTIONS = {
    "companies": "companies",
    "networks": "networks",
    "workshops": "workshops",
    "registrations": "registrations",
    "seed_invitations": "invitations",
    "grants": "grants",
    "expenditures": "expenditures",
    "consultations": "consultations",
    "feedback_responses": "feedback_responses",
    "needs_answers": "needs_answers",
    "calls": "calls",
    "seed": "seed",
}


class BenchError(RuntimeError):
    """A correctness check failed or a service did not come up."""


# --- Configuration -----------------------------------------------------------------------------


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value else None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    default_db = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/regiolab")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or _sibling_database(default_db, "bench"),
        help="database to create fresh (dropped first!)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL"),
        help="Redis for broker and cache (default: a private redis-server for the run, so the "
        "cache hit rate read from its INFO is the bench's own)",
    )
    for name in SEED_OPTIONS:
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            default=_env_int(f"BENCH_{name.upper()}"),
            help="for seed_scale",
        )
    parser.add_argument("--duration", type=float, default=_env_int("BENCH_DURATION") or 10)
    parser.add_argument("--connections", type=int, default=_env_int("BENCH_CONNECTIONS") or 16)
    parser.add_argument("--workers", type=int, default=_env_int("BENCH_WORKERS"))
    parser.add_argument("--rush", type=int, default=_env_int("BENCH_RUSH") or 200)
    parser.add_argument("--rush-seats", type=int, default=_env_int("BENCH_RUSH_SEATS") or 20)
    parser.add_argument(
        "--rush-rate",
        type=float,
        default=_env_int("BENCH_RUSH_RATE") or 150,
        help="arrival rate of the paced rush (registrations per second)",
    )
    parser.add_argument("--invitations", type=int, default=_env_int("BENCH_INVITATIONS") or 1000)
    parser.add_argument(
        "--cold-samples",
        type=int,
        default=_env_int("BENCH_COLD_SAMPLES") or 20,
        help="first requests after emptying the cache, per page (--growth)",
    )
    parser.add_argument(
        "--growth",
        action="store_true",
        help="also the pages, rush and report at ten times the data (row 7, some minutes more)",
    )
    parser.add_argument("--growth-part", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep-db", action="store_true", help="keep the bench database")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record the gunicorn workers with py-spy during each page and the rush (DIR/*.txt)",
    )
    parser.add_argument("--report-part", type=int, metavar="GRANT_ID", help=argparse.SUPPRESS)
    parser.add_argument(
        "--only-pages",
        metavar="KEY,…",
        help="measure only these pages of row 1 (e.g. cycle_board) against the bare view and "
        "print their rows; skips the other steps",
    )
    parser.add_argument(
        "--with-mixed",
        action="store_true",
        help="with --only-pages: also row 6 (the four pages under the writer); needs "
        "companies,workshops,grant,dashboard among the pages",
    )
    parser.add_argument("--learning-report-part", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--learning-report-only",
        action="store_true",
        help="measure only the learning final report row, on DATABASE_URL's database as it is",
    )
    args = parser.parse_args(argv)
    args.workers = args.workers or 2 * (os.cpu_count() or 1)
    if args.invitations > 1000:
        parser.error("--invitations: the invitation form takes at most 1000 addresses")
    if args.with_mixed and not set(MIXED_LABELS) <= set((args.only_pages or "").split(",")):
        parser.error("--with-mixed: --only-pages must name " + ",".join(MIXED_LABELS))
    return args


def _sibling_database(url: str, suffix: str) -> str:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") or "regiolab"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}_{suffix}"))


def bench_environment(args: argparse.Namespace, *, port: int, media_root: Path) -> dict[str, str]:
    """Production settings with a bench secret, on loopback, for every process of the run."""
    prefix = os.environ.get("CACHE_KEY_PREFIX", "regiolab")
    return {
        "DJANGO_SETTINGS_MODULE": "regiolab.settings",
        "DJANGO_PRODUCTION": "true",
        "DJANGO_SECRET_KEY": "bench-only-" + secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": args.database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": args.redis_url,
        "CACHE_URL": args.cache_url,
        "CACHE_KEY_PREFIX": f"{prefix}-bench",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PRIVATE_MEDIA_ROOT": str(media_root),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_URL": "dummymail://",  # gunicorn only enqueues; the worker gets the sink
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


# --- Processes ---------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the child before exec: Linux sends SIGTERM when the bench process dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def run_manage(*command: str, env: dict[str, str]) -> float:
    """Run ``manage.py command`` in the bench environment; returns its duration in seconds."""
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        check=True,
    )
    return time.monotonic() - started


def recreate_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    if not re.fullmatch(r"[A-Za-z0-9_]+", name) or "bench" not in name:
        raise BenchError(f"Refusing to drop {name!r}: the bench database name must contain 'bench'")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def vacuum_analyze(url: str) -> None:
    """Planner statistics and the visibility map for the fresh rows, as autovacuum keeps them on
    a live system.

    Right after the bulk inserts PostgreSQL still plans with an empty table's estimates (for the
    company list a sort of every matching row instead of the name index), and without the
    visibility map it cannot use an index-only scan: the grant's companies-reached count then
    reads every registration (24 ms instead of 9 ms in process).
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def drop_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def static_files_current() -> bool:
    """True when staticfiles/ holds a manifest newer than every file under static/."""
    manifest = BASE_DIR / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    sources = [BASE_DIR / "static", BASE_DIR / "pyproject.toml"]
    newest = max(
        (p.stat().st_mtime for src in sources for p in [src, *src.rglob("*")] if p.is_file()),
        default=0,
    )
    return newest < built


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(*, port: int, workers: int, env: dict[str, str], run_dir: Path) -> Iterator[None]:
    """gunicorn with ``-p pidfile``; stopped by that pid when the block ends, whatever happens."""
    pidfile = run_dir / GUNICORN_PIDFILE
    log = (run_dir / "gunicorn.log").open("w")
    command = [
        str(VENV_BIN / "gunicorn"), "tests.perf.bench_wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--pid", str(pidfile),
        "--chdir", str(BASE_DIR), "--backlog", "2048", "--log-level", "warning",
        "--graceful-timeout", "5",
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 — fixed command line
        command,
        cwd=BASE_DIR,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,  # noqa: PLW1509 — only prctl
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited:\n{(run_dir / 'gunicorn.log').read_text()}")
            with contextlib.suppress(OSError):
                if pidfile.exists() and request("GET", port, BARE_URL).status == 200:
                    break
            if time.monotonic() > deadline:
                raise BenchError("gunicorn did not answer within 60 s")
            time.sleep(0.2)
        yield
    finally:
        _stop_by_pidfile(pidfile, process)
        log.close()


def _stop_by_pidfile(pidfile: Path, process: subprocess.Popen) -> None:
    pid = None
    with contextlib.suppress(OSError, ValueError):
        pid = int(pidfile.read_text().strip())
    pid = pid or process.pid  # master died before writing it: still its own child
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        process.wait(timeout=5)


# --- HTTP --------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    cookies: dict[str, str]
    seconds: float


def request(
    method: str,
    port: int,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: dict[str, str] | list[tuple[str, str]] | None = None,
    timeout: float = 120,
) -> Response:
    """One request on a new connection (gunicorn's sync workers close it anyway)."""
    headers, body = _headers_and_body(port, cookies, form)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        text = answer.read().decode(errors="replace")
        seconds = time.perf_counter() - started
        headers = answer.getheaders()
        return Response(answer.status, dict(headers), text, _cookie_jar(headers), seconds)
    finally:
        conn.close()


def wsgi_request(application, method: str, path: str, *, cookies=None, form=None) -> Response:
    """One request handed straight to the WSGI application in this process: no HTTP, no client."""
    from wsgiref.util import setup_testing_defaults

    headers, body = _headers_and_body(0, cookies, form)
    body = body or b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "HTTP_COOKIE": headers.get("Cookie", ""),
        "CONTENT_TYPE": headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)  # server name 127.0.0.1, HTTP/1.0, http
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=int(status.split()[0]), headers=headers)

    started = time.perf_counter()
    content = b"".join(application(environ, start_response))
    seconds = time.perf_counter() - started
    text = content.decode(errors="replace")
    jar = _cookie_jar(answer["headers"])
    return Response(answer["status"], dict(answer["headers"]), text, jar, seconds)


def _cookie_jar(headers: list[tuple[str, str]]) -> dict[str, str]:
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key.strip()] = rest.split(";", 1)[0]
    return jar


def _headers_and_body(port: int, cookies, form) -> tuple[dict[str, str], bytes | None]:
    headers = {"Host": f"127.0.0.1:{port}"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return headers, body


def csrf_from(response: Response) -> tuple[str, str]:
    """(cookie value, form token) of a page with a form."""
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.body)
    if not match or "csrftoken" not in response.cookies:
        raise BenchError(f"No CSRF token in the page (status {response.status})")
    return response.cookies["csrftoken"], match.group(1)


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int
    cache_hit_rate: float | None = None  # Redis keyspace hits / lookups during the run

    def text(self) -> str:
        errors = f" · {self.errors} socket errors" if self.errors else ""
        return (
            f"{self.rps:,.0f} req/s · p50 {self.p50_ms:.1f} ms · p95 {self.p95_ms:.1f} ms{errors}"
        )


def wrk(port: int, path: str, *, cookie: str | None, duration: float, connections: int):
    """``wrk -c16 -d10s --latency`` (after a short warm-up) with our reporter script."""
    command = ["wrk", "-t2", f"-c{connections}", "--timeout", "10s", "--latency"]
    command += ["-s", str(WRK_SCRIPT)]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    url = f"http://127.0.0.1:{port}{path}"
    if duration >= 5:  # a worker's first requests load templates and translations
        subprocess.run([*command, "-d2s", url], check=True, capture_output=True)
    output = subprocess.run(
        [*command, f"-d{max(1, round(duration))}s", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next((x for x in output.splitlines() if x.startswith("BENCH_WRK ")), None)
    if line is None:
        raise BenchError(f"wrk printed no result for {path}:\n{output}")
    values = dict(item.split("=") for item in line.split()[1:])
    n = int(values["requests"])
    if n == 0 or int(values["status_errors"]):
        raise BenchError(f"wrk: no request or 4xx/5xx answers for {path}:\n{output}")
    # Socket errors and timeouts are load, not wrong answers: counted and shown.
    errors = sum(
        int(values[k]) for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return WrkResult(
        rps=n / (int(values["duration_us"]) / 1e6),
        p50_ms=int(values["p50_us"]) / 1000,
        p95_ms=int(values["p95_us"]) / 1000,
        p99_ms=int(values["p99_us"]) / 1000,
        requests=n,
        errors=errors,
    )


@dataclass
class Burst:
    count: int
    seconds: float
    latencies: list[float]
    statuses: list[int]
    locations: list[str] = field(default_factory=list)
    sent_after: list[float] = field(default_factory=list)  # seconds from the start, per request

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _raw_request(method: str, port: int, path: str, *, cookies, form) -> bytes:
    headers, body = _headers_and_body(port, cookies, form)
    headers["Connection"] = "close"
    if body is not None:
        headers["Content-Length"] = str(len(body))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"{method} {path} HTTP/1.1\r\n{head}\r\n".encode() + (body or b"")


def _status_and_location(answer: bytes) -> tuple[int, str]:
    status_line, _, rest = answer.partition(b"\r\n")
    parts = status_line.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return status, http.client.parse_headers(io.BytesIO(rest)).get("Location", "")


def burst(
    port: int, method: str, path: str, forms: list, *, cookies=None, per_second: float = 0
) -> Burst:
    """Every request at once, from one thread: all connections are opened first (the listen
    backlog holds them), then every request is written and the answers are read as they come.

    With ``per_second`` the requests go out at that steady rate instead, request i at
    i / per_second, each on a connection opened just then (as a browser does; a sync worker that
    accepted a connection would otherwise sit waiting for its request).

    One thread per request cost the client about 1 ms of CPU each, taken from the server on the
    same cores; the answer is complete when gunicorn closes the connection.
    """
    count = len(forms)
    payloads = [_raw_request(method, port, path, cookies=cookies, form=form) for form in forms]
    answers = [bytearray() for _ in forms]
    sent_at = [0.0] * count
    latencies = [0.0] * count
    sockets = []
    selector = selectors.DefaultSelector()

    def connect(i: int) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        sockets.append(sock)
        selector.register(sock, selectors.EVENT_READ, i)
        return sock

    try:
        ready = [] if per_second else [connect(i) for i in range(count)]
        started = time.perf_counter()
        due = [started + i / per_second if per_second else started for i in range(count)]
        sent, open_count, deadline = 0, count, started + 300
        while open_count:
            while sent < count and due[sent] <= time.perf_counter():
                sock = ready[sent] if ready else connect(sent)
                sent_at[sent] = time.perf_counter()
                sock.sendall(payloads[sent])  # a few hundred bytes: the buffer takes them at once
                sent += 1
            wake = min(deadline, due[sent]) if sent < count else deadline
            events = selector.select(timeout=max(0.0, wake - time.perf_counter()))
            if not events and time.perf_counter() >= deadline:
                raise BenchError(f"{open_count} of {count} requests unanswered after 300 s")
            for key, _ in events:
                i = key.data
                chunk = key.fileobj.recv(65536)
                if chunk:
                    answers[i] += chunk
                    continue
                latencies[i] = time.perf_counter() - sent_at[i]
                selector.unregister(key.fileobj)
                key.fileobj.close()  # gunicorn lingers after its FIN until the client closes
                open_count -= 1
        seconds = time.perf_counter() - started
    except OSError as exc:
        raise BenchError(f"Burst of {count} requests failed: {exc!r}") from exc
    finally:
        selector.close()
        for sock in sockets:
            sock.close()
    statuses, locations = zip(*(_status_and_location(a) for a in answers), strict=True)
    sent_after = [at - started for at in sent_at]
    return Burst(count, seconds, latencies, list(statuses), list(locations), sent_after)


# --- Data for the run (in this process, Django on the bench database) ---------------------------


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def seed(args: argparse.Namespace, env: dict[str, str]) -> tuple[str, float]:
    """seed_scale with the given counts."""
    options = [
        f"--{option}={getattr(args, name)}"
        for name, option in SEED_OPTIONS.items()
        if getattr(args, name) is not None
    ]
    label = "seed_scale " + (" ".join(options) or "(defaults)")
    return label, run_manage("seed_scale", *options, env=env)


def session_for(user) -> str:
    """A logged-in session in the database, as django.contrib.auth.login would write it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "regiolab.auth_backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


@dataclass
class Targets:
    coordinator_session: str
    admin_session: str
    companies_path: str
    admin_path: str
    workshops_path: str
    grant_path: str
    grant_id: int
    dashboard_path: str
    rows: dict[str, int]
    cycle_board_path: str = ""
    survey_results_path: str = ""
    review_ranking_path: str = ""
    challenge_call_path: str = ""


def prepare_targets() -> Targets:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count, Q

    from companies.models import Company
    from funding.models import Grant
    from networks.models import TrainingNetwork
    from regiolab.permissions import COORDINATORS_GROUP
    from workshops.models import Registration, Workshop

    User = get_user_model()
    coordinator = User.objects.create_user(
        username="bench-coordinator",
        email="bench-coordinator@regiolab.example",
        password=None,
        first_name="Bench",
        last_name="Koordination",
    )
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    superuser = User.objects.create_superuser(
        username="bench-admin", email="bench-admin@regiolab.example", password=None
    )
    # Both roles must have a second factor, or every page sends them to its setup.
    from tests.support.mfa import enable_totp

    enable_totp(coordinator)
    enable_totp(superuser)
    # Filter by the most common size class, sorted by name: the same rows on both pages.
    size_class = (
        Company.objects.values("size_class_stored")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("size_class_stored", flat=True)
        .first()
    ) or "small"
    grant = Grant.objects.annotate(n=Count("expenditures")).order_by("-n", "pk").first()
    network = TrainingNetwork.objects.annotate(n=Count("memberships")).order_by("-n", "pk").first()
    if grant is None or network is None:
        raise BenchError("The seeded data has no grant or no network")
    cycle_board_path, board_rows = learning_target()
    review_ranking_path, review_rows_counts = review_target()
    from surveys.models import Survey

    feedback = (
        Survey.objects.filter(title__startswith="Scale Workshop").annotate(n=Count("responses"))
    ).first()
    return Targets(
        coordinator_session=session_for(coordinator),
        admin_session=session_for(superuser),
        companies_path=f"/companies/?size_class={size_class}&ordering=name",
        admin_path=f"/admin/companies/company/?size_class_stored__exact={size_class}&o=1",
        workshops_path="/workshops/",
        grant_path=f"/funding/grants/{grant.pk}/",
        grant_id=grant.pk,
        dashboard_path=f"/networks/{network.slug}/dashboard/",
        rows={
            "companies": Company.objects.count(),
            "companies_filtered": Company.objects.filter(size_class_stored=size_class).count(),
            "workshops": Workshop.objects.count(),
            "registrations": Registration.objects.count(),
            "grant_expenditures": grant.n,
            "network_members": network.n,
            "grants_with_rows": Grant.objects.filter(~Q(expenditures=None)).distinct().count(),
            **board_rows,
            **review_rows_counts,
            "feedback_responses": feedback.n if feedback else 0,
            "public_practices": _public_practice_count(),
        },
        cycle_board_path=cycle_board_path,
        survey_results_path=f"/surveys/{feedback.pk}/results/" if feedback else "",
        review_ranking_path=review_ranking_path,
        challenge_call_path=challenge_call_path(),
    )


# --- Challenge review: the ranking of the largest call (C2) ------------------------------------


def review_target() -> tuple[str, dict[str, int]]:
    """The review ranking of the call with the most proposals."""
    from django.db.models import Count

    from challenges.models import Call, Proposal, Review

    call = (
        Call.objects.annotate(n=Count("challenges__proposals"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .first()
    )
    if call is None:
        raise BenchError("The seeded data has no call with proposals (seed_scale --calls)")
    counts = {
        "review_challenges": call.challenges.count(),
        "review_proposals": Proposal.objects.filter(challenge__call=call).count(),
        "review_reviews": Review.objects.filter(assignment__proposal__challenge__call=call).count(),
    }
    return f"/challenges/{call.slug}/review/", counts


def review_rows(results: dict) -> list[list[str]]:
    """Row 1's review ranking of the largest call against the bare view."""
    pages, data = results["pages"], results.get("rows", {})
    if "review_ranking" not in pages:
        return []
    page, bare = pages["review_ranking"], pages["bare"]
    ratio = page.rps / bare.rps
    label = (
        f"1 review ranking, largest call ({data.get('review_challenges', '?')} challenges, "
        f"{data.get('review_proposals', '?')} proposals, {data.get('review_reviews', '?')} "
        "reviews; coordinator)"
    )
    return [
        [label, page.text(), "bare Django view", bare.text(), f"{ratio:.3f}",
         "≥ 0.08, p95 ≤ 100 ms", _met(ratio >= 0.08 and page.p95_ms <= 100)]
    ]  # fmt: skip


def _public_practice_count() -> int:
    from policy.models import GoodPractice

    return GoodPractice.objects.filter(status=GoodPractice.Status.VALIDATED).count()


NO_PROGRAMME = "The data has no learning programme with organisations (seed_scale --programmes)"


def learning_target() -> tuple[str, dict[str, int]]:
    """The cycle board of the largest learning programme (most organisations), at its cycle
    with the most submitted reports."""
    from django.db.models import Count, Q

    from learning.models import CycleReport, LearningProgramme, ReportItem

    programme = (
        LearningProgramme.objects.annotate(n=Count("organisations")).order_by("-n", "pk").first()
    )
    if programme is None:
        raise BenchError(NO_PROGRAMME)
    submitted = Q(reports__status=CycleReport.Status.SUBMITTED)
    cycle = (
        programme.cycles.annotate(r=Count("reports", filter=submitted))
        .order_by("-r", "number")
        .first()
    )
    return f"/learning/{programme.slug}/cycles/{cycle.number}/", {
        "board_organisations": programme.organisations.count(),
        "board_reports": cycle.r,
        "board_items": ReportItem.objects.filter(
            report__cycle=cycle, report__status=CycleReport.Status.SUBMITTED
        ).count(),
    }


def bench_workshop(*, capacity: int, label: str):
    from datetime import timedelta

    from django.utils import timezone

    from workshops.models import Workshop

    starts = (timezone.now() + timedelta(days=21)).replace(microsecond=0)
    return Workshop.objects.create(
        title=f"Benchmark {label}",
        slug=f"bench-{label}-{secrets.token_hex(3)}",
        description="Workshop written by tests/perf/bench.py.",
        format="on_site",
        venue="Technologiezentrum Hannover",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        capacity=capacity,
        status="published",
    )


# --- The measurements --------------------------------------------------------------------------


def measure_pages(port: int, targets: Targets, args, profiler: Profiler) -> dict:
    coordinator, admin = targets.coordinator_session, targets.admin_session
    pages = {
        "bare": (BARE_URL, None, "ok"),
        "companies": (targets.companies_path, coordinator, "<h1"),
        "admin_companies": (targets.admin_path, admin, "result_list"),
        "workshops": (targets.workshops_path, None, "<h1"),
        "grant": (targets.grant_path, coordinator, "<h1"),
        "dashboard": (targets.dashboard_path, coordinator, "<h1"),
        "cycle_board": (targets.cycle_board_path, coordinator, "board-results"),
    }
    if targets.survey_results_path:
        pages["survey_results"] = (targets.survey_results_path, coordinator, "results-chart")
    if targets.review_ranking_path:
        pages["review_ranking"] = (targets.review_ranking_path, coordinator, "review-ranking")
    if targets.challenge_call_path:  # public: a visitor's view of the largest call
        pages["challenge_call"] = (targets.challenge_call_path, None, "published-heading")
    # Policy learning: the public good-practice list (seed_scale's 500 practices), anonymous.
    pages["practices"] = ("/practices/", None, "practice-results")
    pages.update(action_plan_pages(coordinator))  # P2: the largest action plan's page
    if args.only_pages:
        wanted = {"bare", *args.only_pages.split(",")}
        pages = {key: page for key, page in pages.items() if key in wanted}
    results = {}
    for key, (path, session, marker) in pages.items():
        check = request("GET", port, path, cookies={"sessionid": session} if session else None)
        if check.status != 200 or marker not in check.body:
            raise BenchError(f"{path} answered {check.status} without {marker!r}")
        if args.growth_part and key == "admin_companies":
            continue  # the admin's figure is row 1's reference only
        before = cache_counters(args.cache_url)
        with profiler.step(key):
            result = wrk(
                port, path, cookie=session, duration=args.duration, connections=args.connections
            )
        result.cache_hit_rate = hit_rate(before, cache_counters(args.cache_url))["rate"]
        results[key] = result
    return results


def registration_forms(token: str, prefix: str, count: int) -> list[dict]:
    """``count`` people for the public registration form, e-mail addresses ``prefix0000@…``."""
    return [
        {
            "csrfmiddlewaretoken": token,
            "first_name": "Rush",
            "last_name": f"Teilnehmer {i}",
            "email": f"{prefix}{i:04d}@bench.example",
            "company_name": "Bench GmbH",
            "language": "de",
            "consent": "on",
        }
        for i in range(count)
    ]


def measure_rush(port: int, args, profiler: Profiler) -> dict:
    workshop = bench_workshop(capacity=args.rush_seats, label="rush")
    path = f"/workshops/{workshop.slug}/register/"
    page = request("GET", port, path)
    cookie, token = csrf_from(page)
    for name in ("first_name", "last_name", "email", "language", "consent"):
        if f'name="{name}"' not in page.body:
            raise BenchError(f"The registration form has no field {name!r}")

    def register(target, people: list[dict], **pace) -> Burst:
        url = f"/workshops/{target.slug}/register/"
        return burst(port, "POST", url, people, cookies={"csrftoken": cookie}, **pace)

    # As wrk's warm-up for the pages: each worker registers a few people for another workshop
    # first (its first Celery publish opens the broker connection, its templates load).
    register(
        bench_workshop(capacity=args.workers, label="warm-up"),
        registration_forms(token, "warm", args.workers * 4),
    )
    reference = burst(port, "GET", BARE_URL, [None] * args.rush)
    with profiler.step("rush"):
        rush = register(workshop, registration_forms(token, "rush", args.rush))
    outcome = _rush_outcome(workshop, rush, args)
    # The same registrations arriving at the goal's rate: the latency each person sees when the
    # portal keeps up, without the queue that 200 requests at the same instant must form.
    paced_workshop = bench_workshop(capacity=args.rush_seats, label="paced")
    paced = register(
        paced_workshop, registration_forms(token, "paced", args.rush), per_second=args.rush_rate
    )
    paced_outcome = _rush_outcome(paced_workshop, paced, args)
    return {
        "rush": rush,
        "reference": reference,
        "paced": paced,
        **outcome,
        "paced_confirmed": paced_outcome["confirmed"],
    }


def _backend_cpu_seconds(pid: int) -> float | None:
    """CPU time of a PostgreSQL backend on this machine (utime + stime), None if not readable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_registration_cost(args) -> dict:
    """CPU of one registration and of the bare view in this process, through the WSGI
    application without HTTP or client, and what the registrations cost PostgreSQL's backend:
    the floor under the rush, whatever the concurrency."""
    from django.db import connection

    from tests.perf.bench_wsgi import application

    count = args.rush * 5
    workshop = bench_workshop(capacity=args.rush_seats, label="in-process")
    path = f"/workshops/{workshop.slug}/register/"
    cookie, token = csrf_from(wsgi_request(application, "GET", path))

    def register(prefix: str, people: int) -> None:
        for form in registration_forms(token, prefix, people):
            answer = wsgi_request(
                application, "POST", path, cookies={"csrftoken": cookie}, form=form
            )
            if answer.status != 302:
                raise BenchError(f"In process: a registration answered {answer.status}")

    # One backend for the whole measurement: a connection past CONN_MAX_AGE would be replaced
    # mid-run, and the backend read from /proc would be gone.
    connection.close()
    max_age = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = None
    try:
        register("warm-in-process", args.workers * 4)  # templates loaded, connection open
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        backend_before, started = _backend_cpu_seconds(backend), time.process_time()
        register("in-process", count)
        python_seconds = time.process_time() - started
        backend_after = _backend_cpu_seconds(backend)
    finally:
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = max_age
    started = time.process_time()
    for _ in range(count):
        wsgi_request(application, "GET", BARE_URL)
    bare_seconds = time.process_time() - started
    postgres = None
    if backend_before is not None and backend_after is not None:
        postgres = (backend_after - backend_before) / count
    return {
        "count": count,
        "python_ms": python_seconds / count * 1000,
        "postgres_ms": postgres * 1000 if postgres is not None else None,
        "bare_ms": bare_seconds / count * 1000,
    }


def measure_feed_import(events: int = 200) -> dict:
    """A partner's calendar of ``events`` upcoming events parsed and written in this process
    (no HTTP: policy.feeds.fetching is tested on its own), then imported again unchanged, which
    must write nothing (idempotent by UID and SEQUENCE)."""
    from datetime import UTC, datetime, timedelta

    from policy.feeds import services as feeds
    from policy.models import PartnerFeed

    start = datetime.now(UTC) + timedelta(days=1)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//DE"]
    for i in range(events):
        at = start + timedelta(hours=6 * i)
        lines += [
            "BEGIN:VEVENT", f"UID:bench-{i}@partner.example", "SEQUENCE:0",
            "DTSTAMP:20260101T000000Z", f"DTSTART:{at:%Y%m%dT%H%M%SZ}",
            f"DTEND:{at + timedelta(hours=2):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:Partnerveranstaltung {i}", "LOCATION:Hannover",
            f"URL:https://partner.example/e/{i}", "END:VEVENT",
        ]  # fmt: skip
    data = ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()
    feed = PartnerFeed.objects.create(partner_name="Bench-Partner", url="https://partner.example/")
    try:
        timings, outcomes = [], []
        for _ in range(2):
            started = time.perf_counter()
            outcome = feeds.apply_events(
                feed_id=feed.pk, parsed=feeds.parse_calendar(data), now=datetime.now(UTC)
            )
            timings.append(time.perf_counter() - started)
            outcomes.append(outcome)
    finally:
        feed.delete()
    first, again = outcomes
    return {
        "events": events,
        "first_seconds": timings[0],
        "again_seconds": timings[1],
        "created": first.created,
        "rewritten": again.created + again.updated + again.removed,
    }


# --- P2: the action plan page (policy.plans) ---------------------------------------------------


def action_plan_pages(coordinator_session: str) -> dict:
    """The page of the largest action plan (most actions), e.g. one of seed_scale's 50 plans
    × 10 actions with their indicators; nothing when the data has no plan."""
    from django.db.models import Count

    from policy.models import ActionPlan

    plan = ActionPlan.objects.annotate(n=Count("actions")).order_by("-n", "pk").first()
    if plan is None:
        return {}
    return {"action_plan": (f"/policy/plans/{plan.pk}/", coordinator_session, "<h1")}


def action_plan_rows(pages: dict, bare) -> list[list[str]]:
    if "action_plan" not in pages:
        return []
    page = pages["action_plan"]
    ratio = page.rps / bare.rps
    return [
        ["1 action plan page (coordinator, largest plan)", page.text(), "bare Django view",
         bare.text(), f"{ratio:.3f}", "≥ 0.08, p95 ≤ 100 ms",
         _met(ratio >= 0.08 and page.p95_ms <= 100)]
    ]  # fmt: skip


def feed_import_row(feed: dict) -> list[str]:
    idempotent = feed["created"] == feed["events"] and feed["rewritten"] == 0
    return [
        f"  … importing a {feed['events']}-event partner feed, in process",
        f"{feed['first_seconds'] * 1000:.0f} ms ({feed['created']} events written)",
        "the same feed again", f"{feed['again_seconds'] * 1000:.0f} ms, "
        f"{feed['rewritten']} rewritten", "", "reported · re-import writes nothing",
        _met(idempotent),
    ]  # fmt: skip


def _rush_outcome(workshop, answers: Burst, args) -> dict:
    """Every request redirected to its result, exactly ``rush_seats`` confirmed, or the run fails."""
    from workshops.models import Registration

    redirected = sum(
        1
        for status, location in zip(answers.statuses, answers.locations, strict=True)
        if status == 302 and "done=1" in location
    )
    statuses = Registration.objects.filter(workshop=workshop).values_list("status", flat=True)
    confirmed = sum(1 for s in statuses if s == Registration.Status.CONFIRMED)
    waitlisted = sum(1 for s in statuses if s == Registration.Status.WAITLISTED)
    workshop.refresh_from_db()
    ok = (
        redirected == args.rush
        and confirmed == args.rush_seats
        and waitlisted == args.rush - args.rush_seats
        and workshop.seats_taken == args.rush_seats
    )
    if not ok:
        raise BenchError(
            f"Registration rush ({workshop.title}): {redirected}/{args.rush} redirected to the "
            f"result page, {confirmed} confirmed, {waitlisted} waitlisted, seats_taken "
            f"{workshop.seats_taken} (expected {args.rush_seats} confirmed); "
            f"statuses {sorted(set(answers.statuses))}"
        )
    return {"confirmed": confirmed, "waitlisted": waitlisted}


# --- Mixed load: the pages again while a second client writes (row 6) ----------------------------


def cache_counters(url: str) -> tuple[int, int]:
    """(keyspace_hits, keyspace_misses) of the Redis server holding the cache."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        stats = client.info("stats")
    finally:
        client.close()
    return int(stats["keyspace_hits"]), int(stats["keyspace_misses"])


def hit_rate(before: tuple[int, int], after: tuple[int, int]) -> dict:
    hits, misses = after[0] - before[0], after[1] - before[1]
    return {"hits": hits, "misses": misses, "rate": hits / (hits + misses) if hits + misses else 0}


class _FormParser(HTMLParser):
    """The fields of every <form> of a page, as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append([])
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self.forms[-1].append(
                    (a["name"], a.get("value", "on" if kind == "checkbox" else ""))
                )
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.forms[-1].append((a["name"], ""))
            self._index = len(self.forms[-1]) - 1
        elif tag == "option" and self._select is not None:
            if "selected" in a:
                self.forms[-1][self._index] = (self._select, a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def form_with(html: str, field_name: str) -> list[tuple[str, str]]:
    """The fields of the page's form that has ``field_name``, as the browser would send them."""
    parser = _FormParser()
    parser.feed(html)
    for fields in parser.forms:
        if any(name == field_name for name, _ in fields):
            return fields
    raise BenchError(f"No form with a field {field_name!r} in the page")


@dataclass
class MixedTargets:
    edit_paths: list[str]  # company edit forms: companies in the list and in the network
    register_paths: list[str]  # upcoming published workshops of the public list
    login_email: str
    login_password: str


def prepare_mixed(targets: Targets) -> MixedTargets:
    from datetime import timedelta

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db.models import Q
    from django.utils import timezone

    from companies.models import Company
    from networks.models import NetworkMembership
    from workshops.models import Workshop

    size_class = urllib.parse.parse_qs(urllib.parse.urlsplit(targets.companies_path).query)
    listed = Company.objects.filter(size_class_stored=size_class["size_class"][0])
    in_list = list(listed.order_by("name").values_list("pk", flat=True)[:3])
    members = NetworkMembership.objects.filter(network__slug=targets.dashboard_path.split("/")[2])
    in_network = list(members.values_list("company_id", flat=True).order_by("company_id")[:3])
    companies = list(dict.fromkeys(in_list + in_network))
    # Open for registration for the whole run (the deadline, else the start, an hour ahead).
    open_until = timezone.now() + timedelta(hours=1)
    workshops = Workshop.objects.filter(status="published", starts_at__gt=open_until).filter(
        Q(registration_deadline__isnull=True) | Q(registration_deadline__gt=open_until)
    )
    slugs = list(workshops.order_by("starts_at").values_list("slug", flat=True)[:10])
    if not companies or not slugs:
        raise BenchError("Mixed load: no company to edit or no upcoming workshop")
    email, password = "bench-login@bench.example", secrets.token_urlsafe(12)
    user = get_user_model().objects.create_user(
        username="bench-login", email=email, password=password
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return MixedTargets(
        edit_paths=[f"/companies/{pk}/edit/" for pk in companies],
        register_paths=[f"/workshops/{slug}/register/" for slug in slugs],
        login_email=email,
        login_password=password,
    )


# Per cycle of two seconds: one login, two company edits, ten registrations (the rates).
CYCLE_SECONDS = 2.0
WRITE_PLAN = sorted(
    [(0.05, "edit"), (0.1, "login"), (1.05, "edit")] + [(i * 0.2, "register") for i in range(10)]
)
WRITE_RATES = {"edit": 1.0, "register": 5.0, "login": 0.5}  # per second


class Writer(threading.Thread):
    """The second client of the mixed row: writes at the plan's steady rate over HTTP, each
    request on its own connection, catching up when an answer took longer than the gap."""

    def __init__(self, port: int, mixed: MixedTargets, coordinator_session: str):
        super().__init__(name="bench-writer", daemon=True)
        self.port, self.mixed = port, mixed
        self.coordinator = {"sessionid": coordinator_session}
        self.halt = threading.Event()
        self.latencies: dict[str, list[float]] = {kind: [] for kind in WRITE_RATES}
        self.failures: list[str] = []
        self.seconds = 0.0
        self._forms: dict[str, list[tuple[str, str]]] = {}
        self._renamed: dict[str, bool] = {}

    def prepare(self) -> None:
        """CSRF tokens and the edit forms as they are (only the name changes afterwards)."""
        page = request("GET", self.port, self.mixed.register_paths[0])
        self.public_cookie, self.public_token = csrf_from(page)
        page = request("GET", self.port, self.mixed.edit_paths[0], cookies=self.coordinator)
        self.coordinator["csrftoken"], _ = csrf_from(page)  # one CSRF secret for every form
        for path in self.mixed.edit_paths:
            page = request("GET", self.port, path, cookies=self.coordinator)
            if page.status != 200:
                raise BenchError(f"Mixed load: {path} answered {page.status}")
            self._forms[path] = form_with(page.body, "name")
        self.login_cookie, self.login_token = csrf_from(
            request("GET", self.port, "/accounts/login/")
        )

    def run(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        started, step, done = time.perf_counter(), 0, dict.fromkeys(WRITE_RATES, 0)
        # Open loop, as independent users: a slow login does not hold back the registrations.
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="bench-write") as pool:
            while not self.halt.is_set():
                cycle, index = divmod(step, len(WRITE_PLAN))
                offset, kind = WRITE_PLAN[index]
                wait = started + cycle * CYCLE_SECONDS + offset - time.perf_counter()
                if wait > 0 and self.halt.wait(wait):
                    break
                pool.submit(self._write, kind, done[kind])
                done[kind] += 1
                step += 1
            self.seconds = time.perf_counter() - started

    def _write(self, kind: str, n: int) -> None:
        try:
            answer = getattr(self, f"_{kind}")(n)
        except OSError as exc:
            self.failures.append(f"{kind}: {exc!r}")
            return
        self.latencies[kind].append(answer.seconds)
        location = answer.headers.get("Location", "")
        if answer.status != 302 or (kind == "register" and "done=1" not in location):
            self.failures.append(f"{kind} #{n}: {answer.status} {location}")

    def _register(self, n: int) -> Response:
        paths = self.mixed.register_paths
        form = registration_forms(self.public_token, f"mixed{n:05d}-", 1)[0]
        return request("POST", self.port, paths[n % len(paths)], form=form,
                       cookies={"csrftoken": self.public_cookie})  # fmt: skip

    def _edit(self, n: int) -> Response:
        path = self.mixed.edit_paths[n % len(self.mixed.edit_paths)]
        renamed = self._renamed[path] = not self._renamed.get(path, False)
        form = []
        for name, value in self._forms[path]:
            if name == "name":
                value = value.removesuffix(" (B)") + (" (B)" if renamed else "")
            form.append((name, value))
        return request("POST", self.port, path, form=form, cookies=self.coordinator)

    def _login(self, n: int) -> Response:
        form = {
            "csrfmiddlewaretoken": self.login_token,
            "login": self.mixed.login_email,
            "password": self.mixed.login_password,
        }
        return request("POST", self.port, "/accounts/login/", form=form,
                       cookies={"csrftoken": self.login_cookie})  # fmt: skip

    def summary(self) -> dict:
        seconds = self.seconds or 1
        return {
            "seconds": self.seconds,
            **{
                kind: {
                    "count": len(values),
                    "per_second": len(values) / seconds,
                    "p95_ms": _percentile(values, 95) * 1000,
                }
                for kind, values in self.latencies.items()
            },
        }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def measure_mixed(port: int, targets: Targets, args) -> dict:
    """The four pages under wrk again while the writer runs, with the cache's hit rate."""
    writer = Writer(port, prepare_mixed(targets), targets.coordinator_session)
    writer.prepare()
    pages, rates = {}, {}
    writer.start()
    try:
        for key, (path, session) in page_targets(targets).items():
            before = cache_counters(args.cache_url)
            pages[key] = wrk(
                port, path, cookie=session, duration=args.duration, connections=args.connections
            )
            rates[key] = hit_rate(before, cache_counters(args.cache_url))
            pages[key].cache_hit_rate = rates[key]["rate"]
    finally:
        writer.halt.set()
        writer.join(timeout=130)
    if writer.failures:
        raise BenchError(f"Mixed load: {len(writer.failures)} writes failed: {writer.failures[:5]}")
    totals = [sum(rate[k] for rate in rates.values()) for k in ("hits", "misses")]
    return {
        "pages": pages,
        "cache": rates,
        "cache_total": {"hits": totals[0], "misses": totals[1],
                        "rate": totals[0] / sum(totals) if sum(totals) else 0},
        "writes": writer.summary(),
    }  # fmt: skip


def page_targets(targets: Targets) -> dict[str, tuple[str, str | None]]:
    coordinator = targets.coordinator_session
    return {
        "companies": (targets.companies_path, coordinator),
        "workshops": (targets.workshops_path, None),
        "grant": (targets.grant_path, coordinator),
        "dashboard": (targets.dashboard_path, coordinator),
    }


def measure_cold(port: int, targets: Targets, args) -> dict:
    """Each page's first request with nothing cached, ``--cold-samples`` times: the cache is
    emptied before each (the worst case of any change: every cached part is rebuilt)."""
    from django.core.cache import cache

    results = {}
    for key, (path, session) in page_targets(targets).items():
        latencies = []
        for _ in range(args.cold_samples):
            cache.clear()
            answer = request("GET", port, path, cookies={"sessionid": session} if session else None)
            if answer.status != 200:
                raise BenchError(f"Cold {path} answered {answer.status}")
            latencies.append(answer.seconds)
        results[key] = {
            "p50_ms": _percentile(latencies, 50) * 1000,
            "p95_ms": _percentile(latencies, 95) * 1000,
        }
    return results


def _plain_message(subject: str, text: str, html: str, to: str):
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, "bench@regiolab.example", to
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def measure_invitations(port: int, targets: Targets, args) -> dict:
    import smtplib

    from tests.support.celery_worker import celery_worker, purge_queue
    from tests.support.smtp_sink import SmtpSink
    from workshops.invitations.services import render_invitation
    from workshops.models import Invitation

    count = args.invitations
    workshop = bench_workshop(capacity=30, label="invitations")
    addresses = [f"einladung{i:04d}@bench.example" for i in range(count)]
    cookies = {"sessionid": targets.coordinator_session}
    path = f"/workshops/{workshop.slug}/invitations/new/"
    cookie, token = csrf_from(request("GET", port, path, cookies=cookies))
    # E-mails queued by the registration rush would go first; they are not part of this.
    purge_queue(args.redis_url)
    with SmtpSink() as sink:
        # Reference: the same message, built and sent by a plain loop over one connection.
        subject, text, html = render_invitation(workshop)
        started = time.perf_counter()
        with smtplib.SMTP(sink.host, sink.port) as smtp:
            for address in addresses:
                smtp.send_message(_plain_message(subject, text, html, address))
        if not sink.wait_for(count, timeout=120):
            raise BenchError(f"smtplib loop: only {sink.count()} of {count} arrived")
        plain_seconds = time.perf_counter() - started
        sink.clear()

        with celery_worker(redis_url=args.redis_url, email_url=sink.url) as worker:
            # The form answers with the preview (recipients, skipped, the e-mail); its confirm
            # button sends what was previewed.
            preview = request(
                "POST",
                port,
                path,
                cookies={**cookies, "csrftoken": cookie},
                form={"csrfmiddlewaretoken": token, "emails": "\n".join(addresses)},
            )
            if preview.status != 200 or "fingerprint" not in preview.body:
                raise BenchError(f"The invitation preview answered {preview.status}")
            confirm = [*form_with(preview.body, "fingerprint"), ("action", "send")]
            started = time.perf_counter()
            answer = request(
                "POST", port, path, cookies={**cookies, "csrftoken": cookie}, form=confirm
            )
            request_seconds = answer.seconds
            if answer.status != 302:
                raise BenchError(f"The invitation form answered {answer.status}")
            if not sink.wait_for(count, timeout=max(120, count * 0.5)):
                raise BenchError(
                    f"Only {sink.count()} of {count} invitations arrived;\n{worker.log()[-3000:]}"
                )
            worker_seconds = time.perf_counter() - started
            time.sleep(0.5)  # a duplicate would arrive right behind the last one
        received = sink.recipients()
    sent = Invitation.objects.filter(workshop=workshop, status=Invitation.Status.SENT).count()
    if set(received) != set(addresses) or any(n != 1 for n in received.values()) or sent != count:
        duplicates = sum(1 for n in received.values() if n > 1)
        raise BenchError(
            f"Invitations: {len(received)} addresses received, {duplicates} more than once, "
            f"{sent} rows marked sent (expected {count} each once)"
        )
    return {
        "count": count,
        "preview_seconds": preview.seconds,
        "request_seconds": request_seconds,
        "worker_rate": count / worker_seconds,
        "plain_rate": count / plain_seconds,
        "worker_seconds": worker_seconds,
        "plain_seconds": plain_seconds,
    }


def report_part(grant_id: int) -> None:
    """In a fresh process: build the grant's final report, then render its HTML alone."""
    import resource

    import django

    django.setup()
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from funding import reports
    from funding.models import Grant, ProgressReport
    from funding.services import build_progress_report
    from regiolab.pdf import PDF_OPTIONS

    def maxrss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def render(html: str) -> bytes:
        document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"))
        return document.write_pdf(**PDF_OPTIONS)  # as regiolab.pdf.render_pdf writes it

    grant = Grant.objects.get(pk=grant_id)
    render("<p>warm-up: fonts loaded before either measurement</p>")
    baseline = maxrss_mb()
    report = ProgressReport.objects.create(
        grant=grant,
        kind=ProgressReport.Kind.FINAL,
        period_start=grant.start_date,
        period_end=grant.end_date,
    )
    started = time.perf_counter()
    built = build_progress_report(report_id=report.pk)
    build_seconds = time.perf_counter() - started
    peak = maxrss_mb()
    if built is None or built.status != ProgressReport.Status.READY:
        raise BenchError(f"The report did not build: {built and built.error}")

    language = grant.report_language
    with translation.override(language):
        context = reports.context_for(built)
        title = f"{built.get_kind_display()} {grant.reference}"
        html = render_to_string("pdf/report.html", {"pdf_title": title, **context})
    started = time.perf_counter()
    pdf = render(html)
    weasy_seconds = time.perf_counter() - started
    print(
        "BENCH_REPORT "
        + json.dumps(
            {
                "build_seconds": build_seconds,
                "weasy_seconds": weasy_seconds,
                "peak_mb": peak,
                "baseline_mb": baseline,
                "pdf_kb": len(pdf) / 1024,
                "receipts": len(context["receipts"]),
            }
        )
    )


def learning_report_part() -> None:
    """In a fresh process: build the final report of the learning programme with the most
    organisations (one of 12 organisations is made when the data has none), then render its
    HTML alone, as report_part() does for the progress report."""
    import resource

    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from learning.models import FinalReport, LearningProgramme
    from learning.results import reports as learning_reports
    from learning.results.services import build_final_report
    from regiolab.pdf import PDF_OPTIONS

    def render(html: str) -> bytes:
        document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"))
        return document.write_pdf(**PDF_OPTIONS)

    programme = (
        LearningProgramme.objects.annotate(n=Count("organisations")).order_by("-n", "pk").first()
    )
    if programme is None or not programme.n:
        raise BenchError(NO_PROGRAMME)
    # Fonts, and the German hyphenation dictionary this report's tables use, loaded before
    # either measurement (a one-time cost, heavy against a report of a few seconds).
    render(
        '<html lang="de"><body><table><tr><th>Warm-up</th><td style="hyphens: auto">'
        "Weiterbildungsverbünde Qualifizierungsdienstleistungen</td></tr></table></body></html>"
    )
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = FinalReport.objects.create(programme=programme, language="de")
    started = time.perf_counter()
    built = build_final_report(report_id=report.pk)
    build_seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if built is None or built.status != FinalReport.Status.READY:
        raise BenchError(f"The final report did not build: {built and built.error}")
    with translation.override(built.language):
        context = learning_reports.context_for(built)
        html = render_to_string(
            learning_reports.TEMPLATE,
            {"pdf_title": learning_reports.title_of(built), **context},
        )
    started = time.perf_counter()
    pdf = render(html)
    weasy_seconds = time.perf_counter() - started
    print(
        "BENCH_LEARNING_REPORT "
        + json.dumps(
            {
                "build_seconds": build_seconds,
                "weasy_seconds": weasy_seconds,
                "peak_mb": peak,
                "baseline_mb": baseline,
                "pdf_kb": len(pdf) / 1024,
                "organisations": len(context["organisations"]),
                "findings": len(context["findings"]),
            }
        )
    )


def measure_learning_report(env: dict[str, str]) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--learning-report-part"],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next((x for x in output.splitlines() if x.startswith("BENCH_LEARNING_REPORT ")), None)
    if line is None:
        raise BenchError(f"The learning report step printed no result:\n{output}")
    return json.loads(line.removeprefix("BENCH_LEARNING_REPORT "))


def learning_report_row(rep: dict) -> list[str]:
    ratio = rep["build_seconds"] / rep["weasy_seconds"]
    return [
        f"4 learning final report, largest programme ({rep['organisations']} organisations, "
        f"{rep['findings']} findings)",
        f"{rep['build_seconds']:.2f} s · peak RSS {rep['peak_mb']:.0f} MB "
        f"(idle {rep['baseline_mb']:.0f} MB)",
        "WeasyPrint on the finished HTML", f"{rep['weasy_seconds']:.2f} s",
        f"{ratio:.2f}", "≤ 1.5", _met(ratio <= 1.5),
    ]  # fmt: skip


def measure_report(grant_id: int, env: dict[str, str]) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--report-part", str(grant_id)],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next((x for x in output.splitlines() if x.startswith("BENCH_REPORT ")), None)
    if line is None:
        raise BenchError(f"The report step printed no result:\n{output}")
    return json.loads(line.removeprefix("BENCH_REPORT "))


# --- Open Innovation calls (challenges/calls/) ---------------------------------------------------


def challenge_call_path() -> str:
    """The public page of seed_scale's largest call (all 20 challenges published, 300
    proposals), or "" when the seed has no calls."""
    from challenges.calls.scale import largest_call_slug
    from challenges.models import Call

    slug = largest_call_slug()
    return f"/challenges/{slug}/" if Call.objects.filter(slug=slug).exists() else ""


def measure_suggested_providers(repeat: int = 20) -> dict:
    """challenges.selectors.suggested_providers for a published challenge of the largest call
    over every company, in this process: the median and the slowest of ``repeat`` runs."""
    from challenges.calls.scale import largest_call_slug
    from challenges.models import Challenge
    from challenges.selectors import suggested_providers
    from companies.models import Company

    challenge = (
        Challenge.objects.filter(call__slug=largest_call_slug(), status="published")
        .select_related("call", "company")
        .order_by("pk")
        .first()
    )
    if challenge is None:
        return {}
    timings, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = len(suggested_providers(challenge=challenge, limit=20))
        timings.append(time.perf_counter() - started)
    timings.sort()
    return {
        "companies": Company.objects.count(),
        "median_seconds": timings[len(timings) // 2],
        "max_seconds": timings[-1],
        "found": found,
    }


def challenges_rows(results: dict) -> list[list[str]]:
    rows = []
    pages = results["pages"]
    if "challenge_call" in pages:
        page, bare = pages["challenge_call"], pages["bare"]
        ratio = page.rps / bare.rps
        rows.append(
            ["1 challenge call's public page (largest call, visitor)", page.text(),
             "bare Django view", bare.text(), f"{ratio:.3f}", "≥ 0.08, p95 ≤ 100 ms",
             _met(ratio >= 0.08 and page.p95_ms <= 100)]
        )  # fmt: skip
    providers = results.get("suggested_providers")
    if providers:
        rows.append(
            [f"  … suggested providers for a challenge over {providers['companies']:,} "
             "companies, in process",
             f"median {_ms(providers['median_seconds'])} · max {_ms(providers['max_seconds'])} "
             f"({providers['found']} suggested)", "", "", "", "≤ 100 ms",
             _met(providers["median_seconds"] <= 0.1)]
        )  # fmt: skip
    return rows


# --- The table ---------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


def build_rows(results: dict, args) -> list[list[str]]:
    pages, rush, inv, rep = (
        results["pages"],
        results["rush"],
        results["invitations"],
        results["report"],
    )
    bare, admin = pages["bare"], pages["admin_companies"]
    rows = []
    labels = MIXED_LABELS
    for key, label in labels.items():
        page = pages[key]
        ratio = page.rps / bare.rps
        rows.append(
            [label, page.text(), "bare Django view", bare.text(), f"{ratio:.3f}",
             "≥ 0.08, p95 ≤ 100 ms", _met(ratio >= 0.08 and page.p95_ms <= 100)]
        )  # fmt: skip
        if key == "companies":
            ratio = page.rps / admin.rps
            rows.append(
                ["  … same rows in the admin", "", "admin changelist (50/page)", admin.text(),
                 f"{ratio:.2f}", "≥ 3", _met(ratio >= 3)]
            )  # fmt: skip
    rows += learning_rows(results)
    rows += review_rows(results)
    rows += practice_list_rows(results)
    if "survey_results" in pages:  # read-only, row 1 only (not in rows 6 and 7)
        page, responses = pages["survey_results"], results["rows"]["feedback_responses"]
        ratio = page.rps / bare.rps
        rows.append(
            [f"1 survey results (coordinator, {responses:,} responses)", page.text(),
             "bare Django view", bare.text(), f"{ratio:.3f}", "≥ 0.08, p95 ≤ 100 ms",
             _met(ratio >= 0.08 and page.p95_ms <= 100)]
        )  # fmt: skip
    burst, reference = rush["rush"], rush["reference"]
    p95 = burst.percentile(95)
    rows.append(
        [f"2 registration rush ({args.rush} at once, {args.rush_seats} seats)",
         f"{burst.rate:,.0f} reg/s · p95 {_ms(p95)} · {rush['confirmed']} confirmed, "
         f"{rush['waitlisted']} waitlisted",
         f"{args.rush} bare requests at once",
         f"{reference.rate:,.0f} req/s · p95 {_ms(reference.percentile(95))}",
         f"{burst.rate / reference.rate:.2f}", "≥ 150/s · p95 ≤ 200 ms",
         f"{_met(burst.rate >= 150)} · {_met(p95 <= 0.2)}"]
    )  # fmt: skip
    paced = rush["paced"]
    rows.append(
        [f"  … the same {args.rush} arriving at {args.rush_rate:g}/s",
         f"p50 {_ms(paced.percentile(50))} · p95 {_ms(paced.percentile(95))} · "
         f"{rush['paced_confirmed']} confirmed", "", "", "", "p95 ≤ 200 ms",
         _met(paced.percentile(95) <= 0.2)]
    )  # fmt: skip
    cost = results["registration_cost"]
    postgres = cost["postgres_ms"]
    total = cost["python_ms"] + (postgres or 0)
    rows.append(
        [f"  … one registration in process, no HTTP ({cost['count']})",
         f"{cost['python_ms']:.2f} ms CPU + "
         + (f"{postgres:.2f} ms in PostgreSQL" if postgres is not None else "PostgreSQL n/a"),
         "bare Django view in process", f"{cost['bare_ms']:.2f} ms CPU",
         f"{total / cost['bare_ms']:.0f} ×", "", ""]
    )  # fmt: skip
    ratio = inv["worker_rate"] / inv["plain_rate"]
    rows.append(
        [f"3 invitations ({inv['count']}, Celery worker → SMTP sink)",
         f"{inv['worker_rate']:,.0f} mails/s ({inv['worker_seconds']:.1f} s)",
         "smtplib loop, one connection",
         f"{inv['plain_rate']:,.0f} mails/s ({inv['plain_seconds']:.1f} s)",
         f"{ratio:.2f}", "≥ 0.5", _met(ratio >= 0.5)]
    )  # fmt: skip
    rows.append(
        ["  … the preview request (recipients, skipped, the e-mail)", _ms(inv["preview_seconds"]),
         "", "", "", "≤ 1 s", _met(inv["preview_seconds"] <= 1)]
    )  # fmt: skip
    rows.append(
        ["  … the sending request", _ms(inv["request_seconds"]), "", "", "", "≤ 1 s",
         _met(inv["request_seconds"] <= 1)]
    )  # fmt: skip
    ratio = rep["build_seconds"] / rep["weasy_seconds"]
    rows.append(
        [f"4 progress report, largest grant ({rep['receipts']} receipts)",
         f"{rep['build_seconds']:.2f} s · peak RSS {rep['peak_mb']:.0f} MB "
         f"(idle {rep['baseline_mb']:.0f} MB)",
         "WeasyPrint on the finished HTML", f"{rep['weasy_seconds']:.2f} s",
         f"{ratio:.2f}", "≤ 1.5", _met(ratio <= 1.5)]
    )  # fmt: skip
    rows += action_plan_rows(pages, bare)  # P2
    if results.get("feed_import"):
        rows.append(feed_import_row(results["feed_import"]))
    rows += challenges_rows(results)
    if results.get("learning_report"):
        rows.append(learning_report_row(results["learning_report"]))
    rows.append(
        ["5 seed data", f"{results['seed_seconds']:.1f} s", "migrate (empty database)",
         f"{results['migrate_seconds']:.1f} s",
         f"{results['seed_seconds'] / results['migrate_seconds']:.1f}", "minutes", ""]
    )  # fmt: skip
    rows += mixed_rows(results, labels)
    if results.get("growth"):
        rows += growth_rows(results, labels, args)
    return rows


def learning_rows(results: dict) -> list[list[str]]:
    """Row 1's cycle board of the largest learning programme against the bare view."""
    pages, data = results["pages"], results.get("rows", {})
    if "cycle_board" not in pages:
        return []
    page, bare = pages["cycle_board"], pages["bare"]
    ratio = page.rps / bare.rps
    label = (
        f"1 cycle board, largest programme ({data.get('board_organisations', '?')} "
        f"organisations, {data.get('board_items', '?')} entries; coordinator)"
    )
    return [
        [label, page.text(), "bare Django view", bare.text(), f"{ratio:.3f}",
         "≥ 0.08, p95 ≤ 100 ms", _met(ratio >= 0.08 and page.p95_ms <= 100)]
    ]  # fmt: skip


def practice_list_rows(results: dict) -> list[list[str]]:
    """Row 1's public good-practice list (policy.practices) against the bare view."""
    pages, data = results["pages"], results.get("rows", {})
    if "practices" not in pages:
        return []
    page, bare = pages["practices"], pages["bare"]
    ratio = page.rps / bare.rps
    label = f"1 good-practice list (public, {data.get('public_practices', '?')} practices, 20/page)"
    return [
        [label, page.text(), "bare Django view", bare.text(), f"{ratio:.3f}",
         "≥ 0.08, p95 ≤ 100 ms", _met(ratio >= 0.08 and page.p95_ms <= 100)]
    ]  # fmt: skip


def only_pages_rows(results: dict) -> list[list[str]]:
    """--only-pages: the chosen pages of row 1 against the bare view."""
    pages, rows = results["pages"], []
    bare = pages["bare"]
    for key, page in pages.items():
        if key in ("bare", "cycle_board", "practices"):
            continue
        ratio = page.rps / bare.rps
        rows.append(
            [f"1 {key}", page.text(), "bare Django view", bare.text(), f"{ratio:.3f}",
             "≥ 0.08, p95 ≤ 100 ms", _met(ratio >= 0.08 and page.p95_ms <= 100)]
        )  # fmt: skip
    return rows + learning_rows(results) + practice_list_rows(results)


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f} %"


# The four pages of rows 1, 6 and 7.
MIXED_LABELS = {
    "companies": "1 companies list (coordinator, filtered, 50/page)",
    "workshops": "1 workshops list (public)",
    "grant": "1 grant detail (coordinator)",
    "dashboard": "1 network dashboard (coordinator)",
}


def mixed_rows(results: dict, labels: dict[str, str]) -> list[list[str]]:
    """Row 6: each page under the writer against its read-only figure of row 1."""
    mixed, rows = results["mixed"], []
    for key, label in labels.items():
        page, alone = mixed["pages"][key], results["pages"][key]
        ratio = page.rps / alone.rps
        rows.append(
            ["6 mixed: " + label.removeprefix("1 "),
             f"{page.text()} · cache hits {_percent(page.cache_hit_rate)}",
             "read-only (row 1)", f"{alone.text()} · cache hits {_percent(alone.cache_hit_rate)}",
             f"{ratio:.2f}", "≥ 0.7, p95 ≤ 100 ms", _met(ratio >= 0.7 and page.p95_ms <= 100)]
        )  # fmt: skip
    writes = mixed["writes"]
    achieved = all(writes[kind]["per_second"] >= 0.9 * rate for kind, rate in WRITE_RATES.items())
    rows.append(
        ["  … the writer meanwhile (over HTTP)",
         f"{writes['edit']['per_second']:.2f} edits/s, {writes['register']['per_second']:.2f} "
         f"reg/s, {writes['login']['per_second']:.2f} logins/s · p95 "
         f"{writes['edit']['p95_ms']:.0f} / {writes['register']['p95_ms']:.0f} / "
         f"{writes['login']['p95_ms']:.0f} ms", "", "", "", "1/s, 5/s, 1 per 2 s (≥ 90 %)",
         _met(achieved)]
    )  # fmt: skip
    total = mixed["cache_total"]
    alone = [results["pages"][k].cache_hit_rate for k in labels]
    alone_text = "n/a" if None in alone else _percent(sum(alone) / len(alone))
    rows.append(
        ["  … cache hit rate, four pages (Redis keyspace)",
         f"{_percent(total['rate'])} ({total['hits']:,} hits, {total['misses']:,} misses)",
         "read-only (mean of row 1)", alone_text, "", "reported", ""]
    )  # fmt: skip
    return rows


def growth_rows(results: dict, labels: dict[str, str], args) -> list[list[str]]:
    """Row 7: ten times the data against the default size of the same run (≤ 1.25 × per page)."""
    growth, rows = results["growth"], []
    data = growth["rows"]
    tag = f"7 ×{GROWTH_FACTOR}"
    for key, label in labels.items():
        name = label.removeprefix("1 ")
        warm, base = growth["pages"][key]["p95_ms"], results["pages"][key].p95_ms
        rows.append(
            [f"{tag} {name}, warm", f"p95 {warm:.1f} ms ({growth['pages'][key]['rps']:,.0f} req/s)",
             "default size, warm (row 1)", f"p95 {base:.1f} ms", f"{warm / base:.2f}",
             "≤ 1.25 ×", _met(warm <= 1.25 * base)]
        )  # fmt: skip
        cold, base = growth["cold"][key]["p95_ms"], results["cold"][key]["p95_ms"]
        rows.append(
            [f"{tag} {name}, cold ({args.cold_samples} × first request, cache emptied)",
             f"p95 {cold:.1f} ms", "default size, cold", f"p95 {base:.1f} ms",
             f"{cold / base:.2f}", "≤ 1.25 ×", _met(cold <= 1.25 * base)]
        )  # fmt: skip
    rush, base = growth["rush"], results["rush"]["rush"]
    rows.append(
        [f"{tag} registration rush ({args.rush} at once)",
         f"{rush['rate']:,.0f} reg/s · p95 {_ms(rush['p95_seconds'])} · {rush['confirmed']} "
         f"confirmed", "default size (row 2)", f"{base.rate:,.0f} reg/s · p95 "
         f"{_ms(base.percentile(95))}", f"{rush['rate'] / base.rate:.2f}",
         "≥ 150/s · p95 ≤ 200 ms",
         f"{_met(rush['rate'] >= 150)} · {_met(rush['p95_seconds'] <= 0.2)}"]
    )  # fmt: skip
    paced = results["rush"]["paced"]
    rows.append(
        [f"  … the same {args.rush} arriving at {args.rush_rate:g}/s",
         f"p95 {_ms(rush['paced_p95_seconds'])}", "default size",
         f"p95 {_ms(paced.percentile(95))}", "", "p95 ≤ 200 ms",
         _met(rush["paced_p95_seconds"] <= 0.2)]
    )  # fmt: skip
    rep, base = growth["report"], results["report"]
    ratio = rep["build_seconds"] / rep["weasy_seconds"]
    rows.append(
        [f"{tag} progress report ({rep['receipts']} receipts)",
         f"{rep['build_seconds']:.2f} s · peak RSS {rep['peak_mb']:.0f} MB",
         "WeasyPrint on the finished HTML", f"{rep['weasy_seconds']:.2f} s "
         f"(default size: built in {base['build_seconds']:.2f} s)", f"{ratio:.2f}", "≤ 1.5",
         _met(ratio <= 1.5)]
    )  # fmt: skip
    rows.append(
        [f"{tag} seed data ({data['companies']:,} companies, {data['registrations']:,} "
         "registrations)", f"{growth['seed_seconds']:.1f} s", "default size (row 5)",
         f"{results['seed_seconds']:.1f} s", f"{growth['seed_seconds'] / results['seed_seconds']:.1f}",
         "≤ 3 minutes", _met(growth["seed_seconds"] <= 180)]
    )  # fmt: skip
    return rows


HEADER = ["figure", "measured", "reference", "reference measured", "ratio", "goal", "met"]


def format_table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(HEADER), rule, *(line(row) for row in rows)])


# --- Main ----------------------------------------------------------------------------------------


def _raise_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # so `finally` stops gunicorn


def run(args: argparse.Namespace) -> dict:
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    if shutil.which("wrk") is None:
        raise BenchError("wrk is missing (Debian package wrk; `make system-deps` installs it)")
    with contextlib.ExitStack() as stack:
        if args.redis_url is None:
            # The run's own Redis: its INFO counts only the bench's cache reads (row 6), and
            # no other user of a shared server moves the figures.
            from tests.support.redis_server import redis_server

            server = stack.enter_context(redis_server())
            args.redis_url = server.url
            args.cache_url = server.url.removesuffix("/0") + "/1"
        else:
            args.cache_url = os.environ.get("BENCH_CACHE_URL") or args.redis_url
        results = _run(args)
    if args.only_pages:
        mixed = mixed_rows(results, MIXED_LABELS) if args.with_mixed else []
        results["table"] = format_table(only_pages_rows(results) + mixed)
        return results
    if args.growth and not args.growth_part:
        results["growth"] = measure_growth(args, results)
    if not args.growth_part:
        results["table"] = format_table(build_rows(results, args))
    return results


def _run(args: argparse.Namespace) -> dict:
    port = free_port()
    run_dir = Path(tempfile.mkdtemp(prefix="regiolab-bench-"))
    env = bench_environment(args, port=port, media_root=run_dir / "private")
    results: dict = {}
    t0 = time.monotonic()
    say = lambda text: print(f"[bench {time.monotonic() - t0:5.1f} s] {text}", flush=True)  # noqa: E731
    recreate_database(args.database_url)
    try:
        say(f"fresh database {urllib.parse.urlsplit(args.database_url).path.lstrip('/')}")
        results["migrate_seconds"] = run_manage("migrate", "--no-input", "-v0", env=env)
        if not static_files_current():
            run_manage("collectstatic", "--no-input", "-v0", env=env)
        say("seeding …")
        results["seed_command"], results["seed_seconds"] = seed(args, env)
        vacuum_analyze(args.database_url)
        setup_django(env)
        targets = prepare_targets()
        results["rows"] = targets.rows
        say(f"data: {targets.rows}")
        profiler = Profiler(
            directory=args.profile,
            pidfile=run_dir / GUNICORN_PIDFILE,
            py_spy=VENV_BIN / "py-spy",
            base_dir=BASE_DIR,
        )
        with gunicorn(port=port, workers=args.workers, env=env, run_dir=run_dir):
            say(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}; wrk …")
            results["pages"] = measure_pages(port, targets, args, profiler)
            if args.with_mixed:
                say("mixed load …")
                results["mixed"] = measure_mixed(port, targets, args)
            if not args.only_pages:
                _measure_the_rest(port, targets, args, profiler, results, say)
        if not args.only_pages:
            if not args.growth_part:
                say("one registration in process …")
                results["registration_cost"] = measure_registration_cost(args)
                say("a partner feed imported in process …")
                results["feed_import"] = measure_feed_import()
                say("suggested providers in process …")
                results["suggested_providers"] = measure_suggested_providers()
            say("progress report …")
            results["report"] = measure_report(targets.grant_id, env)
            if not args.growth_part:
                say("learning final report …")
                results["learning_report"] = measure_learning_report(env)
    finally:
        with contextlib.suppress(Exception):  # Django may not be set up yet
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            with contextlib.suppress(Exception):
                drop_database(args.database_url)
        shutil.rmtree(run_dir, ignore_errors=True)
    results["profiles"] = profiler.hottest
    results["profile_summary"] = "\n".join(profiler.lines())
    return results


def _measure_the_rest(port: int, targets: Targets, args, profiler, results: dict, say) -> None:
    """Steps 1 (cold, growth only), 6, 2 and 3 against the running gunicorn."""
    if args.growth or args.growth_part:
        say("cold pages …")
        results["cold"] = measure_cold(port, targets, args)
    if not args.growth_part:
        say("mixed load …")
        results["mixed"] = measure_mixed(port, targets, args)
    say("registration rush …")
    results["rush"] = measure_rush(port, args, profiler)
    if not args.growth_part:
        say("invitations …")
        results["invitations"] = measure_invitations(port, targets, args)


GROWTH_FACTOR = 10


def measure_growth(args: argparse.Namespace, results: dict) -> dict:
    """Row 7: the same pages, rush and report on a second fresh database with ten times every
    count of this run (``seed_scale --companies 50000 … --registrations 600000`` by default),
    measured by a child bench process (its own Redis, gunicorn and database)."""
    from regiolab.management.commands.seed_scale import Counts

    defaults = Counts()
    counts = [
        f"--{name.replace('_', '-')}="
        f"{(getattr(args, name) or getattr(defaults, option)) * GROWTH_FACTOR}"
        for name, option in SEED_OPTIONS.items()
        if name not in ("seed", "calls")
    ]
    # Row 7 grows the four pages' data; the challenge calls stay as in the run.
    counts.append(f"--calls={args.calls or defaults.calls}")
    with tempfile.TemporaryDirectory(prefix="regiolab-bench-growth-") as tmp:
        out = Path(tmp) / "growth.json"
        command = [
            sys.executable, __file__, "--growth-part", f"--json={out}", *counts,
            f"--database-url={_sibling_database(args.database_url, 'growth')}",
            f"--duration={args.duration}", f"--connections={args.connections}",
            f"--workers={args.workers}", f"--rush={args.rush}", f"--rush-seats={args.rush_seats}",
            f"--rush-rate={args.rush_rate}", f"--cold-samples={args.cold_samples}",
        ]  # fmt: skip
        if args.seed is not None:
            command.append(f"--seed={args.seed}")
        environment = {k: v for k, v in os.environ.items() if k != "BENCH_REDIS_URL"}
        subprocess.run(command, cwd=BASE_DIR, env=environment, check=True)  # noqa: S603
        return json.loads(out.read_text())


def _jsonable(results: dict, args) -> dict:
    pages = {k: vars(v) for k, v in results["pages"].items()}
    rush = results["rush"]
    mixed = results.get("mixed")
    if mixed:
        mixed = {**mixed, "pages": {k: vars(v) for k, v in mixed["pages"].items()}}
    return {
        **{k: v for k, v in results.items() if k not in ("pages", "rush", "mixed")},
        "mixed": mixed,
        "pages": pages,
        "rush": {
            "count": rush["rush"].count,
            "rate": rush["rush"].rate,
            "p95_seconds": rush["rush"].percentile(95),
            "reference_rate": rush["reference"].rate,
            "reference_p95_seconds": rush["reference"].percentile(95),
            "confirmed": rush["confirmed"],
            "waitlisted": rush["waitlisted"],
            "paced_per_second": args.rush_rate,
            "paced_p50_seconds": rush["paced"].percentile(50),
            "paced_p95_seconds": rush["paced"].percentile(95),
            "paced_confirmed": rush["paced_confirmed"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report_part is not None:
        report_part(args.report_part)
        return 0
    if args.learning_report_part:
        learning_report_part()
        return 0
    if args.learning_report_only:
        # One row on the database as it is (no fresh database, no gunicorn): the private files
        # go to a temporary folder.
        with tempfile.TemporaryDirectory(prefix="regiolab-bench-learning-") as media:
            rep = measure_learning_report(
                {"PRIVATE_MEDIA_ROOT": media, "DJANGO_SETTINGS_MODULE": "regiolab.settings"}
            )
        print(format_table([learning_report_row(rep)]))
        return 0
    try:
        results = run(args)
    except (BenchError, subprocess.CalledProcessError) as exc:
        print(f"[bench] FAILED: {exc}", file=sys.stderr)
        return 1
    if args.growth_part:  # the parent prints row 7 from the JSON
        args.json.write_text(json.dumps(_jsonable(results, args), indent=2, default=str))
        return 0
    workers = f"gunicorn {args.workers} workers, wrk {args.connections} connections × "
    print(f"\nregioLab benchmark — {results['seed_command']}; {workers}{args.duration:g} s\n")
    print(results["table"])
    if results["profile_summary"]:
        print(f"\n{results['profile_summary']}")
    if args.json and not args.only_pages:
        args.json.write_text(json.dumps(_jsonable(results, args), indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
