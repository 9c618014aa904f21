"""Cache keys carry the release, so a new release never serves what an older one cached."""

import shutil

from django.conf import settings

from regiolab.release import SOURCES, source_digest


def copy_sources(tmp_path):
    for top in SOURCES:
        shutil.copytree(settings.BASE_DIR / top, tmp_path / top)
    return tmp_path


def test_a_changed_template_makes_another_release(tmp_path):
    base = copy_sources(tmp_path)
    before = source_digest(base)
    assert source_digest(base) == before  # the same files, the same release

    template = base / "templates" / "base.html"
    template.write_text(template.read_text() + "<!-- changed -->")

    assert source_digest(base) != before


def test_a_file_that_is_no_source_does_not_count(tmp_path):
    base = copy_sources(tmp_path)
    before = source_digest(base)
    (base / "regiolab" / "notes.swp").write_text("editor scratch")
    assert source_digest(base) == before


def test_the_release_is_part_of_the_cache_keys():
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        assert prefix.endswith(f":{settings.RELEASE}")
    assert settings.RELEASE
