"""The README and docs/ stay true to the repository (issue 15).

Links resolve to files inside the repository (the README uses no ``../``), every app and file
docs/architecture.md names exists, and the paths the documents say the portal serves resolve
in the URLconf, while those the design marks as planned do not yet. Each check is a function
returning its problems, so the tests at the end can show that a broken document is caught.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import Resolver404, resolve

ROOT = Path(settings.BASE_DIR)
README = ROOT / "README.md"
DOCS = ROOT / "docs"
ARCHITECTURE = DOCS / "architecture.md"
DESIGN = DOCS / "design.md"

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`")
# Placeholders in documented paths, replaced by a value their URL pattern accepts.
PLACEHOLDERS = {
    "<pk>": "1",
    "<n>": "1",
    "<slug>": "x",
    "<call-slug>": "x",
    "<token>": "abc",
    "<app>": "x",
    "<model>": "x",
    "…": "login/",  # /accounts/… : one of allauth's pages
}
FILE_LIKE = re.compile(r"^[\w.*-]+(/[\w.*<>-]+)*/?$")


def _anchor(heading: str) -> str:
    """GitHub's id of a heading: lower case, punctuation dropped, spaces to hyphens."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def _anchors(text: str) -> set[str]:
    return {_anchor(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def link_problems(text: str, base: Path, *, allow_parent: bool) -> list[str]:
    """Relative links that leave the repository, point at nothing, or at a missing heading."""
    problems = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, fragment = target.partition("#")
        if "../" in path and not allow_parent:
            problems.append(f"{target}: leaves the document's folder")
        resolved = (base / path).resolve() if path else None
        if resolved is not None:
            if not resolved.is_relative_to(ROOT):
                problems.append(f"{target}: outside the repository")
                continue
            if not resolved.exists():
                problems.append(f"{target}: no such file")
                continue
        if fragment:
            doc = resolved if resolved is not None else None
            if (
                doc is not None
                and doc.suffix == ".md"
                and fragment not in _anchors(doc.read_text())
            ):
                problems.append(f"{target}: no heading #{fragment}")
    return problems


def _concrete(path: str) -> str:
    path = path.split("?")[0]
    for placeholder, value in PLACEHOLDERS.items():
        path = path.replace(placeholder, value)
    return path


def _serves(path: str) -> bool:
    try:
        resolve(_concrete(path))
    except Resolver404:
        return False
    return True


def served_path_problems(text: str) -> list[str]:
    """Every `/path` in code quotes must be one the portal serves."""
    paths = {token for token in CODE.findall(text) if token.startswith("/")}
    return [f"{path}: not in the URLconf" for path in sorted(paths) if not _serves(path)]


def url_map_problems(text: str) -> list[str]:
    """The design's URL map: rows marked "yes" resolve, rows marked "planned" do not yet."""
    section = text.split("## URL map", 1)[1].split("\n## ", 1)[0]
    problems = []
    rows = 0
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        rows += 1
        for path in CODE.findall(cells[0]):
            if cells[2] == "yes" and not _serves(path):
                problems.append(f"{path}: marked served but not in the URLconf")
            elif cells[2] == "planned" and _serves(path):
                problems.append(f"{path}: marked planned but served; update the URL map")
            elif cells[2] not in ("yes", "planned"):
                problems.append(f"{path}: served column says {cells[2]!r}")
    if not rows:
        problems.append("no URL map rows found")
    return problems


def app_problems(text: str) -> list[str]:
    """Apps in the dependency diagram exist (directory and installed app) unless the document
    calls them planned, and planned ones do not exist yet."""
    diagram = text.split("```", 2)[1]
    named = set()
    for line in diagram.splitlines():
        if "<-" in line:  # the dependency line: every word is an app
            named |= set(re.findall(r"\b([a-z]+)\b", line))
        elif re.match(r"^[a-z]+\b", line):  # a line of its own for the core
            named.add(line.split()[0])
    planned_sentence = next(
        (
            clause
            for clause in re.split(r"[.;] ", text.split("```", 2)[2].replace("\n", " "))
            if "are planned" in clause
        ),
        "",
    )
    planned = {name for name in CODE.findall(planned_sentence) if re.fullmatch(r"[a-z]+", name)}
    installed = {config.name for config in apps.get_app_configs()}
    problems = []
    if not named:
        problems.append("no apps found in the diagram")
    for app in sorted(named - planned):
        if not (ROOT / app / "apps.py").is_file() or app not in installed:
            problems.append(f"{app}: named as an app, but no installed app directory")
    for app in sorted(planned):
        if (ROOT / app).exists():
            problems.append(f"{app}: called planned, but the directory exists")
    return problems


def file_problems(text: str) -> list[str]:
    """Every repository path in code quotes (`regiolab/mail/services.py`, `tests/*/test_*cache*.py`,
    `partials/field.html` under templates/) exists."""
    problems = []
    for token in sorted(set(CODE.findall(text))):
        if "/" not in token or "<" in token or not FILE_LIKE.match(token):
            continue
        if not re.search(r"\.(py|html|md|toml|yml|po)$|/$", token):
            continue
        if not any(list(base.glob(token.rstrip("/"))) for base in (ROOT, ROOT / "templates")):
            problems.append(f"{token}: no such file or folder")
    return problems


# --- The documents as committed ----------------------------------------------------------------


def test_readme_links_resolve_inside_the_repository_without_parent_paths():
    text = README.read_text()
    assert "shared/DESIGN.md" not in text
    for doc in ("docs/architecture.md", "docs/design.md", "docs/benchmarks.md"):
        assert f"]({doc})" in text, f"the README does not link {doc}"
    assert link_problems(text, ROOT, allow_parent=False) == []


@pytest.mark.parametrize("name", ["architecture.md", "design.md", "benchmarks.md"])
def test_links_in_docs_resolve_inside_the_repository(name):
    text = (DOCS / name).read_text()
    assert "../shared" not in text
    assert link_problems(text, DOCS, allow_parent=True) == []


def test_every_app_named_in_the_architecture_exists():
    assert app_problems(ARCHITECTURE.read_text()) == []


def test_every_file_named_in_the_architecture_exists():
    assert file_problems(ARCHITECTURE.read_text()) == []


def test_the_design_url_map_matches_the_urlconf():
    assert url_map_problems(DESIGN.read_text()) == []


@pytest.mark.parametrize("document", [README, ARCHITECTURE], ids=lambda p: p.name)
def test_every_page_path_the_documents_name_is_served(document):
    assert served_path_problems(document.read_text()) == []


# --- The checks catch a broken document --------------------------------------------------------


def test_a_link_outside_the_repository_or_to_nothing_is_caught():
    text = "See [design](../shared/DESIGN.md), [gone](docs/nothing.md), [ok](docs/design.md)."
    problems = link_problems(text, ROOT, allow_parent=False)
    assert len(problems) == 3  # leaves the folder, outside the repository, no such file
    assert any("outside the repository" in p for p in problems)
    assert any("docs/nothing.md: no such file" in p for p in problems)
    assert link_problems("[x](docs/design.md#no-such-heading)", ROOT, allow_parent=False) == [
        "docs/design.md#no-such-heading: no heading #no-such-heading"
    ]


def test_a_url_map_row_that_does_not_resolve_is_caught():
    text = (
        "## URL map\n\n| path | what | served |\n| --- | --- | --- |\n"
        "| `/companies/<pk>/` | companies | yes |\n"
        "| `/tenders/` | tenders | yes |\n"
        "| `/health/` | health | planned |\n"
    )
    assert url_map_problems(text) == [
        "/tenders/: marked served but not in the URLconf",
        "/health/: marked planned but served; update the URL map",
    ]


def test_a_missing_app_or_file_or_page_is_caught():
    text = (
        "```\ncompanies  <-  tenders  <-  learning\n          planned\nregiolab  (core)\n```\n\n"
        "Of these, `learning` and `funding` are planned.\n\n`regiolab/nowhere.py`, "
        "`regiolab/mail/services.py`, `/no-such-page/`, `/health/`"
    )
    assert app_problems(text) == [
        "tenders: named as an app, but no installed app directory",
        "funding: called planned, but the directory exists",
        "learning: called planned, but the directory exists",
    ]
    assert file_problems(text) == ["regiolab/nowhere.py: no such file or folder"]
    assert served_path_problems(text) == ["/no-such-page/: not in the URLconf"]
