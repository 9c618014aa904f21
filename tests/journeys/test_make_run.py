"""``make run`` as the Makefile has it, read with ``make -n``: e-mail links point at the address
runserver listens on, and Celery beat runs the production schedule next to it.

The commands are taken from make's own output and run as printed, so a change to the Makefile
is what these tests see. They need no test database (the beat test makes its own SQLite file)
and run once, in the PostgreSQL run of ``make test``.
"""

import os
import shlex
import sqlite3
import subprocess
import time
from pathlib import Path

from django.conf import settings

from workshops.models import Workshop

SEPARATORS = {";", "&", "&&", "||", "|"}
# Variables of the caller that would change what make prints.
OWN = ("SITE_URL", "EMBEDDED_DB", "BEAT_SCHEDULE", "HOST", "PORT", "MAKEFLAGS", "MAKELEVEL")


def make_run_commands(*assignments: str, environ: dict | None = None) -> list[list[str]]:
    """The simple commands ``make run`` would run, each as its words."""
    env = {k: v for k, v in os.environ.items() if k not in OWN} | (environ or {})
    printed = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", *assignments],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    commands: list[list[str]] = []
    for line in printed.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        current: list[str] = []
        for token in lexer:
            if token in SEPARATORS:
                commands.append(current)
                current = []
            else:
                current.append(token)
        commands.append(current)
    return [command for command in commands if command]


def command_with(commands, *words) -> tuple[dict, list[str]]:
    """(environment given by ``env NAME=value …``, argv) of the one command containing ``words``."""
    found = [c for c in commands if all(w in c for w in words)]
    assert len(found) == 1, (words, commands)
    words_ = found[0]
    environment = {}
    if words_[0] == "env":
        words_ = words_[1:]
        while words_ and "=" in words_[0] and not words_[0].startswith("-"):
            name, _, value = words_.pop(0).partition("=")
            environment[name] = value
    return environment, words_


def test_make_run_points_email_links_at_its_own_port():
    commands = make_run_commands("PORT=8101")

    environment, argv = command_with(commands, "manage.py", "runserver")
    assert argv[-2:] == ["runserver", "127.0.0.1:8101"]
    assert environment["SITE_URL"] == "http://127.0.0.1:8101"
    assert environment["REDIS_URL"] == ""
    assert environment["DATABASE_URL"].startswith("sqlite:///")
    # Beat, seed_demo and the rest write e-mails with the same links.
    for words in (("beat",), ("seed_demo",), ("migrate",)):
        assert command_with(commands, *words)[0] == environment


def test_a_site_url_of_the_user_wins():
    commands = make_run_commands("PORT=8101", environ={"SITE_URL": "https://portal.example"})
    environment, _argv = command_with(commands, "manage.py", "runserver")
    assert environment["SITE_URL"] == "https://portal.example"


def _run(environment, argv):
    subprocess.run(argv, cwd=settings.BASE_DIR, env=environment, check=True, capture_output=True)


def test_make_runs_beat_which_marks_a_finished_workshop_done(tmp_path):
    database = tmp_path / "run.sqlite3"
    commands = make_run_commands(
        f"EMBEDDED_DB={database}", f"BEAT_SCHEDULE={tmp_path / 'beat-schedule'}"
    )
    base = {k: v for k, v in os.environ.items() if k not in OWN}
    # Every periodic task each second instead of every few minutes (regiolab.settings).
    base["BEAT_INTERVAL_SECONDS"] = "1"

    migrate_env, migrate = command_with(commands, "migrate")
    _run(base | migrate_env, migrate)
    create = (
        "from datetime import timedelta; from django.utils import timezone; "
        "from workshops.models import Workshop; now = timezone.now(); "
        "Workshop.objects.create(title='Gestern', slug='gestern', venue='Hannover', "
        "starts_at=now - timedelta(hours=5), ends_at=now - timedelta(hours=1), capacity=5, "
        "status='published')"
    )
    _run(base | migrate_env, [migrate[0], "manage.py", "shell", "-c", create])

    beat_env, beat = command_with(commands, "beat")
    assert beat_env["DATABASE_URL"] == f"sqlite:///{database}"
    log = tmp_path / "beat.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            beat,
            cwd=settings.BASE_DIR,
            env=base | beat_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        status = _wait_for_status(database, "gestern", "done", seconds=60)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    text = log.read_text(errors="replace")
    assert status == "done", text
    assert "workshops.mark_finished_workshops" in text
    assert "Traceback" not in text and "database is locked" not in text, text


def _wait_for_status(database: Path, slug: str, wanted: str, *, seconds: float) -> str | None:
    """The workshop's status as a second reader of the file sees it, once it is ``wanted`` or
    the time is up."""
    status = None
    deadline = time.monotonic() + seconds
    query = f"SELECT status FROM {Workshop._meta.db_table} WHERE slug = ?"  # noqa: S608
    while time.monotonic() < deadline:
        with sqlite3.connect(database, timeout=5) as connection:
            status = connection.execute(query, [slug]).fetchone()[0]
        if status == wanted:
            break
        time.sleep(0.5)
    return status


REGISTER_FIVE = """
from workshops.registration import services
from workshops.models import Workshop
for i in range(5):
    services.register_participant(
        workshop=Workshop.objects.get(slug="ansturm"), first_name="P", last_name=str(i),
        email=f"p{i}-" + PROCESS + "@example.org",
    )
"""


def test_processes_registering_at_once_on_the_sqlite_file_never_overbook(tmp_path):
    """runserver's threads and beat write the same file: BEGIN IMMEDIATE stands in for the row
    lock SQLite lacks, the timeout lets a writer wait instead of failing."""
    database = tmp_path / "run.sqlite3"
    commands = make_run_commands(f"EMBEDDED_DB={database}")
    environment, migrate = command_with(commands, "migrate")
    environment = {k: v for k, v in os.environ.items() if k not in OWN} | environment
    _run(environment, migrate)
    create = (
        "from datetime import timedelta; from django.utils import timezone; "
        "from workshops.models import Workshop; now = timezone.now(); "
        "Workshop.objects.create(title='Ansturm', slug='ansturm', venue='Hannover', "
        "starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=2), "
        "capacity=7, status='published')"
    )
    _run(environment, [migrate[0], "manage.py", "shell", "-c", create])

    # Output goes to files, not pipes: the console backend prints e-mails while delivery holds
    # the write lock, and a pipe nobody reads yet (communicate() goes one process at a time)
    # would block its writer with the lock held once it has more than 64 KB.
    logs = [tmp_path / f"process-{n}.log" for n in range(6)]
    processes = []
    for n, log in enumerate(logs):
        with log.open("wb") as output:
            processes.append(
                subprocess.Popen(
                    [migrate[0], "manage.py", "shell", "-c", f"PROCESS = '{n}'" + REGISTER_FIVE],
                    cwd=settings.BASE_DIR,
                    env=environment,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            )
    for process in processes:
        process.wait(timeout=120)
    outputs = [log.read_text(errors="replace") for log in logs]
    assert [p.returncode for p in processes] == [0] * 6, outputs

    with sqlite3.connect(database) as connection:
        statuses = dict(
            connection.execute(
                "SELECT status, count(*) FROM workshops_registration GROUP BY status"
            ).fetchall()
        )
        seats = connection.execute(
            "SELECT seats_taken FROM workshops_workshop WHERE slug = 'ansturm'"
        ).fetchone()[0]
    assert statuses == {"confirmed": 7, "waitlisted": 23}
    assert seats == 7
