"""A PDF's pages as a reader sees them: nothing off the paper, no cell's text over another's.

Text extraction (pypdf) returns text wherever it lies, even beyond the page edge where no viewer
or printer shows it. These checks read the glyph boxes and the drawn table rules (pdfplumber, on
pdfminer) and report:

- a character outside the page box (cut off on screen and paper),
- two characters drawn over each other (a cell's text running into its neighbour's),
- a character crossed by a table rule (text overflowing its cell).

On failure (or with PDF_GEOMETRY_PNGS=1 set) ``assert_fits_pages`` writes PNGs of the pages (``pdftoppm -r 60``) into
build/pdf-failures/<name>/ and names that folder in the assertion message.
"""

from __future__ import annotations

import bisect
import io
import os
import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

FAILURES_DIR = Path(__file__).resolve().parents[2] / "build" / "pdf-failures"
# Glyph boxes of neighbouring letters touch and kerning lets them overlap a little; a rule may
# graze the side bearing of a glyph. Anything beyond these tolerances is visible on paper.
OVERLAP_PT = 1.0
RULE_PT = 1.0
EDGE_PT = 0.5
BUCKET = 12.0  # points; characters are compared with those of neighbouring buckets only


@dataclass(frozen=True)
class Problem:
    page: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"page {self.page}: {self.kind}: {self.detail}"


def page_problems(page, number: int) -> list[Problem]:
    width, height = float(page.width), float(page.height)
    # Characters in drawing order; a word's letters are neighbours in it.
    chars = [c for c in page.chars if c["text"].strip()]
    order = {id(c): i for i, c in enumerate(chars)}
    word_of: dict[int, dict] = {}
    for word in page.extract_words(return_chars=True):
        for c in word["chars"]:
            word_of[id(c)] = word
    problems: list[Problem] = []
    reported: set[tuple] = set()

    def where(c: dict) -> str:
        w = word_of.get(id(c), c)
        return f"{w['text']!r} at x={w['x0']:.1f}–{w['x1']:.1f}, y={w['top']:.1f}"

    def add(kind: str, *cs: dict, extra: str = "") -> None:
        key = (kind, *(id(word_of.get(id(c), c)) for c in cs))
        if key not in reported:
            reported.add(key)
            problems.append(Problem(number, kind, " and ".join(where(c) for c in cs) + extra))

    for c in chars:
        if (
            c["x0"] < -EDGE_PT
            or c["x1"] > width + EDGE_PT
            or c["top"] < -EDGE_PT
            or c["bottom"] > height + EDGE_PT
        ):
            add("outside the page", c, extra=f" on a {width:.1f} × {height:.1f} pt page")

    buckets: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for c in chars:
        buckets[(int(c["x0"] // BUCKET), int(c["top"] // BUCKET))].append(c)
    for (bx, by), members in buckets.items():
        neighbours = [
            other
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for other in buckets.get((bx + dx, by + dy), ())
        ]
        for a in members:
            for b in neighbours:
                # Each pair once; letters drawn one after the other may kern into each other.
                if order[id(b)] <= order[id(a)] + 1:
                    continue
                dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
                dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                if dx > OVERLAP_PT and dy > OVERLAP_PT:
                    add("text over text", a, b)

    # Table rules (cell borders, drawn as lines or thin rectangles) crossing a glyph.
    rules = sorted((e for e in page.edges if e["orientation"] == "v"), key=lambda e: e["x0"])
    xs = [e["x0"] for e in rules]
    for c in chars:
        middle = (c["top"] + c["bottom"]) / 2
        low = bisect.bisect_right(xs, c["x0"] + RULE_PT)
        high = bisect.bisect_left(xs, c["x1"] - RULE_PT)
        for e in rules[low:high]:
            if e["top"] <= middle <= e["bottom"]:
                add("crossed by a rule", c, extra=f", rule at x={e['x0']:.1f}")
                break
    return problems


def geometry_problems(pdf: bytes) -> list[Problem]:
    problems: list[Problem] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            problems += page_problems(page, number)
            page.flush_cache()  # keeps memory flat on long reports
    return problems


def write_pngs(pdf: bytes, name: str) -> Path:
    """The pages as PNGs (60 dpi) in build/pdf-failures/<name>/; returns the folder."""
    folder = FAILURES_DIR / re.sub(r"[^\w.-]+", "_", name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "document.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(folder / "document.pdf"), str(folder / "page")],
        check=True,
    )
    return folder


def assert_fits_pages(pdf: bytes, *, name: str, limit: int = 25) -> None:
    """Fails when text lies off the page, over other text or across a table rule."""
    problems = geometry_problems(pdf)
    if os.environ.get("PDF_GEOMETRY_PNGS"):  # to look at a passing document too
        write_pngs(pdf, name)
    if problems:
        folder = write_pngs(pdf, name)
        listed = "\n".join(str(p) for p in problems[:limit])
        more = f"\n… and {len(problems) - limit} more" if len(problems) > limit else ""
        raise AssertionError(
            f"{len(problems)} layout problem(s); pages as PNG in {folder}\n{listed}{more}"
        )


def _with_file(pdf: bytes, args: list[str]) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(
            [*args, f.name, "-"] if args[0] == "pdftotext" else [*args, f.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def page_text(pdf: bytes, page: int) -> str:
    """The text poppler finds on one page (1-based), whitespace folded."""
    return " ".join(_with_file(pdf, ["pdftotext", "-f", str(page), "-l", str(page)]).split())


def page_count(pdf: bytes) -> int:
    return int(pdfinfo(pdf)["Pages"])


def pdfinfo(pdf: bytes) -> dict[str, str]:
    """``pdfinfo``'s fields (Producer, CreationDate, Pages, Page size, Tagged …)."""
    info = {}
    for line in _with_file(pdf, ["pdfinfo", "-isodates"]).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = value.strip()
    return info


def pdfinfo_meta(pdf: bytes) -> str:
    """The XMP metadata packet as ``pdfinfo -meta`` prints it."""
    return _with_file(pdf, ["pdfinfo", "-meta"])


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) of each page in points."""
    out = _with_file(pdf, ["pdfinfo", "-f", "1", "-l", "9999"])
    return [
        (float(m.group(1)), float(m.group(2)))
        for m in re.finditer(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)
    ]
