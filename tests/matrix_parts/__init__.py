"""The newer apps' share of the permission matrix, one module per app or concern, so that
each is written beside the others without touching the shared files.

A part module defines:

- ``ROWS``: a list of tests.matrix_rows.Row, walked by tests/test_permission_matrix.py and
  scanned by tests/e2e/test_accessibility.py like every other row;
- ``PAYLOADS``: payload name → ``lambda world: {…}`` for its POST rows;
- ``world(base) -> dict``: creates its objects in the matrix world and returns the ids its
  rows' {placeholders} name. ``base`` (a ``Base``) holds the shared world's users and objects.
- optionally ``EXTRA_SCANS`` (role → [Scan-like dicts]) and ``NOT_HTML`` (route → reason) for
  the accessibility scan.
"""

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass
class Base:
    """What the shared matrix world (tests/matrix_world.build_world) hands to each part."""

    coordinator: object
    rep_a: object  # owner of company A
    rep_b: object  # owner of company B
    funder_user: object
    company_a: object  # member of network N, a registration in workshop W
    company_b: object
    company_c: object
    network: object  # N
    workshop: object  # W, published
    finished: object  # a workshop that has ended
    grant: object  # G, co-financed by the funder user's funder
    other_grant: object  # G_other, not visible to the funder user
    ids: dict  # the shared world's ids so far


PARTS = [
    importlib.import_module(f"{__name__}.{info.name}")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
]
