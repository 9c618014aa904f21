"""The core's features moved into small apps (issue 15) without copying rows: a database
migrated before the move keeps its rows, content types (and with them permissions and audit
history), and a fresh database migrates from zero on PostgreSQL and SQLite."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.apps import apps as live_apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

ROOT = Path(__file__).resolve().parents[2]

# The last core migration before the first move, and each moved model: (new app, model).
BEFORE_SPLIT = ("regiolab", "0006_mail_retry")
MOVED = {
    "pages": ["sitepage", "sitepagesection", "accessibilityfeedback"],
    "privacy": ["consent", "anonymisationrecord"],
    "outbox": ["outboundemail", "mailoptout"],
}


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_rows_and_content_types_survive_the_move():
    # Back to the state before the split: the new apps unapplied (their migrations touch no
    # table), the models again the core's.
    _migrate([(app, None) for app in MOVED])
    try:
        loader = MigrationExecutor(connection).loader
        # Every other app as it is now, the core as it was just before the split.
        nodes = [n for n in loader.graph.leaf_nodes() if n[0] not in {"regiolab", *MOVED}]
        old = loader.project_state([BEFORE_SPLIT, *nodes]).apps
        old_ct = old.get_model("contenttypes", "ContentType")
        before = {
            model: old_ct.objects.get_or_create(app_label="regiolab", model=model)[0].pk
            for models in MOVED.values()
            for model in models
        }
        assert not old_ct.objects.filter(app_label__in=list(MOVED)).exists()
        old_page = old.get_model("regiolab", "SitePage")
        old_page.objects.all().delete()  # the data migration's pages, if still there
        page = old_page.objects.create(key="imprint")
        old.get_model("regiolab", "SitePageSection").objects.create(
            page=page, position=1, level=2, heading_de="Angaben", body_de="Straße 1"
        )
        old.get_model("regiolab", "AccessibilityFeedback").objects.create(
            name="Ada", message="Der Knopf hat keinen Namen."
        )
        old.get_model("regiolab", "Consent").objects.create(
            email="ada@example.org",
            purpose="contact",
            text_version="2026-11",
            source="company_form",
        )
        old.get_model("regiolab", "AnonymisationRecord").objects.create(
            pseudonym="anonymisiert-1@invalid", reason="request", counts={"registrations": 2}
        )
        old.get_model("regiolab", "OutboundEmail").objects.create(
            to="ada@example.org",
            subject="Ihre Anmeldung",
            body_text="Guten Tag",
            status="failed",
            attempts=3,
            message_id="<1@regiolab.example>",
        )
        old.get_model("regiolab", "MailOptOut").objects.create(email="grace@example.org")
        outbox_permission, _ = old.get_model("auth", "Permission").objects.get_or_create(
            codename="view_outboundemail",
            content_type_id=before["outboundemail"],
            defaults={"name": "Can view outgoing e-mail"},
        )
        permission, _ = old.get_model("auth", "Permission").objects.get_or_create(
            codename="change_sitepage",
            content_type_id=before["sitepage"],
            defaults={"name": "Can change information page"},
        )
    finally:
        _migrate(_latest())

    from regiolab.mail.models import MailOptOut, OutboundEmail
    from regiolab.pages.models import AccessibilityFeedback, SitePage
    from regiolab.privacy.models import AnonymisationRecord, Consent

    page = SitePage.objects.get(key="imprint")
    assert [s.heading_de for s in page.sections.all()] == ["Angaben"]
    assert AccessibilityFeedback.objects.get().name == "Ada"
    assert Consent.objects.get().email == "ada@example.org"
    assert AnonymisationRecord.objects.get().counts == {"registrations": 2}
    email = OutboundEmail.objects.get(to="ada@example.org")
    assert (email.status, email.attempts, email.message_id) == ("failed", 3, "<1@regiolab.example>")
    assert list(MailOptOut.objects.values_list("email", flat=True)) == ["grace@example.org"]
    for app, models in MOVED.items():
        for model in models:
            content_type = ContentType.objects.get_for_model(live_apps.get_model(app, model))
            # The same row, relabelled: permissions and audit entries still point to it.
            assert (content_type.app_label, content_type.pk) == (app, before[model])
    assert not ContentType.objects.filter(
        app_label="regiolab", model__in=[m for models in MOVED.values() for m in models]
    ).exists()
    assert Permission.objects.get(pk=permission.pk).content_type.app_label == "pages"
    assert Permission.objects.get(pk=outbox_permission.pk).content_type.app_label == "outbox"


def _migrate_fresh(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _moved_tables_and_labels(cursor) -> tuple[int, set]:
    cursor.execute("SELECT COUNT(*) FROM regiolab_sitepage")
    pages = cursor.fetchone()[0]
    # The outbox's tables exist under their old names (an empty outbox).
    cursor.execute("SELECT COUNT(*) FROM regiolab_outboundemail")
    assert cursor.fetchone()[0] == 0
    cursor.execute("SELECT COUNT(*) FROM regiolab_mailoptout")
    assert cursor.fetchone()[0] == 0
    cursor.execute("SELECT app_label, model FROM django_content_type")
    return pages, set(cursor.fetchall())


def _assert_fresh(pages: int, labels: set) -> None:
    # The data migration of 0004 still fills the three information pages.
    assert pages == 3
    for app, models in MOVED.items():
        for model in models:
            assert (app, model) in labels
            assert ("regiolab", model) not in labels


def test_a_fresh_sqlite_database_migrates_from_zero(tmp_path):
    import sqlite3

    path = tmp_path / "fresh.sqlite3"
    _migrate_fresh(f"sqlite:///{path}")
    with sqlite3.connect(path) as db:
        _assert_fresh(*_moved_tables_and_labels(db.cursor()))


@pytest.mark.django_db
def test_a_fresh_postgresql_database_migrates_from_zero():
    if connection.vendor != "postgresql":
        pytest.fail("run on PostgreSQL (DATABASE_URL)")
    params = connection.get_connection_params()
    name = f"{connection.settings_dict['NAME']}_fresh"
    server = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    admin = psycopg.connect(dbname="postgres", autocommit=True, **server)
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        user = server.get("user", "")
        password = f":{server['password']}" if server.get("password") else ""
        url = f"postgres://{user}{password}@{server.get('host', '')}:{server.get('port', 5432)}/{name}"
        _migrate_fresh(url)
        with psycopg.connect(dbname=name, **server) as fresh, fresh.cursor() as cursor:
            _assert_fresh(*_moved_tables_and_labels(cursor))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
