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
