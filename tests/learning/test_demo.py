"""seed_demo's learning programme: believable, idempotent, the demo representative one of its
people; and the whole command on SQLite (make run's embedded default)."""

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from learning.models import (
    CycleReport,
    LearningProgramme,
    ProgrammeOrganisation,
    ProgrammePerson,
    ReportItem,
    Task,
    TaskSubmission,
)
from regiolab.demo_data import DEMO_PASSWORD, LEARNING_PROGRAMME
from workshops.models import Invitation, Registration

ROOT = Path(__file__).resolve().parents[2]
LEARNING_MODELS = [
    LearningProgramme,
    ProgrammeOrganisation,
    ProgrammePerson,
    CycleReport,
    ReportItem,
    Task,
    TaskSubmission,
    Registration,
    Invitation,
]


def _counts():
    return {model.__name__: model.objects.count() for model in LEARNING_MODELS}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=StringIO())
    return LearningProgramme.objects.get(slug=LEARNING_PROGRAMME["slug"])


def test_the_demo_programme_is_a_metal_group_of_the_region(seeded):
    programme = seeded
    assert programme.title == "Kompetenzsicherung Metall Region Hannover"
    assert programme.status == "running" and programme.summary_published
    organisations = list(programme.organisations.select_related("company"))
    by_type = {}
    for organisation in organisations:
        by_type.setdefault(organisation.actor_type, []).append(organisation.company.name)
    assert len(by_type["firm"]) == 6
    assert any("Landeshauptstadt Hannover" in name for name in by_type["public_sector"])
    assert any("Agentur für Arbeit Hannover" in name for name in by_type["public_sector"])
    assert any(name.startswith("BBS") for name in by_type["education"])
    rep = ProgrammePerson.objects.get(
        organisation__programme=programme, email="rep@regiolab.example"
    )
    assert rep.user is not None


def test_cycle_one_done_two_running_three_ahead(seeded):
    now = timezone.now()
    first, second, third = seeded.cycles.select_related("workshop").order_by("number")
    assert first.workshop.ends_at < now and first.workshop.status == "done"
    assert now < second.workshop.starts_at < third.workshop.starts_at
    organisations = seeded.organisations.count()
    # Everybody attended cycle 1; every organisation submitted its report with all 4 sections.
    attended = Registration.objects.filter(workshop=first.workshop, status="attended")
    assert attended.values("company").distinct().count() == organisations
    assert first.workshop.seats_taken == attended.count()
    reports = CycleReport.objects.filter(cycle=first, status="submitted")
    assert reports.count() == organisations
    for report in reports:
        assert set(report.items.values_list("section", flat=True)) == {
            "activity",
            "challenge",
            "obstacle",
            "opportunity",
        }
    assert ReportItem.objects.filter(report__cycle=first, tags__isnull=False).exists()
    # Cycle 2: tasks, some submitted, some drafts, reports begun that follow cycle-1 findings.
    assert Task.objects.filter(cycle=second).count() == 2
    assert TaskSubmission.objects.filter(status="submitted").exists()
    assert TaskSubmission.objects.filter(status="draft").exists()
    assert ReportItem.objects.filter(report__cycle=second, follows__report__cycle=first).exists()


def test_demo_representative_sees_the_space(seeded, client):
    response = client.post(
        "/accounts/login/", {"login": "rep@regiolab.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get(f"/learning/{seeded.slug}/").content.decode()
    assert "Kompetenzsicherung Metall Region Hannover" in page
    assert "Zu diesem Lernworkshop anmelden" in page  # cycle 2, one click away


def test_second_run_changes_no_counts(seeded):
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first


def test_seed_demo_runs_twice_on_sqlite(tmp_path):
    """make run's embedded default: migrate a fresh SQLite file, seed twice, same rows."""
    database = tmp_path / "demo.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, cwd=ROOT, timeout=300)

    def seed() -> dict:
        done = subprocess.run(
            [*manage, "seed_demo"], check=True, env=env, cwd=ROOT, timeout=300,
            capture_output=True, text=True,
        )  # fmt: skip
        assert "Learning programme: Kompetenzsicherung Metall Region Hannover" in done.stdout
        with sqlite3.connect(database) as connection:
            return {
                table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in (
                    "learning_learningprogramme",
                    "learning_programmeorganisation",
                    "learning_programmeperson",
                    "learning_cyclereport",
                    "learning_reportitem",
                    "workshops_registration",
                )
            }

    first = seed()
    assert first["learning_programmeorganisation"] == 9
    assert first["learning_reportitem"] >= 36
    assert seed() == first
