"""The running release: a digest of the code, templates and translations.

It is part of every cache key (settings.CACHES), so pages and figures cached by one release are
never served by the next, whose templates or rows may differ. Deployments may set RELEASE (a
commit id, for instance) instead; the digest takes a few milliseconds at start-up.
"""

import hashlib
from pathlib import Path

SOURCES = ("regiolab", "companies", "networks", "workshops", "funding", "templates", "locale")
SUFFIXES = {".py", ".html", ".txt", ".mo"}


def source_digest(base_dir: Path) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for top in SOURCES:
        for path in sorted((base_dir / top).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base_dir)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
