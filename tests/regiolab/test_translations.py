"""The committed German catalogue is complete: no untranslated or fuzzy entries, and it compiles."""

import subprocess
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))


def test_a_german_catalogue_exists():
    assert ROOT / "locale/de/LC_MESSAGES/django.po" in CATALOGUES


def test_catalogues_have_no_untranslated_or_fuzzy_entries():
    problems = []
    for path in CATALOGUES:
        catalogue = polib.pofile(str(path))
        problems += [
            f"{path.name}: untranslated: {e.msgid!r}" for e in catalogue.untranslated_entries()
        ]
        problems += [f"{path.name}: fuzzy: {e.msgid!r}" for e in catalogue.fuzzy_entries()]
    print(f"{len(CATALOGUES)} catalogue(s), {len(problems)} problem(s)")
    assert problems == []


def test_catalogues_compile(tmp_path):
    for path in CATALOGUES:
        result = subprocess.run(
            ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(path)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr


def test_every_source_string_is_in_the_catalogue(tmp_path):
    """makemessages on a copy of the code finds no msgid the committed catalogue lacks.

    Without this, a new `{% translate %}` would silently show English on German pages.
    """
    import shutil
    import sys

    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns(".venv", "staticfiles", "tests", "__pycache__", "*.mo", ".git")
    shutil.copytree(ROOT, copy, ignore=ignore)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete", "-v", "0"],
        cwd=copy,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(copy / "locale/de/LC_MESSAGES/django.po"))
    committed = polib.pofile(str(ROOT / "locale/de/LC_MESSAGES/django.po"))
    known = {(e.msgctxt, e.msgid) for e in committed if e.msgstr or e.msgstr_plural}
    missing = [e.msgid for e in fresh if (e.msgctxt, e.msgid) not in known]
    print(f"{len(fresh)} source strings, {len(missing)} missing from the catalogue")
    assert missing == []
