"""One way to cache (issue 15): the declared values of regiolab.caching. The mechanisms it
replaced (Django's per-view and template-fragment caches, cachalot, process-level caches of
data) stay gone; each remaining use of Django's cache or of a process-level memo is named here
with why it is not a second cache of what a page shows."""

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "tests", "node_modules", "staticfiles", ".git"}

# Modules that import Django's cache, and why.
DJANGO_CACHE_USERS = {
    "regiolab/caching.py": "the one mechanism",
    "regiolab/mail/services.py": "the outbox's wake-up flag, a signal between processes",
    "regiolab/views.py": "the health check writes and reads one key to see the cache works",
    "regiolab/pages/services.py": "the accessibility feedback's per-address rate limit",
}
# Module-level memos (functools.cache / lru_cache as decorators), and why.
PROCESS_MEMOS = {
    ("regiolab/caching.py", "_filter_form"): "a FilterSet's form class, no data",
    ("regiolab/collation.py", "german_sort_key"): "a pure function of a text",
    ("regiolab/auth_backends.py", "_user_with_roles_sql"): "SQL text built from model metadata",
    ("workshops/registration/services.py", "_rendered_email"): (
        "keyed by every shown field of the workshop, so no write can leave it stale; "
        "without it a registration costs 63 % more CPU (docs/benchmarks.md)"
    ),
}


def _sources(suffix: str):
    for path in ROOT.rglob(f"*{suffix}"):
        relative = path.relative_to(ROOT)
        if not SKIP & set(relative.parts):
            yield relative.as_posix(), path.read_text(encoding="utf-8")


def _python_modules():
    for name, text in _sources(".py"):
        yield name, ast.parse(text, filename=name)


def test_only_the_named_modules_use_djangos_cache():
    users = set()
    for name, tree in _python_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.core.cache":
                users.add(name)
            if isinstance(node, ast.Import) and any(
                alias.name.startswith("django.core.cache") for alias in node.names
            ):
                users.add(name)
    assert users == set(DJANGO_CACHE_USERS)


def _memo_decorated(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = (
                    target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                )
                if name in {"cache", "lru_cache", "cached"}:
                    yield node.name


def test_process_level_memos_are_only_the_named_ones():
    found = {
        (name, function) for name, tree in _python_modules() for function in _memo_decorated(tree)
    }
    assert found == set(PROCESS_MEMOS)


def test_the_old_mechanisms_are_gone():
    templates = dict(_sources(".html"))
    assert not [
        name for name, text in templates.items() if re.search(r"{%\s*load\s[^%]*\bcache\b", text)
    ]
    python = dict(_sources(".py"))
    for forbidden in (
        "cache_page",
        "cachalot",
        "UpdateCacheMiddleware",
        "FetchFromCacheMiddleware",
    ):
        assert not [name for name, text in python.items() if forbidden in text], forbidden
    assert not any("cachalot" in app for app in settings.INSTALLED_APPS)
    # Django's per-site cache (regiolab.security.PrivateCacheMiddleware only sets headers).
    assert not any(m.startswith("django.middleware.cache") for m in settings.MIDDLEWARE)


def test_the_checks_see_a_second_mechanism(tmp_path, monkeypatch):
    """The scanners find what they look for: a module importing Django's cache, a memo and a
    template loading the fragment cache."""
    module = ast.parse("from django.core.cache import cache\n@functools.lru_cache\ndef f(): pass\n")
    assert any(
        isinstance(node, ast.ImportFrom) and node.module == "django.core.cache"
        for node in ast.walk(module)
    )
    assert list(_memo_decorated(module)) == ["f"]
    assert re.search(r"{%\s*load\s[^%]*\bcache\b", "{% load i18n cache %}")
