"""'Where are workshops published' has one answer (issue 15): workshops.lifecycle.services.
publish_workshop. No other module of the portal sets a workshop's status to published; the
apps that own workshops (learning cycles, pitch events) publish through it. Seed commands,
which write whole data sets, are the exception."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PUBLISHER = ("workshops/lifecycle/services.py", "publish_workshop")
SEEDING = "regiolab/management/commands/"


def _is_published(value: ast.expr) -> bool:
    text = ast.unparse(value)
    return text in {"Workshop.Status.PUBLISHED", "'published'"}


def workshop_publishing_writes(tree: ast.AST) -> list[tuple[str, int]]:
    """(enclosing function, line) of each write of the published status: ``x.status =
    Workshop.Status.PUBLISHED``, or ``status=`` published in an ORM ``update``/``create`` or a
    ``Workshop(...)``."""
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Assign)
                and ast.unparse(node.value) == "Workshop.Status.PUBLISHED"
                and any(isinstance(t, ast.Attribute) and t.attr == "status" for t in node.targets)
            ):
                found.append((function.name, node.lineno))
            if isinstance(node, ast.Call):
                callee = ast.unparse(node.func)
                workshop_write = callee.endswith("Workshop") or (
                    "Workshop" in callee and callee.rsplit(".", 1)[-1] in {"update", "create"}
                )
                if workshop_write and any(
                    kw.arg == "status" and _is_published(kw.value) for kw in node.keywords
                ):
                    found.append((function.name, node.lineno))
    return found


def _portal_modules():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "node_modules/")) or relative.startswith(
            SEEDING
        ):
            continue
        yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=relative)


def test_only_publish_workshop_sets_the_published_status():
    writers = {
        (name, function)
        for name, tree in _portal_modules()
        for function, _line in workshop_publishing_writes(tree)
    }
    assert writers == {PUBLISHER}


def test_the_scan_sees_another_publisher():
    tree = ast.parse(
        "def sneak(w):\n"
        "    w.status = Workshop.Status.PUBLISHED\n"
        "def bulk():\n"
        "    Workshop.objects.filter(pk=1).update(status='published')\n"
        "def reads():\n"
        "    Workshop.objects.filter(status=Workshop.Status.PUBLISHED)\n"
    )
    assert [name for name, _line in workshop_publishing_writes(tree)] == ["sneak", "bulk"]
