"""`make bench` in miniature, so the benchmark cannot rot: same code paths, tiny counts.

It runs tests/perf/bench.py as its own process (its own fresh database next to the test
database, gunicorn, wrk, a Celery worker, an SMTP sink) and checks that the table comes out and
that the correctness checks held. Wall-clock goals are never asserted here.
"""

import json
import os
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

BENCH = Path(__file__).with_name("bench.py")
BASE_DIR = BENCH.parents[2]

SMOKE_ARGS = [
    "--companies=60",
    "--networks=3",
    "--workshops=12",
    "--registrations=120",
    "--seed-invitations=20",
    "--grants=1",
    "--expenditures=60",
    "--consultations=20",
    "--feedback-responses=50",
    "--needs-answers=10",
    "--calls=1",
    "--duration=2",  # one second left a cold page under a busy machine without an answer
    "--connections=4",
    "--rush=20",
    "--rush-seats=5",
    "--invitations=20",
    "--cold-samples=2",
    "--growth",  # row 7 at ten times these counts (600 companies): seconds here
]

pytestmark = [
    pytest.mark.perf,
    pytest.mark.timeout(480),
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk (Debian package) is missing"),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (Celery, cache)"),
]


def _smoke_database_url() -> str:
    """``…/regiolab_h1`` → ``…/regiolab_h1_bench_smoke``: beside the caller's own database."""
    parts = urllib.parse.urlsplit(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/regiolab")
    )
    name = parts.path.strip("/") or "regiolab"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}_bench_smoke"))


def test_bench_prints_the_table_and_its_checks_hold(tmp_path):
    out = tmp_path / "bench.json"
    profiles = tmp_path / "profiles"
    completed = subprocess.run(
        [sys.executable, str(BENCH), *SMOKE_ARGS, f"--json={out}", f"--profile={profiles}"],
        cwd=BASE_DIR,
        env={**os.environ, "BENCH_DATABASE_URL": _smoke_database_url()},
        capture_output=True,
        text=True,
        timeout=460,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    table = completed.stdout
    for label in (
        "companies list",
        "admin changelist",
        "workshops list",
        "grant detail",
        "network dashboard",
        "survey results (coordinator, 50 responses)",
        "1 cycle board, largest programme (",
        "registration rush",
        "invitations",
        "progress report",
        "learning final report",
        "seed data",
        "6 mixed: companies list",
        "6 mixed: network dashboard",
        "the writer meanwhile",
        "cache hit rate, four pages",
        "7 ×10 grant detail (coordinator), cold",
        "7 ×10 registration rush",
        "7 ×10 progress report",
        "7 ×10 seed data (600 companies, ",  # the registrations include the learning workshops
    ):
        assert label in table, table

    results = json.loads(out.read_text())
    assert results["seed_command"].startswith("seed_scale")
    # Exactly as many confirmed as seats, the rest waitlisted (bench.py fails the run otherwise).
    assert results["rush"]["confirmed"] == 5
    assert results["rush"]["waitlisted"] == 15
    # The same number again, arriving at the goal's rate: the same check held.
    assert results["rush"]["paced_confirmed"] == 5
    assert results["rush"]["paced_per_second"] == 150
    assert "… the same 20 arriving at 150/s" in table
    # One registration's CPU in process, the bench's PostgreSQL backend read from /proc.
    cost = results["registration_cost"]
    assert cost["count"] == 100
    assert cost["python_ms"] > cost["bare_ms"] > 0
    assert cost["postgres_ms"] > 0
    assert "… one registration in process, no HTTP (100)" in table
    # Every invitation arrived once at the sink (checked by address inside bench.py).
    assert results["invitations"]["count"] == 20
    for page in ("bare", "companies", "admin_companies", "workshops", "grant", "dashboard"):
        assert results["pages"][page]["requests"] > 0
    for page in ("cycle_board", "survey_results"):
        assert results["pages"][page]["requests"] > 0, page
    assert results["report"]["build_seconds"] > 0
    assert results["report"]["peak_mb"] > 0
    assert results["learning_report"]["build_seconds"] > 0
    assert results["learning_report"]["organisations"] > 0

    # py-spy recorded the workers during every page and the rush; the registration's own code
    # shows up in the rush's stacks and in the summary printed under the table.
    for step in ("bare", "companies", "admin_companies", "workshops", "grant", "dashboard", "rush"):
        assert (profiles / f"{step}.txt").stat().st_size > 0, step
    assert "workshops/registration/services.py" in (profiles / "rush.txt").read_text()
    assert f"py-spy profiles (CPU of the gunicorn workers) in {profiles}" in table
    rush_line = next(line for line in table.splitlines() if line.startswith("  rush: "))
    assert "(workshops/" in rush_line, rush_line
    assert results["profiles"]["rush"], results["profiles"]

    # Row 6: the four pages again while the writer edited, registered and logged in over HTTP
    # (every write answered with its redirect, or bench.py fails the run), with the cache's
    # hit rate read from the run's own Redis.
    mixed = results["mixed"]
    for page in ("companies", "workshops", "grant", "dashboard"):
        assert mixed["pages"][page]["requests"] > 0
        assert 0 <= mixed["pages"][page]["cache_hit_rate"] <= 1
        assert results["pages"][page]["cache_hit_rate"] is not None
    for kind in ("edit", "register", "login"):
        assert mixed["writes"][kind]["count"] > 0, mixed["writes"]
    assert mixed["cache_total"]["hits"] + mixed["cache_total"]["misses"] > 0

    # Row 7: a second database at ten times the counts, pages warm and cold, rush and report.
    growth = results["growth"]
    assert growth["rows"]["companies"] == 600
    # Ten times the workshops' 120, plus the learning programmes' attendance (not scaled).
    assert growth["rows"]["registrations"] >= 1200
    assert "--companies=600" in growth["seed_command"]
    assert growth["rush"]["confirmed"] == 5
    assert growth["report"]["build_seconds"] > 0
    for page in ("companies", "workshops", "grant", "dashboard"):
        assert growth["pages"][page]["requests"] > 0
        assert growth["cold"][page]["p95_ms"] > 0
        assert results["cold"][page]["p95_ms"] > 0
